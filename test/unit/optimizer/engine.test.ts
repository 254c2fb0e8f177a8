import { bestOnValidation, optimizerRound, startOptimizer, stopReason } from '../../../src/optimizer/engine';
import { deriveSeed, seededRandom } from '../../../src/optimizer/random';
import type {
  CandidateRef,
  DatasetSplit,
  EvaluateRequest,
  OptimizerOps,
  OptimizerSettings,
  ProposeRequest,
} from '../../../src/optimizer/types';

const train = ['t1', 't2', 't3', 't4'];
const validation = Array.from({ length: 10 }, (_, i) => `v${i}`);
const split: DatasetSplit = { train, validation, test: [], heldOut: true, seed: 1 };
const settings: OptimizerSettings = {
  seed: 1,
  minibatchSize: 4,
  repeat: 1,
  alpha: 0.05,
  parallel: 1,
  maxRounds: 5,
  threshold: 101,
  patience: 3,
  budget: {},
};

/**
 * A world where each candidate's score per case (and sample) is a table; propose hands out the next child in a
 * script. Like the real store, a (candidate, case, sample) already scored costs nothing the second time.
 */
function world(scores: Record<string, (caseId: string, sample: number) => number>, children: string[]) {
  const calls: EvaluateRequest[] = [];
  const proposals: ProposeRequest[] = [];
  const stored = new Set<string>();
  const ops: OptimizerOps = {
    evaluate(req) {
      calls.push(req);
      let paid = 0;
      const mean = (id: string) => {
        let total = 0;
        for (let k = 0; k < req.samples; k++) {
          const key = `${req.candidate.hash}|${id}|${k}`;
          if (!stored.has(key)) {
            stored.add(key);
            paid++;
          }
          total += scores[req.candidate.hash]!(id, k);
        }
        return total / req.samples;
      };
      const s = Object.fromEntries(req.caseIds.map((id) => [id, mean(id)]));
      return Promise.resolve({
        scores: s,
        passed: Object.fromEntries(req.caseIds.map((id) => [id, s[id]! >= 1])),
        spent: { calls: paid, usd: paid / 100 },
        tokens: 0,
        failures: 0,
      });
    },
    propose(req) {
      proposals.push(req);
      const next = children.shift();
      if (!next) return Promise.resolve({ refused: 'no more ideas', spent: { calls: 1, usd: 0 } });
      return Promise.resolve({
        child: { hash: next, ref: next },
        summary: `make ${next}`,
        spent: { calls: 1, usd: 0 },
      });
    },
  };
  return { ops, calls, proposals };
}

const original: CandidateRef = { hash: 'orig', ref: 'orig' };

describe('the optimizer engine', () => {
  it('rejects a child that wins the minibatch but loses validation, and says why', async () => {
    const w = world(
      {
        orig: (id) => (id.startsWith('t') ? 0 : 0.6),
        overfit: (id) => (id.startsWith('t') ? 1 : 0.4), // perfect on training, worse held out
      },
      ['overfit'],
    );
    let state = await startOptimizer(w.ops, original, split, settings);
    state = await optimizerRound(w.ops, state, split, settings);
    expect(state.accepted.map((a) => a.ref.hash)).toEqual(['orig']);
    expect(state.lineage[0]).toMatchObject({ hash: 'overfit', status: 'rejected', minibatch: { child: 4, parent: 0 } });
    expect(state.lastRejection?.reason).toMatch(/won the minibatch but not validation/);
    // The parent's validation is read back (stored by the baseline), then the child's is bought.
    expect(w.calls.map((c) => [c.purpose, c.candidate.hash])).toEqual([
      ['baseline', 'orig'],
      ['minibatch', 'orig'],
      ['minibatch', 'overfit'],
      ['validation', 'orig'],
      ['validation', 'overfit'],
    ]);
  });

  it('accepts a child that beats its parent beyond noise on validation, and picks it', async () => {
    const w = world({ orig: () => 0, better: (id) => (id === 'v9' ? 0 : 1) }, ['better']);
    let state = await startOptimizer(w.ops, original, split, settings);
    state = await optimizerRound(w.ops, state, split, settings);
    expect(state.acceptances).toBe(1);
    expect(bestOnValidation(state).ref.hash).toBe('better');
    expect(state.lineage[0]!.test!.pValue).toBeLessThan(0.05);
    expect(state.spent.calls).toBe(10 + 4 + 1 + 4 + 10);
  });

  it('never validates a child that loses the minibatch screen', async () => {
    const w = world({ orig: () => 0.5, worse: () => 0.25 }, ['worse']);
    let state = await startOptimizer(w.ops, original, split, settings);
    state = await optimizerRound(w.ops, state, split, settings);
    expect(w.calls.filter((c) => c.purpose === 'validation')).toHaveLength(0);
    expect(state.lastRejection?.reason).toMatch(/lost the minibatch screen/);
  });

  it('stops cleanly when the budget cannot pay a validation, keeping the best accepted', async () => {
    const w = world({ orig: () => 0, better: () => 1 }, ['better']);
    const tight = { ...settings, budget: { calls: 22 } };
    let state = await startOptimizer(w.ops, original, split, tight);
    expect(stopReason(state, tight)).toBeUndefined();
    state = await optimizerRound(w.ops, state, split, tight);
    expect(state.stop).toBe('budget-spent');
    expect(stopReason(state, tight)).toBe('budget-spent');
    expect(state.spent.calls).toBeLessThanOrEqual(22);
    expect(bestOnValidation(state).ref.hash).toBe('orig');
  });

  it('ends converged after `patience` rounds without an acceptance, and at max rounds', async () => {
    const w = world({ orig: () => 0.5 }, []);
    let state = await startOptimizer(w.ops, original, split, settings);
    for (let i = 0; i < 3; i++) state = await optimizerRound(w.ops, state, split, settings);
    expect(stopReason(state, settings)).toBe('converged');
    expect(stopReason({ ...state, roundsWithoutAcceptance: 0, round: 5 }, settings)).toBe('max-iterations');
    expect(stopReason(state, { ...settings, threshold: 50 })).toBe('threshold-met');
  });

  it('runs parallel proposals from frontier parents and folds them in slot order', async () => {
    const w = world({ orig: () => 0, a: () => 1, b: () => 1 }, ['a', 'b']);
    let state = await startOptimizer(w.ops, original, split, { ...settings, parallel: 2 });
    state = await optimizerRound(w.ops, state, split, { ...settings, parallel: 2 });
    expect(w.proposals.map((p) => p.slot).sort()).toEqual([0, 1]);
    expect(state.accepted.map((a) => a.ref.hash).sort()).toEqual(['a', 'b', 'orig']);
    expect(state.proposals).toBe(2);
  });

  it('counts a proposal that failed for good against the error budget, not as a crash', async () => {
    const w = world({ orig: () => 0 }, []);
    w.ops.propose = () => Promise.reject(new Error('improver down'));
    let state = await startOptimizer(w.ops, original, split, settings);
    for (let i = 0; i < 3; i++) state = await optimizerRound(w.ops, state, split, settings);
    expect(stopReason(state, settings)).toBe('error-budget');
    expect(state.lastRejection?.reason).toMatch(/improver down/);
  });

  it('validates in stages: a child no better on the first sample of each case buys no more samples', async () => {
    const w = world({ orig: (id) => (id.startsWith('t') ? 0 : 0.5), lucky: (id) => (id.startsWith('t') ? 1 : 0.5) }, [
      'lucky',
    ]);
    const repeated = { ...settings, repeat: 3 };
    let state = await startOptimizer(w.ops, original, split, repeated);
    state = await optimizerRound(w.ops, state, split, repeated);
    const validations = w.calls.filter((c) => c.purpose === 'validation');
    expect(validations.map((c) => [c.candidate.hash, c.samples])).toEqual([
      ['orig', 1],
      ['lucky', 1],
    ]);
    expect(state.lastRejection?.reason).toMatch(/first sample of every validation case/);
  });

  it('parallel proposals reserve their cost before they start: the budget is never overspent', async () => {
    const w = world({ orig: () => 0, a: () => 1, b: () => 1 }, ['a', 'b']);
    // Baseline 10; one screen reserves 4 × 4 + 1 = 17 calls; a validation 10 more.
    const tight = { ...settings, parallel: 2, budget: { calls: 10 + 17 + 10 } };
    let state = await startOptimizer(w.ops, original, split, tight);
    state = await optimizerRound(w.ops, state, split, tight);
    expect(w.proposals).toHaveLength(1);
    expect(state.spent.calls).toBeLessThanOrEqual(37);
    expect(state.stop).toBe('budget-spent');
  });

  it('a slot the budget cannot fund adds nothing to the parent evaluation the funded slots share', async () => {
    const wide: DatasetSplit = { ...split, train: Array.from({ length: 8 }, (_, i) => `t${i}`) };
    const parentMinibatch = async (budget: OptimizerSettings['budget']) => {
      const w = world({ orig: () => 0, a: () => 1, b: () => 1 }, ['a', 'b']);
      const s = { ...settings, parallel: 2, budget };
      await optimizerRound(w.ops, await startOptimizer(w.ops, original, wide, s), wide, s);
      return w.calls.find((c) => c.purpose === 'minibatch' && c.candidate.hash === 'orig')!.caseIds;
    };
    // Funded, both slots' minibatches are evaluated together; with room for one screen only, just its own.
    expect((await parentMinibatch({})).length).toBeGreaterThan(4);
    expect(await parentMinibatch({ calls: 10 + 17 + 10 })).toHaveLength(4);
  });

  it('scores the original once per case, then buys more samples only where a child and its parent disagree', async () => {
    // The child passes every validation case on every sample; the original v0–v3 only: they disagree on v4–v9.
    const w = world(
      {
        orig: (id) => (id.startsWith('t') ? 0 : Number(id.slice(1)) < 4 ? 1 : 0),
        better: () => 1,
      },
      ['better'],
    );
    const repeated = { ...settings, repeat: 3 };
    let state = await startOptimizer(w.ops, original, split, repeated);
    expect(w.calls[0]).toMatchObject({ purpose: 'baseline', samples: 1 });
    expect(state.spent.calls).toBe(10);
    // What a full validation at 3 samples would cost, priced from the first: the end of the run holds it back.
    expect(state.validationCost.calls).toBe(30);
    state = await optimizerRound(w.ops, state, split, repeated);
    const extra = w.calls.filter((c) => c.purpose === 'validation' && c.samples === 3);
    expect(extra.map((c) => [c.candidate.hash, c.caseIds])).toEqual([
      ['better', ['v4', 'v5', 'v6', 'v7', 'v8', 'v9']],
      ['orig', ['v4', 'v5', 'v6', 'v7', 'v8', 'v9']],
    ]);
    // Baseline 10, parent and child on the minibatch 4 + 4, improver 1, the child's first samples 10, then 2 more
    // samples of 6 cases for each of the two.
    expect(state.spent.calls).toBe(10 + 4 + 1 + 4 + 10 + 2 * 2 * 6);
    expect(state.acceptances).toBe(1);
    expect(state.lineage[0]!.test).toMatchObject({ wins: 6, losses: 0 });
  });

  it('without held-out cases, repeats every case for the child and the parent alike', async () => {
    const all = [...train, ...validation];
    const noHoldout: DatasetSplit = { train: all, validation: all, test: [], heldOut: false, seed: 1 };
    const w = world({ orig: () => 0, better: (id) => (id === 'v9' ? 0 : 1) }, ['better']);
    const one = { ...settings, minibatchSize: 4 };
    let state = await startOptimizer(w.ops, original, noHoldout, one);
    state = await optimizerRound(w.ops, state, noHoldout, one);
    const extra = w.calls.filter((c) => c.purpose === 'validation' && c.samples > 1);
    expect(extra.map((c) => [c.candidate.hash, c.caseIds.length, c.samples])).toEqual([
      ['better', all.length, 3],
      ['orig', all.length, 3],
    ]);
    expect(state.acceptances).toBe(1);
  });

  it('accepts a child no better than its parent at most at the α rate, extra samples and all', async () => {
    // Child and parent pass each validation case with the same probability (0.2 to 0.8 by case), every sample an
    // independent seeded draw; the child always wins the minibatch, so every trial reaches the paired test.
    const trials = 300;
    let accepted = 0;
    let tested = 0;
    for (let trial = 0; trial < trials; trial++) {
      const verdict = (hash: number) => (id: string, sample: number) => {
        if (id.startsWith('t')) return hash;
        const p = 0.2 + 0.6 * (Number(id.slice(1)) / 9);
        return seededRandom(deriveSeed(trial, hash, Number(id.slice(1)), sample))() < p ? 1 : 0;
      };
      const w = world({ orig: verdict(0), same: verdict(1) }, ['same']);
      const repeated = { ...settings, seed: trial, repeat: 3 };
      let state = await startOptimizer(w.ops, original, split, repeated);
      state = await optimizerRound(w.ops, state, split, repeated);
      accepted += state.acceptances;
      if (state.lineage[0]?.test) tested++;
    }
    expect(tested).toBeGreaterThan(trials / 4);
    expect(accepted / trials).toBeLessThanOrEqual(settings.alpha);
  });
});
