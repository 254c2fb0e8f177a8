/** USD per million tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Some models charge more for every token of a call once its prompt exceeds a size. */
  longContext?: { aboveInputTokens: number; inputPerMTok: number; outputPerMTok: number };
}

// List prices from the vendors' pricing pages (late 2025). Keys are model families; dated snapshots
// (claude-sonnet-4-5-20250929) and release suffixes (gemini-2.5-flash-preview-09-2025) resolve to them, but a
// new version (say claude-sonnet-4-7) does not: it gets UNKNOWN_MODEL_PRICE until someone adds its real price here.
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4-0': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-sonnet-4-5': {
    inputPerMTok: 3,
    outputPerMTok: 15,
    longContext: { aboveInputTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5 },
  },
  'claude-sonnet-4-6': {
    inputPerMTok: 3,
    outputPerMTok: 15,
    longContext: { aboveInputTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5 },
  },
  'claude-sonnet-4': {
    inputPerMTok: 3,
    outputPerMTok: 15,
    longContext: { aboveInputTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5 },
  },
  'claude-sonnet-4-0': {
    inputPerMTok: 3,
    outputPerMTok: 15,
    longContext: { aboveInputTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5 },
  },
  'claude-3-7-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'claude-3-5-haiku': { inputPerMTok: 0.8, outputPerMTok: 4 },
  'claude-3-haiku': { inputPerMTok: 0.25, outputPerMTok: 1.25 },
  'gemini-3-pro-preview': {
    inputPerMTok: 2,
    outputPerMTok: 12,
    longContext: { aboveInputTokens: 200_000, inputPerMTok: 4, outputPerMTok: 18 },
  },
  'gemini-2.5-pro': {
    inputPerMTok: 1.25,
    outputPerMTok: 10,
    longContext: { aboveInputTokens: 200_000, inputPerMTok: 2.5, outputPerMTok: 15 },
  },
  'gemini-2.5-flash': { inputPerMTok: 0.3, outputPerMTok: 2.5 },
  'gemini-2.5-flash-lite': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gemini-2.0-flash': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gemini-2.0-flash-lite': { inputPerMTok: 0.075, outputPerMTok: 0.3 },
  // OpenAI standard tier; o-series and gpt-5 bill their hidden reasoning as output, already in completion_tokens.
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  o3: { inputPerMTok: 2, outputPerMTok: 8 },
  'o3-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
};

/**
 * Price assumed for a model missing from the table: the most expensive entry (Opus 4/4.1 list price), so an
 * unknown or mistyped model over-reports spend and trips budgets early instead of running up a bill unseen.
 */
export const UNKNOWN_MODEL_PRICE: ModelPrice = { inputPerMTok: 15, outputPerMTok: 75 };

// What may follow a family name in a snapshot of the same model: a date (20250929, OpenAI's 2024-08-06), a build
// number (001), or a preview/experimental tag (preview-09-2025, exp-03-25).
const RELEASE_SUFFIX = /^(\d{8}|\d{4}-\d{2}-\d{2}|\d{3}|(preview|exp)(-[a-z0-9-]+)?)$/;

export interface PriceLookup {
  price: ModelPrice;
  /** The table key that matched, or undefined when UNKNOWN_MODEL_PRICE was used. */
  matched: string | undefined;
}

export function priceForModel(model: string): PriceLookup {
  const name = normalizeModelName(model);
  const exact = MODEL_PRICES[name];
  if (exact) return { price: exact, matched: name };
  let best: string | undefined;
  for (const key of Object.keys(MODEL_PRICES)) {
    const isRelease = name.startsWith(`${key}-`) && RELEASE_SUFFIX.test(name.slice(key.length + 1));
    if (isRelease && (best === undefined || key.length > best.length)) best = key;
  }
  const price = best === undefined ? undefined : MODEL_PRICES[best];
  return price ? { price, matched: best } : { price: UNKNOWN_MODEL_PRICE, matched: undefined };
}

export function estimateCostUsd(model: string, inputTokens: number, outputTokens: number): number {
  const { price } = priceForModel(model);
  const tier = price.longContext && inputTokens > price.longContext.aboveInputTokens ? price.longContext : price;
  const usd = (inputTokens * tier.inputPerMTok + outputTokens * tier.outputPerMTok) / 1_000_000;
  // Rounded to a nano-dollar so sums of many calls do not accumulate floating-point noise in reports.
  return Math.round(usd * 1e9) / 1e9;
}

/**
 * What the providers' batch APIs charge relative to list price: 50 % of standard input and output prices on
 * the Anthropic Message Batches API, the Gemini Batch API and the OpenAI Batch API (their pricing pages and batch
 * guides, late 2025). One factor for all, since the discounts are the same today; split it if they diverge.
 */
export const BATCH_PRICE_FACTOR = 0.5;

/** Cost of one request answered through a provider batch: the list price (long-context tier included) at the batch discount. */
export function estimateBatchCostUsd(model: string, inputTokens: number, outputTokens: number): number {
  return Math.round(estimateCostUsd(model, inputTokens, outputTokens) * BATCH_PRICE_FACTOR * 1e9) / 1e9;
}

/** `models/gemini-2.5-pro`, `claude-sonnet-4-5@20250929` (Vertex style) and `-latest` aliases map to the family. */
function normalizeModelName(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^models\//, '')
    .replace(/@\d{8}$/, '')
    .replace(/-latest$/, '');
}
