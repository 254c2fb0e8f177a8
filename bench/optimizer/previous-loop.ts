import { applyEdits, weaknessEdits } from './improver';
import { keyedUniform } from './random';
import { candidateOf, sampleCase, type World } from './world';

export interface PreviousLoopResult {
  picked: number[];
  pickedScore: number;
  iterations: number;
  calls: number;
  /** Every judged version, in order: the judge's score (0..100) on the training cases. */
  versions: { rules: number[]; score: number }[];
}

/**
 * The previous loop (src/workflows/tune.ts) in the simulated world. Each iteration executes the current version on
 * every training case (1 executor call each), the judge scores it (1 judge call per case: the same accounting as
 * the optimizer's; verdicts flipped and scores noised at the world's rates; the iteration's score is the mean),
 * and the improver edits from the judge's weaknesses only (see weaknessEdit) with 1 call. Every edit is kept (no
 * acceptance test), nothing is stored across iterations (each iteration pays for its executions again), and the
 * final pick is the version with the best judge score on the training cases, first one on ties. It stops when
 * the budget cannot pay for another full iteration; the threshold, convergence and max-iteration rules are off so
 * it spends the same budget as the optimizer.
 */
export function previousLoop(
  world: World,
  train: readonly string[],
  budget: number,
  accuracy: number,
  maxEdits: number,
): PreviousLoopResult {
  const perIteration = 2 * train.length;
  const versions: PreviousLoopResult['versions'] = [];
  let current = world.original;
  let calls = 0;
  for (let iteration = 1; calls + perIteration <= budget; iteration++) {
    const candidate = candidateOf(current);
    const samples = train.map((id) => sampleCase(world, candidate, id, 0, `previous-${iteration}`));
    calls += perIteration;
    versions.push({ rules: current, score: (100 * samples.reduce((a, s) => a + s.score, 0)) / samples.length });
    // An edit no iteration would judge is not paid for.
    if (calls + 1 + perIteration > budget) break;
    const failedTags = new Map<string, number>();
    train.forEach((id, i) => {
      if (samples[i]!.passed) return;
      for (const tag of world.byId.get(id)!.tags) failedTags.set(tag, (failedTags.get(tag) ?? 0) + 1);
    });
    const draw = (name: string) => keyedUniform(world.seed, 'previous-improver', iteration, name);
    calls += 1;
    current = applyEdits(current, weaknessEdits(world, current, failedTags, accuracy, maxEdits, draw));
  }
  let best = versions[0]!;
  for (const v of versions) if (v.score > best.score) best = v;
  return { picked: best.rules, pickedScore: best.score, iterations: versions.length, calls, versions };
}
