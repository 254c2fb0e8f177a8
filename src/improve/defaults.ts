/** Defaults of `refinery improve`: a review gets three days, an approver a week, the check a day. */
export const IMPROVE_DEFAULTS = {
  reviewTimeoutMs: 3 * 86_400_000,
  approvalTimeoutMs: 7 * 86_400_000,
  checkWindowMs: 86_400_000,
  checkMinSamples: 50,
} as const;
