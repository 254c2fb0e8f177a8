/**
 * What the acceptance test can see with a given validation split, known before anything is spent.
 *
 * The paired sign-flip test (paired-test.ts) over n validation cases gives a child that wins k of them and loses
 * none a p-value of at least 2^-k: the all-wins sign pattern is one of 2^k equally likely ones under "no
 * difference". So whatever the scores, a change is accepted only if it wins at least `minWins` cases outright.
 * With few validation cases that is a large share of them, and a change that fixes fewer cases than that can never
 * be told from noise: the run spends its budget and keeps the original. The optimizer benchmark shows it (its
 * typical good child fixes 5–10 % of the cases; 5 of 19 validation cases is 26 %), so the projection says it up
 * front, with what would change it.
 */
export interface AcceptanceEvidence {
  validationCases: number;
  alpha: number;
  /** The fewest validation cases a change must win, losing none, to reach p < alpha. */
  minWins: number;
  /** minWins as a share of the validation cases (above 1: nothing can ever be accepted). */
  minShare: number;
  warning?: string;
}

/**
 * Above this share, only a change that fixes more than a quarter of the cases could ever be accepted: most real
 * prompt changes fix fewer, so the run is told it will likely keep the original.
 */
export const LARGE_CHANGES_ONLY_SHARE = 0.25;
/** The share the advice aims at: a change that fixes one case in ten can be accepted. */
const ADVISED_SHARE = 0.1;

/** The fewest clean wins whose best p-value, 2^-k, is below alpha. */
export function minCleanWins(alpha: number): number {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha ${alpha} must be in (0, 1]`);
  let k = 0;
  while (2 ** -k >= alpha) k++;
  return k;
}

/**
 * The evidence the acceptance test needs with `validationCases` cases at `alpha`, and a warning when only large
 * changes (or none) can pass. `validationShare` is the share of a dataset a split gives validation, to say how
 * many cases the dataset would need (a dataset that large is always split).
 */
export function acceptanceEvidence(
  validationCases: number,
  alpha: number,
  validationShare: number,
): AcceptanceEvidence {
  const minWins = minCleanWins(alpha);
  // No validation cases at all: every win is missing (a split never gives none; kept finite for JSON).
  const minShare = minWins / Math.max(validationCases, 1);
  const base = { validationCases, alpha, minWins, minShare: Math.round(minShare * 1000) / 1000 };
  const advisedValidation = Math.ceil(minWins / ADVISED_SHARE);
  const advisedDataset = Math.ceil(advisedValidation / Math.max(validationShare, 1e-9));
  const fix =
    `add cases to the dataset (about ${advisedDataset} cases give ${advisedValidation} validation cases, where a change ` +
    `that wins one in ten can pass), or raise --alpha`;
  if (minWins > validationCases)
    return {
      ...base,
      warning:
        `no change can ever be accepted: the paired test at alpha ${alpha} needs at least ${minWins} validation cases ` +
        `won and none lost, and validation has ${validationCases}; ${fix}`,
    };
  if (minShare > LARGE_CHANGES_ONLY_SHARE)
    return {
      ...base,
      warning:
        `only large changes can be accepted: with ${validationCases} validation cases a change must win at least ` +
        `${minWins} of them (${Math.round(minShare * 100)} %) and lose none to pass the paired test at alpha ${alpha}; ` +
        `smaller improvements cannot be told from noise and the run keeps the original. To see them, ${fix}`,
    };
  return base;
}
