import type { AbVerdict } from './ab';
import type { SignalName } from './guard';

/** The A/B test workflow's input and status. */
export interface AbInput {
  abId: string;
  name: string;
  variants: [number, number];
  /** Percent of units on each variant; they add up to 100. */
  split: [number, number];
  metric: SignalName;
  minSamples: number;
  checkIntervalMs: number;
  maxDurationMs: number;
}

export interface AbStatus {
  abId: string;
  phase: 'running' | 'decided' | 'inconclusive';
  samples: { a: number; b: number };
  verdict?: AbVerdict;
}
