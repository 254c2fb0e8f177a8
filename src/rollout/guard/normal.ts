/** Standard normal distribution helpers for the rollout guard: no dependencies. */

// Numerical Recipes' erfc Chebyshev fit: erfc(z) ≈ t·exp(−z² + P(t)), t = 1/(1 + z/2), P of degree 9.
const ERFC_POLY = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
  0.17087277,
];

/**
 * Complementary error function, fractional error < 1.2e-7 everywhere. Relative accuracy in the tail
 * matters: the guard works at z ≈ 3–4, where 1 − erf(x) from a cruder erf loses significant digits.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  let poly = 0;
  for (let i = ERFC_POLY.length - 1; i >= 0; i--) poly = poly * t + ERFC_POLY[i]!;
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/** Φ(z) = P(Z ≤ z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}
