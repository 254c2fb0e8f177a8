import type { LibraryContent } from '../library/content';
import { renderFiles } from '../tune/prompts';

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
  return {
    system: 'You carry out a skill exactly as its files instruct, on the given input, and return only the deliverable.',
    prompt: `<skill>\n${renderFiles(content.files)}\n</skill>\n\n<input>\n${input}\n</input>`,
  };
}
