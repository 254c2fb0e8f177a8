import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config';
import { contentAsFiles, detectVariables, promptContentSchema, type LibraryContent } from '../library/content';

export { contentAsFiles };
import type { Actor } from '../library/label-store';
import { skillIdentity } from '../skills/identity';
import { loadSkillFolder } from '../skills/load';
import { fileAt } from '../skills/files';
import { writeNewFolder } from '../skills/safe-write';
import { SkillError } from '../skills/skill-error';
import { treeOfContent, type SkillTree } from '../skills/tree';
import { checkSkillTree } from '../skills/write-back';
import { CliError } from './exit-codes';

/** Who the CLI acts as: REFINERY_USER (or --as), else the OS user; admin when listed in REFINERY_ADMINS. */
export function cliActor(config: Config, as?: string): Actor {
  const subject = as ?? config.identity.user ?? os.userInfo().username;
  return { subject, admin: config.identity.admins.includes(subject), ownerRole: true };
}

export interface Pushable {
  name: string;
  content: LibraryContent;
  /** A skill's binary files by blob hash: stored (or uploaded) before the version that names them. */
  blobs: Map<string, Buffer>;
  /** What the push should print before going on (a --name that overrides the front matter). */
  warnings: string[];
  /** A skill's front-matter description: the new item's description unless --description says otherwise. */
  description?: string;
}

/**
 * Reads what `refinery push` sends: a folder is a skill, named by its front matter (or --name, with a
 * warning); a .json file a chat prompt ({"messages": [...]}) or any library content; any other text file a
 * text prompt with {{variables}} detected, named after the file (or --name).
 */
export function readPushable(target: string, nameOverride?: string): Pushable {
  const abs = path.resolve(target);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (!st) throw new CliError(`${target} does not exist: push a skill folder or a prompt file`);
  if (st.isDirectory()) {
    try {
      const skill = loadSkillFolder(abs);
      const id = skillIdentity(fileAt(skill.files, 'SKILL.md') ?? '', skill.name, target, nameOverride);
      return {
        name: id.name,
        content: skill.content,
        blobs: skill.blobs,
        warnings: id.warnings,
        description: id.description,
      };
    } catch (err) {
      if (err instanceof SkillError) throw new CliError(err.message);
      throw err;
    }
  }
  const found = readPrompt(abs, target);
  return { name: nameOverride ?? found.name, content: found.content, blobs: new Map(), warnings: [] };
}

function readPrompt(abs: string, target: string): { name: string; content: LibraryContent } {
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

/**
 * A pulled version as files: a skill's exact bytes and executable bits (binary files fetched by blob hash),
 * a prompt's one file.
 */
export async function pulledTree(
  content: LibraryContent,
  name: string,
  bytesOf: (blob: string) => Promise<Buffer>,
): Promise<SkillTree> {
  if (content.type === 'skill') return treeOfContent(content, bytesOf);
  return new Map(
    Object.entries(contentAsFiles(content, name)).map(([p, t]) => [p, { bytes: Buffer.from(t), executable: false }]),
  );
}

/**
 * Writes a pulled version into a new or empty folder, all or nothing. Every name passes the path
 * policy first: a stored version may predate it or come from elsewhere, and a name like `../x` must
 * never land outside the folder.
 */
export function writePulled(dir: string, files: SkillTree): void {
  try {
    checkSkillTree(files);
    writeNewFolder(path.resolve(dir), dir, files);
  } catch (err) {
    if (err instanceof SkillError) throw new CliError(err.message);
    throw err;
  }
}
