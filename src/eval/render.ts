import type { LibraryContent } from '../library/content';
import { renderFiles } from '../tune/role-prompts';
import { binaryListing } from '../skills/binary-files';

export type Vars = Record<string, string | number | boolean>;

/** Replaces {{name}} with the case's value; an unknown variable is left visible rather than blanked. */
export function fillTemplate(text: string, vars: Vars): string {
  return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (m, name: string) =>
    name in vars ? String(vars[name]) : m,
  );
}

/** A library version and a case's variables as one provider request (system + prompt). */
export function renderRequest(content: LibraryContent, vars: Vars): { system?: string; prompt: string } {
  if (content.type === 'text') return { prompt: fillTemplate(content.text, vars) };
  if (content.type === 'chat') {
    const system = content.messages.filter((m) => m.role === 'system').map((m) => fillTemplate(m.content, vars));
    const turns = content.messages.filter((m) => m.role !== 'system');
    // Earlier turns become a transcript; the provider interface takes one prompt.
    const prompt =
      turns.length === 1
        ? fillTemplate(turns[0]!.content, vars)
        : turns
            .map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${fillTemplate(m.content, vars)}`)
            .join('\n\n');
    return { system: system.length ? system.join('\n\n') : undefined, prompt };
  }
  const input = String(vars.input ?? Object.values(vars).join('\n'));
  // A skill with no files is the no-skill baseline (noSkillContent): the same request without the <skill> block.
  const skill =
    Object.keys(content.files).length > 0
      ? `<skill>\n${renderFiles(content.files)}${renderBinaries(content)}\n</skill>\n\n`
      : '';
  return {
    system: 'You carry out a skill exactly as its files instruct, on the given input, and return only the deliverable.',
    prompt: `${skill}<input>\n${input}\n</input>`,
  };
}

/**
 * Skill-creator's baseline: what a skill's cases ask with no skill at all. Rendered, it is the skill's request
 * without its <skill> block (same system prompt, same input), so a delta measures the skill and nothing else.
 */
export function noSkillContent(skill: LibraryContent): LibraryContent {
  if (skill.type !== 'skill')
    throw new Error(`the no-skill baseline is for skills, and this is a ${skill.type} prompt`);
  return { type: 'skill', files: {} };
}

/**
 * A skill's binary files as a model is shown them, after its text files: one `path (size, media type)` line
 * each, never their bytes. Empty for a skill without binary files.
 */
export function renderBinaries(content: Pick<Extract<LibraryContent, { type: 'skill' }>, 'binaries'>): string {
  const lines = binaryListing(content.binaries);
  return lines.length ? `\n<binary-files>\n${lines.join('\n')}\n</binary-files>` : '';
}
