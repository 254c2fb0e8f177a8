import { parse as parseYaml } from 'yaml';
import { ConfigFiles, ImportError, extensionOf, fileRef } from './file-refs';
import { inlineScript, moduleScript } from './scripts';

/** What a promptfoo assertion becomes: a Refinery assertion (maybe with a generated script), or a reason it cannot. */
export type MappedAssertion =
  { ok: true; assertion: Record<string, unknown>; script?: string; notes: string[] } | { ok: false; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// Same check, same semantics: the type keeps its name.
const SAME = new Set(['equals', 'contains', 'icontains', 'not-contains', 'starts-with', 'regex']);
const SETS = new Set(['contains-any', 'contains-all']);
// Keys that change what is checked (the output, the grader's prompt): without them the check would differ.
const CHANGES_SEMANTICS = new Set(['transform', 'contextTransform', 'rubricPrompt', 'config']);
const KNOWN_KEYS = new Set(['type', 'value', 'weight', 'threshold', 'metric', 'provider']);

const scalarText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/**
 * Maps one promptfoo assertion onto Refinery's, only where the check means the same. `where` names it in
 * generated script names ("test-3-a2"). Scripts named by `file://` are read through `files` (the path policy).
 */
export function mapAssertion(raw: unknown, files: ConfigFiles, where: string): MappedAssertion {
  if (!isRecord(raw) || typeof raw.type !== 'string')
    return { ok: false, reason: 'an assertion without a type (expected {type, value})' };
  const type = raw.type;
  const label = `assertion type "${type}"`;
  for (const key of Object.keys(raw)) {
    if (CHANGES_SEMANTICS.has(key)) return { ok: false, reason: `${label} with "${key}"` };
    if (!KNOWN_KEYS.has(key)) return { ok: false, reason: `${label} with unknown key "${key}"` };
  }
  const notes: string[] = [];
  const out: Record<string, unknown> = { type };
  if (raw.weight !== undefined) {
    if (typeof raw.weight !== 'number' || !(raw.weight >= 0))
      return { ok: false, reason: `${label} with weight ${JSON.stringify(raw.weight)} (expected a number ≥ 0)` };
    out.weight = raw.weight;
  }
  if (raw.metric !== undefined) notes.push(`"metric" names are not kept (Refinery reports per assertion type)`);
  const threshold = raw.threshold;
  if (threshold !== undefined && typeof threshold !== 'number')
    return { ok: false, reason: `${label} with a non-numeric threshold` };
  const value = raw.value;

  if (type === 'llm-rubric') {
    if (raw.provider !== undefined) notes.push('llm-rubric "provider" is not kept: the judge is chosen with --judge');
    const rubric = scalarText(value);
    if (rubric === undefined || fileRef(rubric) !== undefined)
      return { ok: false, reason: `${label} whose value is not inline text` };
    const mapped: Record<string, unknown> = { type: 'rubric', rubric };
    if (threshold !== undefined)
      mapped.threshold = Math.round(threshold * 10000) / 100; // promptfoo 0-1, Refinery 0-100
    else
      notes.push(
        "llm-rubric without a threshold passes at Refinery's rubric default (70 of 100), not the grader's verdict",
      );
    if (out.weight !== undefined) mapped.weight = out.weight;
    return { ok: true, assertion: mapped, notes };
  }
  if (raw.provider !== undefined) return { ok: false, reason: `${label} with "provider"` };

  if (type === 'javascript') {
    const body = scalarText(value);
    if (body === undefined) return { ok: false, reason: `${label} without a script` };
    const ref = fileRef(body);
    let script: string;
    if (ref === undefined) script = inlineScript(body, threshold);
    else {
      const [file, fn] = splitFunction(ref);
      const ext = extensionOf(file);
      if (ext !== '.js' && ext !== '.cjs')
        return { ok: false, reason: `${label} with a ${ext || 'extensionless'} file` };
      const source = files.text(file, `javascript assertion ${ref}`);
      if (/^\s*(export\s|import\s)/m.test(source))
        return { ok: false, reason: `${label} from an ES module (${ref}); use module.exports` };
      script = moduleScript(source, fn, threshold);
    }
    const mapped: Record<string, unknown> = { type: 'javascript', file: `promptfoo/${where}.cjs` };
    if (out.weight !== undefined) mapped.weight = out.weight;
    return { ok: true, assertion: mapped, script, notes };
  }
  if (threshold !== undefined && type !== 'latency')
    notes.push(`"threshold" on ${type} has no effect in promptfoo's check and is not kept`);

  if (SAME.has(type)) {
    const text = scalarText(value);
    if (text === undefined) return { ok: false, reason: `${label} with a non-text value` };
    if (fileRef(text) !== undefined) return { ok: false, reason: `${label} with a file:// value` };
    return { ok: true, assertion: { ...out, value: text }, notes };
  }
  if (SETS.has(type)) {
    const list = Array.isArray(value)
      ? value.map(scalarText)
      : typeof value === 'string'
        ? value.split(',').map((s) => s.trim())
        : [undefined];
    if (list.some((s) => s === undefined)) return { ok: false, reason: `${label} with a non-text value` };
    return { ok: true, assertion: { ...out, value: list }, notes };
  }
  if (type === 'is-json') {
    if (value === undefined || value === null || value === '') return { ok: true, assertion: out, notes };
    const schema = jsonSchema(value, files);
    if (!schema) return { ok: false, reason: `${label} whose value is not a JSON Schema object` };
    return { ok: true, assertion: { ...out, schema }, notes };
  }
  if (type === 'latency') {
    if (typeof threshold !== 'number') return { ok: false, reason: `${label} without a threshold in ms` };
    return { ok: true, assertion: { ...out, type: 'max-latency', value: threshold }, notes };
  }
  return { ok: false, reason: label };
}

/** `path.js:checkName` → the path and the exported function's name. */
function splitFunction(ref: string): [string, string | undefined] {
  const m = /^(.*\.[A-Za-z]+):([A-Za-z_$][\w$]*)$/.exec(ref);
  return m ? [m[1]!, m[2]] : [ref, undefined];
}

function jsonSchema(value: unknown, files: ConfigFiles): Record<string, unknown> | undefined {
  if (isRecord(value)) return value;
  if (typeof value !== 'string') return undefined;
  const ref = fileRef(value);
  const text = ref === undefined ? value : files.text(ref, `is-json schema ${ref}`);
  try {
    const parsed: unknown = parseYaml(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    throw new ImportError(`is-json schema ${ref ?? '(inline)'} is neither JSON nor YAML`);
  }
}
