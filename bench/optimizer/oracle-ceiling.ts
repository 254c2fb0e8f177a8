import * as realEngine from '../../src/optimizer/engine';
import type { DatasetSplit, OptimizerOps, OptimizerSettings } from '../../src/optimizer/types';
import { SimOps } from './sim-ops';
import { candidateOf, rulesOf, trueRate, truePass, type World } from './world';

/**
 * A ceiling for the method, not a method: the real engine with the same proposals, minibatch screens and budget,
 * but its validation replaced by an oracle that costs nothing and knows each candidate's true pass rate over every
 * case of the world (each validation case scores that rate, so the paired test accepts exactly the truly better
 * children and the pick is the truly best). What the optimizer's proposals could reach if acceptance were free and
 * exact: the gap to it is what evidence costs; the gap from it to the goal is the proposals' and the screens'.
 *
 * With `screens: 'exact'` the minibatch screens know the truth too (each minibatch case scores its true pass
 * probability; the improver is still shown the failures the sampled run saw): the proposals' own ceiling, what the
 * improver's children could reach under any screen and any acceptance test at this budget.
 */
export async function oracleCeiling(
  world: World,
  split: DatasetSplit,
  settings: OptimizerSettings,
  accuracy: number,
  maxEdits: number,
  screens: 'sampled' | 'exact' = 'sampled',
  // The real engine; a variant only to measure what a change to it would do (see sweep.ts).
  engine: Pick<typeof realEngine, 'startOptimizer' | 'optimizerRound' | 'stopReason' | 'bestOnValidation'> = realEngine,
): Promise<number[]> {
  const sim = new SimOps(world, accuracy, maxEdits);
  const all = world.cases.map((c) => c.id);
  const ops: OptimizerOps = {
    evaluate: async (req) => {
      if (req.purpose === 'minibatch' && screens === 'exact') {
        // Paid and sampled as in the run (the improver reads these failures), scored by the truth.
        const sampled = await sim.evaluate(req);
        const rules = new Set(rulesOf(req.candidate));
        const scores = Object.fromEntries(req.caseIds.map((id) => [id, truePass(world, rules, world.byId.get(id)!)]));
        return { ...sampled, scores };
      }
      if (req.purpose !== 'validation' && req.purpose !== 'baseline') return sim.evaluate(req);
      const rate = trueRate(world, rulesOf(req.candidate), all);
      const scores = Object.fromEntries(req.caseIds.map((id) => [id, rate]));
      const passed = Object.fromEntries(req.caseIds.map((id) => [id, false]));
      return { scores, passed, spent: { calls: 0, usd: 0 }, tokens: 0, failures: 0 };
    },
    propose: (req) => sim.propose(req),
  };
  let state = await engine.startOptimizer(ops, candidateOf(world.original), split, settings);
  for (;;) {
    if (engine.stopReason(state, settings)) break;
    state = await engine.optimizerRound(ops, state, split, settings);
  }
  return rulesOf(engine.bestOnValidation(state).ref);
}
