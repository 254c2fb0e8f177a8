import { bestReachable } from '../../../bench/optimizer/best-reachable';
import { criticalPath } from '../../../bench/optimizer/critical-path';
import { reflectiveEdits } from '../../../bench/optimizer/improver';
import { previousLoop } from '../../../bench/optimizer/previous-loop';
import { SimOps } from '../../../bench/optimizer/sim-ops';
import { splitDataset } from '../../../src/optimizer/split';
import {
  candidateOf,
  DEFAULT_WORLD,
  makeWorld,
  sampleCase,
  truePass,
  trueRate,
  type WorldCase,
} from '../../../bench/optimizer/world';

/** The optimizer benchmark's simulated world must behave as its result file states, or its numbers mean nothing. */
describe('the optimizer benchmark world', () => {
  const world = makeWorld(7);
  const c = world.cases.find((x) => x.harmedBy.length > 0 && x.needs.length >= 2)!;
  const withNeeds = new Set(c.needs);

  test('a case passes with its stated true probability: needs met, harmed, missing, distracted', () => {
    expect(truePass(world, withNeeds, c)).toBeCloseTo(DEFAULT_WORLD.pass);
    expect(truePass(world, new Set([...c.needs, ...c.harmedBy]), c)).toBeCloseTo(DEFAULT_WORLD.passHarmed);
    expect(truePass(world, new Set(c.needs.slice(1)), c)).toBeCloseTo(DEFAULT_WORLD.passMissing);
    const extra = [...Array(world.ruleCount).keys()].filter((r) => !c.needs.includes(r) && !c.harmedBy.includes(r));
    expect(truePass(world, new Set([...c.needs, ...extra.slice(0, 2)]), c)).toBeCloseTo(
      DEFAULT_WORLD.pass - 2 * DEFAULT_WORLD.distraction,
    );
  });

  test('over many samples the executor passes at the true rate and the judge flips and noises at the stated rates', () => {
    const n = 20_000;
    const candidate = candidateOf(c.needs);
    let truePassed = 0;
    let flipped = 0;
    let noise = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const s = sampleCase(world, candidate, c.id, i);
      if (s.truePassed) truePassed++;
      if (s.passed !== s.truePassed) flipped++;
      const off = Math.abs(s.score - (s.passed ? 1 : 0));
      worst = Math.max(worst, off);
      noise += off;
    }
    expect(worst).toBeLessThanOrEqual(DEFAULT_WORLD.scoreNoise + 1e-12);
    expect(worst).toBeGreaterThan(0.09);
    // Binomial standard errors at n = 20,000 are about 0.002 and 0.0025: 0.01 is four of them and more.
    expect(Math.abs(truePassed / n - DEFAULT_WORLD.pass)).toBeLessThan(0.01);
    expect(Math.abs(flipped / n - DEFAULT_WORLD.judgeFlip)).toBeLessThan(0.01);
    // Uniform ±0.1 noise clipped at 0 and 1: half of it is clipped away, so the mean offset is about 0.025.
    expect(noise / n).toBeGreaterThan(0.015);
    expect(noise / n).toBeLessThan(0.035);
  });

  test('the same (candidate, case, sample) always draws the same outcome', () => {
    const candidate = candidateOf(world.original);
    expect(sampleCase(world, candidate, c.id, 3)).toEqual(sampleCase(world, candidate, c.id, 3));
  });

  test('the simulated ops pay 1 executor + 1 judge call per (case, sample) and never twice', async () => {
    const ops = new SimOps(world, 0.5, 3);
    const req = {
      candidate: candidateOf(world.original),
      caseIds: world.cases.slice(0, 5).map((x) => x.id),
      samples: 2,
      purpose: 'validation' as const,
    };
    const first = await ops.evaluate(req);
    expect(first.spent.calls).toBe(20);
    expect(ops.calls).toEqual({ executor: 10, judge: 10, improver: 0 });
    const again = await ops.evaluate({ ...req, caseIds: world.cases.slice(0, 6).map((x) => x.id) });
    expect(again.spent.calls).toBe(4);
    expect(again.scores).toMatchObject(first.scores);
  });

  test('the improver fixes a shown failure with the stated probability, otherwise edits wrongly', () => {
    const failing: WorldCase[] = [c];
    const rules = world.original.filter((r) => !c.needs.includes(r));
    let informed = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const edits = reflectiveEdits(world, rules, failing, 0.5, 1, (name) => hashUniform(`${i}:${name}`));
      expect(edits).toHaveLength(1);
      if (edits[0]!.kind === 'informed') {
        informed++;
        expect(c.needs).toContain(edits[0]!.rule);
        expect(edits[0]!.op).toBe('add');
      }
    }
    expect(Math.abs(informed / n - 0.5)).toBeLessThan(0.04);
  });

  test('the best reachable rule set is at least as good as the original and every single-rule change of it', () => {
    const split = splitDataset(world.cases, { seed: 7, validationShare: 0.25, testShare: 0.25, minCasesForSplit: 20 });
    const best = bestReachable(world, split.test);
    expect(best.rate).toBeCloseTo(trueRate(world, best.rules, split.test));
    expect(best.rate).toBeGreaterThanOrEqual(trueRate(world, world.original, split.test));
    for (let r = 0; r < world.ruleCount; r++) {
      const flipped = best.rules.includes(r) ? best.rules.filter((x) => x !== r) : [...best.rules, r];
      expect(trueRate(world, flipped, split.test)).toBeLessThanOrEqual(best.rate + 1e-12);
    }
  });

  test('the split is a stratified partition and the previous loop stays within its budget', () => {
    const split = splitDataset(world.cases, { seed: 3, validationShare: 0.25, testShare: 0.25, minCasesForSplit: 20 });
    const all = [...split.train, ...split.validation, ...split.test].sort();
    expect(all).toEqual(world.cases.map((x) => x.id).sort());
    for (const tag of DEFAULT_WORLD.tags)
      expect(split.validation.filter((id) => id.startsWith(tag)).length).toBeGreaterThan(0);
    const prev = previousLoop(world, split.train, 200, 0.5, 3);
    expect(prev.calls).toBeLessThanOrEqual(200);
    expect(prev.iterations).toBe(Math.floor((200 + 1) / (2 * split.train.length + 1)));
  });
});

/** A deterministic uniform draw per name, independent of the world's own draws. */
function hashUniform(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
}

describe('the optimizer benchmark critical path', () => {
  test('a round is as long as its longest proposal chain, a shared parent evaluation counted in each, after the baseline', () => {
    const ev = (
      candidate: string,
      caseIds: string[],
      latencyMs: number,
      purpose: 'baseline' | 'minibatch' | 'validation',
    ) => ({ op: 'evaluate', purpose, candidate, caseIds, latencyMs }) as const;
    const log = [
      ev('orig', ['v1', 'v2'], 50, 'baseline'),
      // Round 1: both proposals drew the original; its minibatch evaluation covers both minibatches.
      ev('orig', ['a', 'b', 'c', 'd'], 40, 'minibatch'),
      { op: 'propose' as const, candidate: 'orig', caseIds: ['a', 'b'], latencyMs: 30, slot: 0, child: 'x' },
      { op: 'propose' as const, candidate: 'orig', caseIds: ['c', 'd'], latencyMs: 10, slot: 1, child: 'y' },
      ev('x', ['a', 'b'], 35, 'minibatch'),
      ev('y', ['c', 'd'], 45, 'minibatch'),
      ev('y', ['v1', 'v2'], 60, 'validation'),
    ];
    // Baseline 50; then slot 0: 40 + 30 + 35 = 105, slot 1: 40 + 10 + 45 + 60 = 155.
    expect(criticalPath(log, [0, 1, log.length])).toEqual({ ms: 50 + 155, unattributed: 0 });
  });
});
