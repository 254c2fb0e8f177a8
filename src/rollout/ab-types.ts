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
  /** Set only by continue-as-new: where the previous run of this A/B test left off. */
  carried?: AbCarried;
}

/** What one run of the A/B loop hands the next across continue-as-new (small: no rows, no verdict). */
export interface AbCarried {
  /** The store-clock time the test counts runs from (taken once, by abStart). */
  since: string;
  waitedMs: number;
  looks: number;
  samples: { a: number; b: number };
  /** Runs of this workflow id so far, this one excluded. */
  runs: number;
}

export interface AbStatus {
  abId: string;
  phase: 'running' | 'decided' | 'inconclusive' | 'stopped';
  samples: { a: number; b: number };
  verdict?: AbVerdict;
  /** Time waited and checks made since the test started, over every continued run. */
  waitedMs: number;
  looks: number;
  stoppedBy?: string;
  stopReason?: string;
}

/** `refinery ab stop`, as an update (CLI) or a signal (Web UI). */
export interface AbStopInput {
  by: string;
  reason?: string;
}
