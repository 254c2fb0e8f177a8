/**
 * The quarterly dataset refresh review (reference 001): does a golden dataset still look like what
 * production sends? Three measures over the inputs, each with a reason it exists:
 *
 * - Jensen–Shannon divergence of the word distributions (base 2, 0 = same, 1 = disjoint): the overall
 *   vocabulary moved. It is symmetric and bounded, so one threshold fits every prompt; but on small
 *   samples it reads high even without a shift, so it is judged with the other two.
 * - Median input length, production against dataset: users now send much longer or shorter inputs
 *   (pasted documents, one-word queries) that the dataset never exercises.
 * - Coverage: the share of production inputs with no dataset input sharing at least FAR_SIMILARITY of
 *   their words (Jaccard). It answers the owner's question directly — how much of today's traffic has
 *   nothing like it in the golden set.
 *
 * Numbers become `#` and common English function words are dropped, so order numbers and grammar do
 * not count as novelty.
 */

export interface ShiftSettings {
  /** Fewer production inputs than this in the quarter: too little evidence to judge (not flagged). */
  minProductionInputs: number;
  /** A production input is "far" when its best Jaccard similarity to any dataset input is below this. */
  farSimilarity: number;
  /** Flag when at least this share of production inputs is far from every dataset input. */
  farShareLimit: number;
  /** Flag when the divergence is at least this (and the inputs are not merely few). */
  divergenceLimit: number;
  /** Flag when the production median length is this many times the dataset's, or 1/this. */
  lengthRatioLimit: number;
}

// A quarter of the traffic uncovered is what the dataset refresh review exists to catch; below that,
// new phrasings of known intents dominate. The divergence bar sits above what two samples of the
// same distribution reach at these sizes (see test/calendar/quarterly/dataset-refresh.test.ts).
export const DEFAULT_SHIFT_SETTINGS: ShiftSettings = {
  minProductionInputs: 20,
  farSimilarity: 0.2,
  farShareLimit: 0.25,
  divergenceLimit: 0.6,
  lengthRatioLimit: 2,
};

export type ShiftStatus = 'refresh' | 'ok' | 'insufficient';

export interface ShiftVerdict {
  status: ShiftStatus;
  datasetInputs: number;
  productionInputs: number;
  /** Jensen–Shannon divergence of the word distributions, 0..1. */
  divergence: number;
  medianWords: { dataset: number; production: number };
  /** Production median over dataset median (1 = same). */
  lengthRatio: number;
  /** Share of production inputs far from every dataset input, 0..1. */
  farShare: number;
  /** Why it is flagged (empty unless status is refresh). */
  reasons: string[];
}

const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on ' +
    'or our please so than that the their them then there these they this to was we were what when where which ' +
    'who why will with you your'
  ).split(' '),
);

/** Lowercase words of two or more characters, numbers as `#`, function words dropped. */
export function inputTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = /^\p{N}+$/u.test(m[0]) ? '#' : m[0];
    if (w !== '#' && (w.length < 2 || STOP_WORDS.has(w))) continue;
    out.push(w);
  }
  return out;
}

/** Jensen–Shannon divergence (base 2) between two count tables; 0 when either is empty. */
export function jensenShannon(a: Map<string, number>, b: Map<string, number>): number {
  const total = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);
  const ta = total(a);
  const tb = total(b);
  if (ta === 0 || tb === 0) return 0;
  let js = 0;
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const p = (a.get(key) ?? 0) / ta;
    const q = (b.get(key) ?? 0) / tb;
    const m = (p + q) / 2;
    if (p > 0) js += 0.5 * p * Math.log2(p / m);
    if (q > 0) js += 0.5 * q * Math.log2(q / m);
  }
  return Math.min(1, Math.max(0, js));
}

function counts(docs: string[][]): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of docs) for (const w of d) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter);
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The verdict for one dataset against one quarter of production inputs. */
export function datasetShift(
  datasetInputs: string[],
  productionInputs: string[],
  settings: ShiftSettings = DEFAULT_SHIFT_SETTINGS,
): ShiftVerdict {
  const dsDocs = datasetInputs.map(inputTokens);
  const prodDocs = productionInputs.map(inputTokens);
  const medianWords = {
    dataset: median(dsDocs.map((d) => d.length)),
    production: median(prodDocs.map((d) => d.length)),
  };
  const lengthRatio = medianWords.dataset > 0 ? medianWords.production / medianWords.dataset : 1;
  const divergence = jensenShannon(counts(dsDocs), counts(prodDocs));
  const dsSets = dsDocs.map((d) => new Set(d));
  const far = prodDocs.filter((d) => {
    const words = new Set(d);
    return !dsSets.some((s) => jaccard(words, s) >= settings.farSimilarity);
  }).length;
  const farShare = prodDocs.length ? far / prodDocs.length : 0;
  const base = {
    datasetInputs: datasetInputs.length,
    productionInputs: productionInputs.length,
    divergence: round(divergence),
    medianWords,
    lengthRatio: round(lengthRatio, 2),
    farShare: round(farShare),
  };
  if (productionInputs.length < settings.minProductionInputs || datasetInputs.length === 0)
    return { status: 'insufficient', ...base, reasons: [] };

  const reasons: string[] = [];
  if (farShare >= settings.farShareLimit)
    reasons.push(
      `${Math.round(farShare * 100)}% of production inputs have no similar dataset input (limit ${Math.round(settings.farShareLimit * 100)}%)`,
    );
  if (divergence >= settings.divergenceLimit)
    reasons.push(`word distributions diverge (JS ${round(divergence, 2)} ≥ ${settings.divergenceLimit})`);
  if (lengthRatio >= settings.lengthRatioLimit || (lengthRatio > 0 && lengthRatio <= 1 / settings.lengthRatioLimit))
    reasons.push(
      `median input length moved from ${medianWords.dataset} to ${medianWords.production} words (×${round(lengthRatio, 2)})`,
    );
  return { status: reasons.length ? 'refresh' : 'ok', ...base, reasons };
}
