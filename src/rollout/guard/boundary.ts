import { normalCdf } from './normal';

/**
 * One-sided always-valid boundary: a mixture sequential probability ratio test (mSPRT; Robbins 1970,
 * Johari et al. 2017 "Always valid inference") for "the canary's metric is higher than the control's".
 *
 * Model: at any look the estimated difference θ̂ = canary − control is approximately N(θ, V), and the
 * sequence of looks is a Gaussian process in the accumulated information 1/V (samples only ever
 * accumulate, so later estimates extend earlier ones). For a fixed θ the likelihood ratio against θ = 0
 * is exp(θθ̂/V − θ²/2V). Mixing θ over a half-normal prior (density 2·N(0, τ²) on θ > 0) gives
 *
 *   Λ⁺ = 2 · (1 + r)^(−1/2) · exp( r/(1 + r) · z²/2 ) · Φ( z · √(r/(1 + r)) ),   z = θ̂/√V,  r = τ²/V.
 *
 * Under H0 (θ ≤ 0) Λ⁺ is a non-negative supermartingale with mean ≤ 1 (for θ < 0 every component
 * ratio has mean exp(θ'θ/V) ≤ 1), so by Ville's inequality P(Λ⁺ ever reaches 1/α) ≤ α — no matter
 * how often or when we look. That is the property that lets the rollout evaluate every minute.
 * The half-normal (rather than full normal) prior spends all of α on the direction we alarm on,
 * which lowers the boundary by ~0.25 in z compared with the two-sided mSPRT at the same α.
 *
 * Λ⁺ is increasing in z, so "Λ⁺ ≥ 1/α" is the same as "z ≥ boundary(r, α)"; we report z and the
 * boundary because an alert reader can judge "z = 4.1 against 3.4" at a glance.
 */

/** ln Λ⁺ for standardized statistic z and information ratio r = τ²/V (see above). */
export function logMixtureRatio(z: number, r: number): number {
  if (!(r > 0)) return 0; // no information yet: the mixture is exactly 1
  const shrink = r / (1 + r);
  return Math.LN2 - 0.5 * Math.log1p(r) + (shrink * z * z) / 2 + Math.log(normalCdf(z * Math.sqrt(shrink)));
}

/**
 * Smallest z with Λ⁺ ≥ 1/α: the z-scale boundary at information ratio r. Infinity when r = 0
 * (nothing observed) — no statistic can cross it.
 */
export function mixtureBoundary(r: number, alpha: number): number {
  if (!(r > 0)) return Number.POSITIVE_INFINITY;
  const target = -Math.log(alpha);
  // Bracket by doubling: for tiny r the boundary grows like √(2·ln(1/α)/r).
  let lo = 0;
  let hi = 1;
  while (logMixtureRatio(hi, r) < target) {
    lo = hi;
    hi *= 2;
    if (hi > 1e8) return Number.POSITIVE_INFINITY;
  }
  // Bisection: Λ⁺ is monotone in z, and 60 halvings are far below any meaningful z resolution.
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (logMixtureRatio(mid, r) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}
