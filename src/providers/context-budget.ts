import { contextWindowFor } from './context-windows';
import { ProviderError } from './errors';
import type { ProviderName } from './types';

/** Rough tokens for text: about four characters a token (the estimate the cost estimator uses too). */
const roughTokens = (text: string) => Math.ceil(text.length / 4);

/** A prompt refused before any call because it cannot fit the model's context window; never retried. */
export class ContextBudgetError extends ProviderError {
  constructor(
    provider: ProviderName,
    message: string,
    /** The files named as pushing the prompt over, largest first. */
    readonly files: string[],
  ) {
    super({ provider, kind: 'bad_request', message, retryable: false });
  }
}

export interface ContextCheck {
  provider: ProviderName;
  model: string;
  /** What the prompt is for, as a person reads it: "the executor prompt of skill report". */
  what: string;
  /** Every text the call sends (system, prompt, tool definitions, earlier turns). */
  text: string;
  /** Output tokens the call reserves: they share the window with the input. */
  maxOutputTokens: number;
  /** Files whose content is inside `text`, by path: named when they push the prompt over. */
  files?: Readonly<Record<string, string>>;
}

/**
 * Refuses a prompt that does not fit the model's context window, naming the files that push it over (the
 * fewest, largest first, whose removal would make it fit). Refinery never truncates a prompt to make it fit:
 * a cut skill would be graded as if it were whole.
 */
export function checkContextBudget(c: ContextCheck): void {
  const window = contextWindowFor(c.provider, c.model);
  const needed = roughTokens(c.text) + c.maxOutputTokens;
  if (needed <= window) return;
  const over = needed - window;
  const bySize = Object.entries(c.files ?? {})
    // Only files whose text is in this prompt can push it over (a caller may pass a whole folder).
    .filter(([, content]) => content.length > 0 && c.text.includes(content))
    .map(([path, content]) => ({ path, tokens: roughTokens(content) }))
    .sort((a, b) => b.tokens - a.tokens || a.path.localeCompare(b.path));
  const culprits: typeof bySize = [];
  let freed = 0;
  for (const f of bySize) {
    if (freed >= over) break;
    culprits.push(f);
    freed += f.tokens;
  }
  const head =
    `${c.what} needs about ${needed.toLocaleString('en-US')} tokens ` +
    `(${c.maxOutputTokens.toLocaleString('en-US')} of them reserved for the answer), ` +
    `over ${c.model}'s context window of ${window.toLocaleString('en-US')}; nothing was sent.`;
  const named =
    culprits.length > 0 && freed >= over
      ? ` The files that push it over: ${culprits.map((f) => `${f.path} (~${f.tokens.toLocaleString('en-US')} tokens)`).join(', ')}.` +
        ' Run the skill with --execution agent, so the model reads only the files it needs, or split or shorten those files.'
      : ' The prompt is too long even without its files: shorten the input or choose a model with a larger window.';
  throw new ContextBudgetError(
    c.provider,
    head + named,
    culprits.map((f) => f.path),
  );
}
