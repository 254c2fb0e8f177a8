import { parse } from 'yaml';
import type { LibraryContent } from '../library/content';
import { readFrontMatter } from '../skills/identity';
import { triggerAssertionOf } from '../skills/trigger';

/**
 * What a proposal may change. `files`: any text document (a skill's binary files never). `description`: only the
 * `description` of SKILL.md's front matter, the one thing an agent sees before it loads a skill, so a dataset of
 * trigger cases tunes it alone (skill-creator's description loop).
 */
export type EditScope = 'files' | 'description';

/** A dataset made of trigger cases only tunes a skill's description; any other case needs the whole folder. */
export function editScopeOf(cases: readonly { assertions: readonly unknown[] }[]): EditScope {
  return cases.length > 0 && cases.every((c) => triggerAssertionOf(c.assertions)) ? 'description' : 'files';
}

const FRONT_MATTER = /^\ufeff?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** SKILL.md's front matter without its description (key order kept) and the body after it. */
function withoutDescription(md: string): { rest: string; body: string } | undefined {
  const m = FRONT_MATTER.exec(md);
  if (!m) return undefined;
  let data: unknown;
  try {
    data = parse(m[1]!);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const { description: _description, ...rest } = data as Record<string, unknown>;
  return { rest: JSON.stringify(rest), body: md.slice(m[0].length) };
}

/**
 * Why a child breaks the `description` scope, or undefined when it changed nothing but a valid description: every
 * other file, the body of SKILL.md and every other front-matter field stay as the parent has them.
 */
export function descriptionOnlyProblem(
  parent: LibraryContent,
  child: LibraryContent,
  name: string,
): string | undefined {
  if (parent.type !== 'skill' || child.type !== 'skill') return 'a description tune edits a skill';
  const paths = new Set([...Object.keys(parent.files), ...Object.keys(child.files)]);
  const others = [...paths].filter((p) => p !== 'SKILL.md' && parent.files[p] !== child.files[p]);
  const scope = "a description tune (trigger cases only) may change only the description in SKILL.md's front matter";
  if (others.length) return `${scope}, and this proposal changes ${others.slice(0, 5).join(', ')}`;
  const before = withoutDescription(parent.files['SKILL.md'] ?? '');
  const after = withoutDescription(child.files['SKILL.md'] ?? '');
  if (!before || !after) return `${scope}, and this proposal leaves SKILL.md without a readable front matter`;
  if (before.body !== after.body) return `${scope}, and this proposal changes the body of SKILL.md`;
  if (before.rest !== after.rest) return `${scope}, and this proposal changes another front-matter field`;
  const problem = readFrontMatter(child.files['SKILL.md']!, name).problems.find((p) =>
    p.rule.startsWith('description'),
  );
  return problem?.message;
}
