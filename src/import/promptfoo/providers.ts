import { parseModelChoice } from '../../tune/model-choice';

/**
 * promptfoo provider ids as `--model` values, where Refinery speaks to the same provider:
 * `anthropic:messages:<m>` and `anthropic:<m>`, `google:<m>` and `vertex:<m>` (Gemini). Undefined otherwise.
 */
export function modelFor(provider: unknown): string | undefined {
  const id =
    typeof provider === 'string'
      ? provider
      : provider && typeof provider === 'object' && typeof (provider as { id?: unknown }).id === 'string'
        ? (provider as { id: string }).id
        : undefined;
  if (!id) return undefined;
  const m = /^(anthropic|google|vertex|openai)(?::(?:messages|chat))?:(.+)$/.exec(id);
  if (!m) return undefined;
  const model = `${m[1] === 'google' || m[1] === 'vertex' ? 'gemini' : m[1]}:${m[2]}`;
  try {
    parseModelChoice(model, '--model'); // only providers this build of Refinery has
    return model;
  } catch {
    return undefined;
  }
}

/** The config's providers as a list (promptfoo accepts one string, a list, or a map). */
export function providerList(raw: unknown): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'object') return Object.keys(raw).map((id) => ({ id }));
  return [raw];
}

export function providerName(p: unknown): string {
  if (typeof p === 'string') return p;
  const id = p && typeof p === 'object' ? (p as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : JSON.stringify(p).slice(0, 60);
}
