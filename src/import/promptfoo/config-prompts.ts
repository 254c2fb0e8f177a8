import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { detectVariables, promptContentSchema, type LibraryContent } from '../../library/content';
import { ConfigFiles, ImportError, extensionOf, fileRef } from './file-refs';
import type { Unsupported } from './unsupported';

/** One prompt of the config, before it is named. */
export interface SourcePrompt {
  /** 1-based, in the order the config lists them (a file holding several counts several). */
  position: number;
  /** Where it came from, for listings: "inline" or the file's path. */
  source: string;
  /** promptfoo's `label`, else an `id` that is not a file reference. */
  label?: string;
  /** The file's base name (no extension), for prompts from files without a label. */
  fileName?: string;
  content: LibraryContent;
}

interface Entry {
  raw?: string;
  file?: string;
  label?: string;
  extra: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// promptfoo renders prompts with Nunjucks; Refinery fills plain {{name}} placeholders only.
const PLACEHOLDER = /\{\{[\s\S]*?\}\}|\{%|\{#/g;
const SIMPLE = /^\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;

function nunjucksIn(texts: string[]): string | undefined {
  for (const text of texts)
    for (const m of text.matchAll(PLACEHOLDER)) if (!SIMPLE.test(m[0])) return m[0].slice(0, 60);
  return undefined;
}

function entries(raw: unknown, where: string): Entry[] {
  if (typeof raw === 'string')
    return [fileRef(raw) !== undefined ? { file: fileRef(raw), extra: [] } : { raw, extra: [] }];
  if (Array.isArray(raw)) return raw.flatMap((item, i) => entry(item, `${where}[${i}]`));
  if (isRecord(raw))
    // The legacy map form: {"file://a.txt": "label"}.
    return Object.entries(raw).map(([k, label]) => ({
      ...(fileRef(k) !== undefined ? { file: fileRef(k) } : { raw: k }),
      label: typeof label === 'string' ? label : undefined,
      extra: [],
    }));
  throw new ImportError(`${where}: expected a prompt, a list of prompts or a file:// path`);
}

function entry(item: unknown, where: string): Entry[] {
  if (typeof item === 'string') return entries(item, where);
  if (!isRecord(item)) throw new ImportError(`${where}: expected a string or {id, label, raw}`);
  const id = typeof item.id === 'string' ? item.id : undefined;
  const label = typeof item.label === 'string' ? item.label : id && fileRef(id) === undefined ? id : undefined;
  const extra = Object.keys(item).filter((k) => !['id', 'label', 'raw'].includes(k));
  if (typeof item.raw === 'string') return [{ raw: item.raw, label, extra }];
  if (id && fileRef(id) !== undefined) return [{ file: fileRef(id), label, extra }];
  throw new ImportError(`${where}: a prompt object needs "raw" text or an "id" of the form file://path`);
}

type Message = { role: string; content: unknown };
const isMessages = (v: unknown): v is Message[] =>
  Array.isArray(v) && v.length > 0 && v.every((m) => isRecord(m) && typeof m.role === 'string');

function chat(messages: Message[], what: string): LibraryContent {
  const parsed = promptContentSchema.safeParse({ type: 'chat', messages });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ImportError(
      `${what}: ${issue.path.join('.') || 'messages'}: ${issue.message} (messages need a role of system, user or assistant and text content)`,
    );
  }
  const content = parsed.data;
  if (content.type === 'chat') content.variables = detectVariables(content.messages.map((m) => m.content).join('\n'));
  return content;
}

function text(body: string, what: string): LibraryContent {
  if (!body.trim()) throw new ImportError(`${what}: the prompt is empty`);
  return { type: 'text', text: body, variables: detectVariables(body) };
}

/** A prompt string as promptfoo reads it: a JSON list of messages is a chat, anything else text. */
function fromString(body: string, what: string): LibraryContent {
  if (body.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (isMessages(parsed)) return chat(parsed, what);
    } catch {
      // Not JSON: a text prompt that happens to start with "[".
    }
  }
  return text(body, what);
}

/**
 * Reads the config's `prompts` into contents: inline text, JSON chat strings, `file://` text files (split on
 * `---` lines, as promptfoo does), JSON or YAML chat files, and YAML files listing further prompts. Prompt
 * functions (.js, .py), Nunjucks beyond `{{name}}` and per-prompt `config` are unsupported.
 */
export function readPrompts(raw: unknown, files: ConfigFiles): { prompts: SourcePrompt[]; unsupported: Unsupported[] } {
  if (raw === undefined) throw new ImportError('the config has no "prompts": add at least one');
  const prompts: SourcePrompt[] = [];
  const unsupported: Unsupported[] = [];
  const add = (p: Omit<SourcePrompt, 'position'>, extra: string[]) => {
    const position = prompts.length + unsupported.filter((u) => u.prompt !== undefined).length + 1;
    const at = `prompt ${position}`;
    const c = p.content;
    const nunjucks = nunjucksIn(
      c.type === 'text' ? [c.text] : c.type === 'chat' ? c.messages.map((m) => m.content) : [],
    );
    if (extra.length)
      unsupported.push({ at, prompt: position, what: `prompt with ${extra.map((k) => `"${k}"`).join(', ')}` });
    else if (nunjucks) unsupported.push({ at, prompt: position, what: `Nunjucks template syntax ${nunjucks}` });
    else prompts.push({ ...p, position });
  };
  const visit = (list: Entry[], depth: number) => {
    for (const e of list) {
      if (e.raw !== undefined) {
        add(
          { source: 'inline', label: e.label, content: fromString(e.raw, `prompt "${e.raw.slice(0, 40)}"`) },
          e.extra,
        );
        continue;
      }
      const ref = e.file!;
      const what = `prompt file ${ref}`;
      const ext = extensionOf(ref);
      const fileName = path
        .basename(ref)
        .replace(/\.[^.]+$/, '')
        .replace(/:.*$/, '');
      const source = files.display(ref);
      if (['.js', '.cjs', '.mjs', '.ts', '.py'].includes(ext)) {
        const position = prompts.length + unsupported.filter((u) => u.prompt !== undefined).length + 1;
        unsupported.push({ at: `prompt ${position}`, prompt: position, what: `prompt function ${ref}` });
        continue;
      }
      const body = files.text(ref, what);
      if (ext === '.json' || ext === '.yaml' || ext === '.yml') {
        let parsed: unknown;
        try {
          parsed = ext === '.json' ? JSON.parse(body) : parseYaml(body);
        } catch (err) {
          throw new ImportError(`${what}: not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
        }
        if (isMessages(parsed)) add({ source, label: e.label, fileName, content: chat(parsed, what) }, e.extra);
        else if (depth === 0 && ext !== '.json' && Array.isArray(parsed)) visit(entries(parsed, ref), 1);
        else throw new ImportError(`${what}: expected a list of chat messages [{role, content}, …]`);
        continue;
      }
      if (ext === '.jsonl') {
        const position = prompts.length + unsupported.filter((u) => u.prompt !== undefined).length + 1;
        unsupported.push({ at: `prompt ${position}`, prompt: position, what: `JSONL prompt file ${ref}` });
        continue;
      }
      // promptfoo reads several prompts from one .txt file, separated by lines of "---".
      const parts =
        ext === '.txt' ? body.split(/^---\r?$/m).map((s) => s.replace(/^\r?\n/, '').replace(/\r?\n$/, '')) : [body];
      const kept = parts.length > 1 ? parts.filter((s) => s.trim()) : parts;
      kept.forEach((part, i) =>
        add(
          {
            source,
            label: e.label && kept.length > 1 ? `${e.label}-${i + 1}` : e.label,
            fileName: kept.length > 1 ? `${fileName}-${i + 1}` : fileName,
            content: fromString(part, what),
          },
          e.extra,
        ),
      );
    }
  };
  visit(entries(raw, 'prompts'), 0);
  return { prompts, unsupported };
}
