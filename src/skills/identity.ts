import { parseDocument } from 'yaml';
import { SkillError } from './skill-error';

/**
 * A skill's identity is the `name` in its SKILL.md front matter, held to the Agent Skills specification
 * (agentskills.io/specification): 1-64 characters, lowercase letters, digits and hyphens, no hyphen at
 * either end nor two in a row, and the same as the skill's folder name; `description` is required,
 * non-empty, at most 1024 characters; `compatibility`, when given, at most 500.
 */
export type FrontMatterRule =
  | 'front-matter-missing'
  | 'front-matter-unclosed'
  | 'front-matter-yaml'
  | 'name-required'
  | 'name-length'
  | 'name-characters'
  | 'name-hyphen-ends'
  | 'name-consecutive-hyphens'
  | 'name-matches-folder'
  | 'description-required'
  | 'description-length'
  | 'compatibility-length';

export const NAME_MAX = 64;
export const DESCRIPTION_MAX = 1024;
export const COMPATIBILITY_MAX = 500;

export interface FrontMatterProblem {
  rule: FrontMatterRule;
  /** What is wrong and the fix, naming the rule. */
  message: string;
}

export interface FrontMatter {
  name?: string;
  description?: string;
  problems: FrontMatterProblem[];
}

const problem = (rule: FrontMatterRule, why: string, fix: string): FrontMatterProblem => ({
  rule,
  message: `SKILL.md front matter breaks the rule "${rule}" of the Agent Skills specification: ${why}; ${fix}`,
});

/** Reads and checks the front matter of a SKILL.md for a skill in the folder named `folder`. */
export function readFrontMatter(skillMd: string, folder: string): FrontMatter {
  const text = skillMd.replace(/^\ufeff/, '');
  const example = `start SKILL.md with\n---\nname: ${suggestName(folder)}\ndescription: What the skill does and when to use it.\n---`;
  if (!/^---\r?\n/.test(text))
    return {
      problems: [problem('front-matter-missing', 'SKILL.md does not start with a "---" front matter block', example)],
    };
  const end = /\r?\n---[ \t]*(\r?\n|$)/.exec(text.slice(3));
  if (!end)
    return {
      problems: [
        problem(
          'front-matter-unclosed',
          'the front matter has no closing "---" line',
          'close it with a line holding only "---"',
        ),
      ],
    };
  const doc = parseDocument(text.slice(3, 3 + end.index));
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.toJS())))
    return {
      problems: [
        problem(
          'front-matter-yaml',
          `the front matter is not a YAML mapping (${doc.errors[0]?.message.split('\n')[0] ?? 'expected key: value lines'})`,
          'write it as "key: value" lines; quote values that hold ": " or start with a special character',
        ),
      ],
    };
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  const problems: FrontMatterProblem[] = [];
  const name = typeof data.name === 'string' ? data.name : undefined;
  if (name === undefined || name.length === 0)
    problems.push(problem('name-required', 'the front matter has no "name"', `add "name: ${suggestName(folder)}"`));
  else {
    if (name.length > NAME_MAX)
      problems.push(
        problem('name-length', `the name is ${name.length} characters, over the limit of ${NAME_MAX}`, 'shorten it'),
      );
    if (!/^[a-z0-9-]+$/.test(name))
      problems.push(
        problem(
          'name-characters',
          `the name "${shown(name)}" may hold only lowercase letters, digits and hyphens`,
          `use e.g. "${suggestName(name)}"`,
        ),
      );
    if (name.startsWith('-') || name.endsWith('-'))
      problems.push(
        problem('name-hyphen-ends', `the name "${shown(name)}" starts or ends with a hyphen`, 'remove the hyphen'),
      );
    if (name.includes('--'))
      problems.push(
        problem(
          'name-consecutive-hyphens',
          `the name "${shown(name)}" holds two hyphens in a row`,
          'use a single hyphen between words',
        ),
      );
    if (name !== folder)
      problems.push(
        problem(
          'name-matches-folder',
          `the name "${shown(name)}" is not the folder's name "${shown(folder)}"`,
          `rename the folder to ${shown(name)} or set "name: ${suggestName(folder)}"`,
        ),
      );
  }
  const description = typeof data.description === 'string' ? data.description : undefined;
  if (description === undefined || description.trim().length === 0)
    problems.push(
      problem(
        'description-required',
        'the front matter has no non-empty "description"',
        'add "description: <what the skill does and when to use it>" (agents pick a skill by it)',
      ),
    );
  else if (description.length > DESCRIPTION_MAX)
    problems.push(
      problem(
        'description-length',
        `the description is ${description.length} characters, over the limit of ${DESCRIPTION_MAX}`,
        'shorten it; move details into the body of SKILL.md',
      ),
    );
  if (typeof data.compatibility === 'string' && data.compatibility.length > COMPATIBILITY_MAX)
    problems.push(
      problem(
        'compatibility-length',
        `compatibility is ${data.compatibility.length} characters, over the limit of ${COMPATIBILITY_MAX}`,
        'shorten it',
      ),
    );
  return { name, description, problems };
}

/**
 * The library item a skill folder is pushed as. Without `override`, the front matter's name, and any
 * problem refuses the push (every problem listed, then how to keep an existing item). With `override`
 * (--name), that name, and the problems become warnings: the way existing items, named after their folder
 * before front matter decided, keep receiving versions.
 */
export function skillIdentity(
  skillMd: string,
  folder: string,
  dirShown: string,
  override?: string,
): { name: string; description?: string; warnings: string[] } {
  const fm = readFrontMatter(skillMd, folder);
  if (override !== undefined) {
    const warnings = fm.problems.map((p) => p.message);
    if (fm.name !== undefined && fm.name !== override)
      warnings.unshift(`--name ${override} overrides the front matter's name "${shown(fm.name)}"`);
    return { name: override, description: fm.description, warnings };
  }
  if (fm.problems.length > 0 || fm.name === undefined)
    throw new SkillError(
      `${dirShown}: ${fm.problems.map((p) => p.message).join('\n')}\n` +
        `A skill is named by its front matter now. To keep adding versions to an existing item named after the folder, push with --name: refinery push ${dirShown} --name ${shown(folder)} --why "…"`,
    );
  return { name: fm.name, description: fm.description, warnings: [] };
}

function isMap(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A value as safe to print: control characters escaped, cut after 80 characters. */
// C0 controls, DEL and C1 controls: a terminal must not act on a name printed in a refusal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function shown(value: string): string {
  const escaped = value.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > 80 ? `${escaped.slice(0, 80)}…` : escaped;
}

/** A name the rules accept, derived from any text (a folder name, a bad name). */
function suggestName(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, NAME_MAX)
    .replace(/-$/, '');
  return s || 'my-skill';
}
