import { addSample, emptyStats, type ArmCounts } from '../../../src/rollout/guard';

/** Seeded randomness and simulated arms for the guard tests: deterministic across runs and machines. */

/** mulberry32: a tiny 32-bit PRNG, plenty for simulations of a few hundred thousand draws. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box–Muller; 1 − u keeps the log away from 0). */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export function lognormal(rand: () => number, median: number, sigma: number): number {
  return median * Math.exp(sigma * gaussian(rand));
}

/** Per-run behaviour of one arm. Latency and tokens are log-normal, as they are in production. */
export interface ArmModel {
  errorRate: number;
  formatJudgedRate: number;
  formatFailureRate: number;
  voteRate: number;
  thumbsDownRate: number;
  correctionRate: number;
  latencyMedianMs: number;
  latencySigma: number;
  tokensMedian: number;
  tokensSigma: number;
}

export const HEALTHY: ArmModel = {
  errorRate: 0.02,
  formatJudgedRate: 0.9,
  formatFailureRate: 0.05,
  voteRate: 0.6,
  thumbsDownRate: 0.1,
  correctionRate: 0.08,
  latencyMedianMs: 900,
  latencySigma: 0.6,
  tokensMedian: 450,
  tokensSigma: 0.35,
};

export function emptyArm(): ArmCounts {
  return {
    runs: 0,
    errors: 0,
    formatJudged: 0,
    formatFailed: 0,
    thumbsUp: 0,
    thumbsDown: 0,
    correctedOrRegenerated: 0,
    latency: emptyStats(),
    tokens: emptyStats(),
  };
}

/** Adds `runs` simulated runs to an arm in place (arms accumulate over a bake, like the real store). */
export function addRuns(arm: ArmCounts, model: ArmModel, runs: number, rand: () => number): void {
  for (let i = 0; i < runs; i++) {
    arm.runs++;
    if (rand() < model.errorRate) arm.errors++;
    if (rand() < model.formatJudgedRate) {
      arm.formatJudged++;
      if (rand() < model.formatFailureRate) arm.formatFailed++;
    }
    if (rand() < model.voteRate) {
      if (rand() < model.thumbsDownRate) arm.thumbsDown++;
      else arm.thumbsUp++;
    }
    if (rand() < model.correctionRate) arm.correctedOrRegenerated++;
    addSample(arm.latency, lognormal(rand, model.latencyMedianMs, model.latencySigma));
    addSample(arm.tokens, Math.round(lognormal(rand, model.tokensMedian, model.tokensSigma)));
  }
}

/** Adds `votes` thumbs votes only (the power simulation counts samples in votes). */
export function addVotes(arm: ArmCounts, downRate: number, votes: number, rand: () => number): void {
  for (let i = 0; i < votes; i++) {
    arm.runs++;
    if (rand() < downRate) arm.thumbsDown++;
    else arm.thumbsUp++;
  }
}
