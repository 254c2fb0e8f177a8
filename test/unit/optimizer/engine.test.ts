import { bestOnValidation, optimizerRound, startOptimizer, stopReason } from '../../../src/optimizer/engine';
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

/** A world where each candidate's score per case is a table; propose hands out the next child in a script. */
function world(scores: Record<string, (caseId: string) => number>, children: string[]) {
  const calls: EvaluateRequest[] = [];
  const proposals: ProposeRequest[] = [];
  const ops: OptimizerOps = {
    evaluate(req) {
      calls.push(req);
      const s = Object.fromEntries(req.caseIds.map((id) => [id, scores[req.candidate.hash]!(id)]));
      return Promise.resolve({
        scores: s,
        passed: Object.fromEntries(req.caseIds.map((id) => [id, s[id]! >= 1])),
        spent: { calls: req.caseIds.length, usd: req.caseIds.length / 100 },
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
    expect(w.calls.map((c) => c.purpose)).toEqual(['baseline', 'minibatch', 'minibatch', 'validation']);
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
    expect(validations.map((c) => c.samples)).toEqual([1]);
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
});
