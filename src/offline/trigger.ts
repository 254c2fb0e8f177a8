import { parseTriggerPrompt } from '../skills/trigger';

const STOP = new Set(['this', 'that', 'with', 'when', 'from', 'into', 'your', 'what', 'have', 'will', 'them', 'they']);
const words = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length >= 4 && !STOP.has(w)),
  );

/**
 * The offline provider's answer to a trigger request: it loads the skill whose description shares the most words
 * (of four letters or more) with the request, when it shares at least one. Deterministic and crude, so `npm start`
 * shows the mechanism: a description naming the words users ask with gets loaded.
 */
export function offlineTrigger(prompt: string): { load: string[] } {
  const { skills, query } = parseTriggerPrompt(prompt);
  const asked = words(query);
  let best: { name: string; shared: number } | undefined;
  for (const s of skills) {
    const shared = [...words(s.description)].filter((w) => asked.has(w)).length;
    if (shared > 0 && (!best || shared > best.shared)) best = { name: s.name, shared };
  }
  return { load: best ? [best.name] : [] };
}
