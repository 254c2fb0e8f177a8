import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config';
import { detectVariables, promptContentSchema, type LibraryContent } from '../library/content';
import type { Actor } from '../library/label-store';
import { loadSkillFolder } from '../skills/load';
import { checkSkillFiles } from '../skills/path-policy';
import { writeNewFolder } from '../skills/safe-write';
import { SkillError } from '../skills/skill-error';
import { CliError } from './exit-codes';

/** Who the CLI acts as: REFINERY_USER (or --as), else the OS user; admin when listed in REFINERY_ADMINS. */
export function cliActor(config: Config, as?: string): Actor {
  const subject = as ?? config.identity.user ?? os.userInfo().username;
  return { subject, admin: config.identity.admins.includes(subject), ownerRole: true };
}

/**
 * Reads what `refinery push` sends: a folder is a skill; a .json file a chat prompt ({"messages": [...]})
 * or any library content; any other text file a text prompt with {{variables}} detected.
 */
export function readPushable(target: string): { name: string; content: LibraryContent } {
  const abs = path.resolve(target);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (!st) throw new CliError(`${target} does not exist: push a skill folder or a prompt file`);
  if (st.isDirectory()) {
    try {
      const skill = loadSkillFolder(abs);
      return { name: skill.name, content: { type: 'skill', files: skill.files } };
    } catch (err) {
      if (err instanceof SkillError) throw new CliError(err.message);
      throw err;
    }
  }
  const name = path.basename(abs).replace(/\.[^.]+$/, '');
  const text = fs.readFileSync(abs, 'utf8');
  if (abs.endsWith('.json')) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new CliError(
        `${target} is not valid JSON: a chat prompt is {"messages": [{"role": "system", "content": "…"}]}`,
      );
    }
    const candidate = raw && typeof raw === 'object' && !('type' in raw) ? { type: 'chat', ...raw } : raw;
    const parsed = promptContentSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CliError(`${target}: ${issue.path.join('.') || 'content'}: ${issue.message}`);
    }
    const content = parsed.data;
    if (content.type === 'chat' && content.variables.length === 0) {
      content.variables = detectVariables(content.messages.map((m) => m.content).join('\n'));
    }
    return { name, content };
  }
  if (!text.trim()) throw new CliError(`${target} is empty: a prompt needs text`);
  return { name, content: { type: 'text', text, variables: detectVariables(text) } };
}

/** A version's content as text lines, for `refinery diff` of prompts (skills diff per file). */
export function contentAsFiles(content: LibraryContent, name: string): Record<string, string> {
  if (content.type === 'skill') return content.files;
  if (content.type === 'text') return { [`${name}.md`]: content.text };
  return {
    [`${name}.json`]: JSON.stringify({ messages: content.messages, variables: content.variables }, null, 2) + '\n',
  };
}

/**
 * Writes a pulled version into a new or empty folder, all or nothing. Every name passes the path
 * policy first: a stored version may predate it or come from elsewhere, and a name like `../x` must
 * never land outside the folder.
 */
export function writePulled(dir: string, files: Record<string, string>): void {
  try {
    checkSkillFiles(files);
    writeNewFolder(path.resolve(dir), dir, files);
  } catch (err) {
    if (err instanceof SkillError) throw new CliError(err.message);
    throw err;
  }
}
