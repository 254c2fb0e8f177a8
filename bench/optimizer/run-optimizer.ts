import * as realEngine from '../../src/optimizer/engine';
import type { DatasetSplit, OptimizerSettings, OptimizerState } from '../../src/optimizer/types';
import { criticalPath } from './critical-path';
import { SimOps, type Latency } from './sim-ops';
import { candidateOf, rulesOf, trueRate, type World } from './world';

export interface OptimizerRun {
  picked: number[];
  state: OptimizerState;
  ops: SimOps;
  rounds: number;
  wallMs: number;
  criticalPathMs: number;
  /** Evaluations the critical path could not place in a proposal's chain (added in sequence). */
  unattributed: number;
  /** Per accepted child: its true pass rate and its parent's, on every case of the world and on the test split. */
  acceptances: { hash: string; round: number; summary: string; all: [number, number]; test: [number, number] }[];
}

/** The real engine driven to its stop over the simulated world, wall time and critical path measured. */
export async function runOptimizer(
  world: World,
  split: DatasetSplit,
  settings: OptimizerSettings,
  accuracy: number,
  maxEdits: number,
  latency?: Latency,
  // The real engine; a variant only to measure what a change to it would do (see sweep.ts).
  engine: Pick<typeof realEngine, 'startOptimizer' | 'optimizerRound' | 'stopReason' | 'bestOnValidation'> = realEngine,
): Promise<OptimizerRun> {
  const { bestOnValidation, optimizerRound, startOptimizer, stopReason } = engine;
  const ops = new SimOps(world, accuracy, maxEdits, latency);
  const phases: number[] = [0];
  const t0 = performance.now();
  let state = await startOptimizer(ops, candidateOf(world.original), split, settings);
  phases.push(ops.log.length);
  while (!state.stop) {
    const stop = stopReason(state, settings);
    if (stop) {
      state = { ...state, stop };
      break;
    }
    state = await optimizerRound(ops, state, split, settings);
    phases.push(ops.log.length);
  }
  const wallMs = performance.now() - t0;
  const path = criticalPath(ops.log, phases);
  const all = world.cases.map((c) => c.id);
  const byHash = new Map(state.accepted.map((a) => [a.ref.hash, a]));
  const acceptances = state.accepted.slice(1).map((a) => {
    const parent = byHash.get(a.parent!)!;
    const [child, from] = [rulesOf(a.ref), rulesOf(parent.ref)];
    return {
      hash: a.ref.hash,
      round: a.round,
      summary: a.summary,
      all: [trueRate(world, child, all), trueRate(world, from, all)] as [number, number],
      test: [trueRate(world, child, split.test), trueRate(world, from, split.test)] as [number, number],
    };
  });
  return {
    picked: rulesOf(bestOnValidation(state).ref),
    state,
    ops,
    rounds: phases.length - 2,
    wallMs,
    criticalPathMs: path.ms,
    unattributed: path.unattributed,
    acceptances,
  };
}
