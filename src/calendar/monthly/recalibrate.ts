import { DEFAULT_ALERT_POLICY } from '../alerts/alert-rules';

/**
 * Monthly baseline recalibration (reference 001: "adjust thresholds where the false positive rate is
 * high"). The 30-day baselines themselves are learned afresh by every daily review; what a person
 * tunes, and what this recalibrates, is how far from the baseline a day must be to alert (warningZ,
 * criticalZ). The evidence is how alerts were closed over the last 30 days: every resolved alert is
 * either an action item or a documented false positive.
 *
 * - Only alerts resolved since the thresholds last changed count (by this or by a person): the ones
 *   before were raised under other thresholds and say nothing about these. So a re-run of the month
 *   does not widen twice on the same evidence.
 * - At least MIN_RESOLVED resolved alerts: below that, one misjudged alert moves the rate by a quarter.
 * - A false-positive share of WIDEN_AT or more widens both thresholds by one STEP. Each step at z ≈ 3.5
 *   cuts the one-sided noise rate about sevenfold while a real shift of several standard errors still
 *   alerts; one step a month means a single noisy month cannot blind monitoring, and the cap keeps a
 *   run of noisy months from doing so either.
 * - A share of NARROW_AT or less (the alerts were real) narrows a widened policy back by one step, never
 *   below the default: reference 001 warns that a baseline that drifts loose stops alerting on decay.
 * The gap between warning and critical is kept.
 */
export const RECALIBRATION = {
  minResolved: 4,
  widenAt: 0.5,
  narrowAt: 0.2,
  step: 0.5,
  maxWarningZ: DEFAULT_ALERT_POLICY.warningZ + 2,
  windowDays: 30,
} as const;

export interface Thresholds {
  warningZ: number;
  criticalZ: number;
}

export interface RecalibrationInput {
  name: string;
  resolved: number;
  falsePositives: number;
  current: Thresholds;
  /** Set when the thresholds changed inside the window: only alerts resolved since then were counted. */
  countedSince?: string;
}

export interface RecalibrationDecision {
  name: string;
  action: 'widen' | 'narrow' | 'keep';
  falsePositiveRate: number | null;
  resolved: number;
  from: Thresholds;
  to: Thresholds;
  reason: string;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function recalibrate(r: RecalibrationInput, defaults: Thresholds = DEFAULT_ALERT_POLICY): RecalibrationDecision {
  const rate = r.resolved > 0 ? r.falsePositives / r.resolved : null;
  const keep = (reason: string): RecalibrationDecision => ({
    name: r.name,
    action: 'keep',
    falsePositiveRate: rate === null ? null : round(rate),
    resolved: r.resolved,
    from: r.current,
    to: r.current,
    reason,
  });
  if (rate === null || r.resolved < RECALIBRATION.minResolved)
    return keep(
      `${r.resolved} resolved alert(s) ${
        r.countedSince
          ? `since the thresholds changed on ${r.countedSince.slice(0, 10)}`
          : `in ${RECALIBRATION.windowDays} days`
      }: too few to judge`,
    );
  const gap = r.current.criticalZ - r.current.warningZ;
  const pct = `${Math.round(rate * 100)}% of ${r.resolved} resolved alerts were false positives`;
  if (rate >= RECALIBRATION.widenAt) {
    const warningZ = Math.min(RECALIBRATION.maxWarningZ, round(r.current.warningZ + RECALIBRATION.step));
    if (warningZ <= r.current.warningZ) return keep(`${pct}, but warningZ is at its cap ${RECALIBRATION.maxWarningZ}`);
    return {
      ...keep(''),
      action: 'widen',
      to: { warningZ, criticalZ: round(warningZ + gap) },
      reason: `${pct} (≥ ${RECALIBRATION.widenAt * 100}%): widened one step`,
    };
  }
  if (rate <= RECALIBRATION.narrowAt && r.current.warningZ > defaults.warningZ) {
    const warningZ = Math.max(defaults.warningZ, round(r.current.warningZ - RECALIBRATION.step));
    const criticalZ = Math.max(defaults.criticalZ, round(warningZ + gap));
    return {
      ...keep(''),
      action: 'narrow',
      to: { warningZ, criticalZ },
      reason: `${pct} (≤ ${RECALIBRATION.narrowAt * 100}%): narrowed one step back towards the default`,
    };
  }
  return keep(pct);
}
