/** Shapes of the rollout guard's inputs and verdicts (re-exported from ./index). */
import type { SampleStats } from './sample-stats';

/** What one arm (control or canary) has accumulated so far in the current rollout step. */
export interface ArmCounts {
  runs: number;
  errors: number;
  /** Runs that received a format verdict; formatFailed ⊆ formatJudged. */
  formatJudged: number;
  formatFailed: number;
  thumbsUp: number;
  thumbsDown: number;
  correctedOrRegenerated: number;
  /** Latency of the runs that recorded one (ms), as a mergeable summary: stored aggregates add up. */
  latency: SampleStats;
  /** Input + output tokens of the runs that recorded any. */
  tokens: SampleStats;
}

export type SignalName =
  'error-rate' | 'format-failure-rate' | 'thumbs-down-rate' | 'correction-rate' | 'p95-latency' | 'tokens-per-call';

export interface GuardPolicy {
  /** Overall false-alarm rate across all signals and all looks (default 0.05). */
  alpha: number;
  /** Per arm per signal: runs, format verdicts, votes or latency/token samples (default 100). */
  minSamples: number;
  /** Practical-significance floor: canary must be at least this much worse, relatively (0.2 = 20%). */
  minRelativeIncrease: number;
  /** …and, for the rate signals, at least this much worse in absolute rate (0.01 = 1 point). */
  minAbsoluteIncrease: number;
  /** Signals to evaluate (default: all six). α is split evenly across them. */
  signals?: SignalName[];
}

export interface SignalVerdict {
  signal: SignalName;
  /** Observed metric: a rate in 0..1, the p95 latency in ms, or the mean tokens per call (NaN without samples). */
  control: number;
  canary: number;
  samples: { control: number; canary: number };
  enoughSamples: boolean;
  breach: boolean;
  /** Standardized difference z (positive = canary worse). */
  statistic: number;
  /** Always-valid z boundary at this look (Infinity before any samples; JSON turns that into null). */
  threshold: number;
  detail: string;
}

export interface GuardVerdict {
  breach: boolean;
  signals: SignalVerdict[];
  /** One paragraph for the report/alert naming the breached signals with numbers. */
  evidence: string;
}
