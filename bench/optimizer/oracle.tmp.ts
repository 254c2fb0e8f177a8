import { optionsFromEnv } from '../optimizer';
import { splitDataset } from '../../src/optimizer/split';
import * as engine from '../../src/optimizer/engine';
import { SimOps } from './sim-ops';
import { candidateOf, makeWorld, rulesOf, trueRate } from './world';
import { median } from '../stats';
async function main() {
  const o = optionsFromEnv();
  const budget = Number(process.env.B ?? 200);
  const free = process.env.FREE === '1';
  const out: number[] = [];
  for (let seed = 1; seed <= o.seeds; seed++) {
    const world = makeWorld(seed, o.world);
    const split = splitDataset(world.cases, { seed, ...o.split });
    const settings = { seed, ...o.engine, budget: { calls: budget } };
    const sim = new SimOps(world, o.accuracy, o.maxEdits);
    const all = world.cases.map((c) => c.id);
    const ops = {
      evaluate: async (req: any) => {
        if (req.purpose === 'validation' || req.purpose === 'baseline') {
          const r = await sim.evaluate(req);
          const t = trueRate(world, rulesOf(req.candidate), all);
          const scores = Object.fromEntries(req.caseIds.map((id: string) => [id, t]));
          return { ...r, scores, spent: free ? { calls: 0, usd: 0 } : r.spent };
        }
        return sim.evaluate(req);
      },
      propose: (req: any) => sim.propose(req),
    };
    let state = await engine.startOptimizer(ops as any, candidateOf(world.original), split, settings);
    while (!state.stop) {
      const stop = engine.stopReason(state, settings);
      if (stop) break;
      state = await engine.optimizerRound(ops as any, state, split, settings);
    }
    out.push(trueRate(world, rulesOf(engine.bestOnValidation(state).ref), split.test) * 100);
  }
  console.log('oracle', budget, 'free', free, 'median', median(out).toFixed(1), 'mean', (out.reduce((a, b) => a + b) / out.length).toFixed(1));
}
main();
