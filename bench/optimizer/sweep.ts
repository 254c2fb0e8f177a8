import fs from 'node:fs';
import path from 'node:path';
import { OPTIMIZER_BENCH, optimizerBench, type OptimizerBenchOptions } from '../optimizer';

/**
 * `npx tsx bench/optimizer/sweep.ts`: the optimizer benchmark's decisions (no timers) with one setting changed at a
 * time from the benchmark's, to see which settings the goals depend on. Writes bench/results/optimizer-sweep.json.
 */
type Variant = { name: string; change: (o: OptimizerBenchOptions) => OptimizerBenchOptions };

const engine = (patch: Partial<OptimizerBenchOptions['engine']>) => (o: OptimizerBenchOptions) => ({
  ...o,
  engine: { ...o.engine, ...patch },
});
const split = (patch: Partial<OptimizerBenchOptions['split']>) => (o: OptimizerBenchOptions) => ({
  ...o,
  split: { ...o.split, ...patch },
});

const VARIANTS: Variant[] = [
  { name: 'bench settings', change: (o) => o },
  ...[1, 2].map((repeat) => ({ name: `repeat ${repeat}`, change: engine({ repeat }) })),
  ...[0.1, 0.2].map((alpha) => ({ name: `alpha ${alpha}`, change: engine({ alpha }) })),
  { name: 'repeat 1, alpha 0.2', change: engine({ repeat: 1, alpha: 0.2 }) },
  ...[2, 8].map((minibatchSize) => ({ name: `minibatch ${minibatchSize}`, change: engine({ minibatchSize }) })),
  ...[1, 4].map((parallel) => ({ name: `parallel ${parallel}`, change: engine({ parallel }) })),
  { name: 'validation 25 %, test 25 %', change: split({ validationShare: 0.25, testShare: 0.25 }) },
  { name: 'validation 60 %, test 20 %', change: split({ validationShare: 0.6, testShare: 0.2 }) },
  ...[0.3, 0.7].map((accuracy) => ({
    name: `improver accuracy ${accuracy}`,
    change: (o: OptimizerBenchOptions) => ({ ...o, accuracy }),
  })),
  ...(process.env.BENCH_SWEEP_EXTRA
    ? (JSON.parse(process.env.BENCH_SWEEP_EXTRA) as {
        name: string;
        engine?: object;
        split?: object;
        world?: object;
        accuracy?: number;
      }[])
    : []
  ).map((x) => ({
    name: x.name,
    change: (o: OptimizerBenchOptions) => ({
      ...o,
      accuracy: x.accuracy ?? o.accuracy,
      engine: { ...o.engine, ...x.engine },
      split: { ...o.split, ...x.split },
      world: { ...o.world, ...x.world },
    }),
  })),
];

async function main(): Promise<void> {
  const only = process.env.BENCH_SWEEP_ONLY?.split('|');
  const table = [];
  for (const v of VARIANTS) {
    if (only && !only.includes(v.name)) continue;
    // BENCH_SWEEP_ENGINE=<module path>: a modified copy of the engine, to measure a proposed change.
    const impl = process.env.BENCH_SWEEP_ENGINE
      ? { name: process.env.BENCH_SWEEP_ENGINE, impl: (await import(process.env.BENCH_SWEEP_ENGINE)) as never }
      : undefined;
    const result = await optimizerBench({ ...v.change(OPTIMIZER_BENCH), timed: false, engineVariant: impl });
    for (const s of result.summary) {
      const row = {
        variant: v.name,
        budget: s.budget,
        previous: s.trueTestPassRate.previous,
        optimizer: s.trueTestPassRate.optimizer,
        best: s.trueTestPassRate.bestReachable.median,
        // What any acceptance method could reach with these proposals (free, exact acceptance; and exact screens too).
        oracleCeiling: s.trueTestPassRate.oracleCeiling.median,
        proposalCeiling: s.trueTestPassRate.proposalCeiling.median,
        diff: s.optimizerMinusPrevious,
        acceptances: s.acceptances,
        loweredShare: s.loweredShare,
      };
      table.push(row);
      console.log(
        `${v.name.padEnd(30)} ${s.budget}: optimizer ${row.optimizer.median}/${row.optimizer.mean} previous ${row.previous.median}/${row.previous.mean} diff ${row.diff.median}/${row.diff.mean} ceilings ${row.oracleCeiling}/${row.proposalCeiling} accepted ${row.acceptances} lowered ${row.loweredShare}`,
      );
    }
  }
  const file = path.resolve(__dirname, '..', 'results', process.env.BENCH_SWEEP_OUT ?? 'optimizer-sweep.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ when: new Date().toISOString(), base: OPTIMIZER_BENCH, table }, null, 2) + '\n',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
