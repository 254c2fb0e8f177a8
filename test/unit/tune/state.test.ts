import { uniformDimensions } from '../../../src/tune/scoring';
import {
  applyDecision,
  bestIteration,
  decisionProblem,
  initialTuneState,
  judgedScores,
  MAX_CONTINUE_ITERATIONS,
  scoredIterations,
  toStatus,
} from '../../../src/tune/state';
import type { DecisionInput, IterationRecord, Phase, TuneInput, TuneState } from '../../../src/tune/types';

const tuneInput: TuneInput = {
  runId: 'run-1',
  skills: [{ name: 'notes', dir: '/skills/notes', originalHash: 'h0' }],
  scenarioRef: 'scenario',
  settings: {
    threshold: 80,
    maxIterations: 5,
    maxConsecutiveErrors: 3,
    chain: false,
    dryRun: false,
    executor: { provider: 'offline', model: 'default' },
    judge: { provider: 'offline', model: 'default' },
    improver: { provider: 'offline', model: 'default' },
    decisionTimeoutMs: 1000,
    outputDir: '/out',
  },
  startedBy: 'tester',
};

const iter = (iteration: number, score: number | null): IterationRecord => ({
  iteration,
  snapshot: { notes: `h${iteration}` },
  score,
  dimensions: uniformDimensions(score ?? 0),
  perSkill: [],
  weaknessCategories: [],
  errors: score === null ? ['execute failed'] : [],
  tokens: 0,
  costUsd: 0,
});

function state(over: Partial<TuneState> = {}): TuneState {
  return { ...initialTuneState(tuneInput), ...over };
}

const awaiting = (over: Partial<TuneState> = {}) =>
  state({
    phase: 'awaiting-decision',
    iteration: 4,
    maxIterations: 5,
    consecutiveErrors: 2,
    iterations: [iter(1, 60), iter(2, null), iter(3, 70), iter(4, 71)],
    stall: {
      reason: 'recurring-weakness',
      detail: 'weakness "missing-examples" recurred in 4 iterations (limit 3)',
      since: 't0',
    },
    ...over,
  });

describe('initialTuneState', () => {
  test('starts at iteration 0 with the input settings', () => {
    const s = initialTuneState(tuneInput);
    expect(s).toMatchObject({
      phase: 'starting',
      iteration: 0,
      maxIterations: 5,
      current: { notes: 'h0' },
      consecutiveErrors: 0,
      windowStart: 0,
      runWeaknesses: { notes: [] },
      acknowledgedCategories: [],
      recurringChecked: false,
    });
  });
});

describe('decisionProblem', () => {
  test.each<Phase>(['starting', 'execute', 'evaluate', 'improve', 'completed', 'cancelled'])(
    'refused when the phase is %s',
    (phase) => {
      expect(decisionProblem(state({ phase }), { action: 'accept', by: 'ann' })).toBe(
        `the run is not awaiting a decision (phase: ${phase})`,
      );
    },
  );

  test.each<[string, DecisionInput, string | undefined]>([
    ['accept by someone', { action: 'accept', by: 'ann' }, undefined],
    ['rollback by someone', { action: 'rollback', by: 'ann' }, undefined],
    ['cancel by someone', { action: 'cancel', by: 'ann' }, undefined],
    ['continue 1', { action: 'continue', by: 'ann', iterations: 1 }, undefined],
    ['continue 50', { action: 'continue', by: 'ann', iterations: MAX_CONTINUE_ITERATIONS }, undefined],
    [
      'unknown action',
      { action: 'approve' as DecisionInput['action'], by: 'ann' },
      'unknown action "approve": use continue, accept, rollback or cancel',
    ],
    ['missing by', { action: 'accept', by: '' }, 'say who decides: --by <name>'],
    ['blank by', { action: 'accept', by: '   ' }, 'say who decides: --by <name>'],
    ['undefined by', { action: 'accept' } as DecisionInput, 'say who decides: --by <name>'],
    ['continue without iterations', { action: 'continue', by: 'ann' }, 'continue needs --iterations between 1 and 50'],
    ['continue 0', { action: 'continue', by: 'ann', iterations: 0 }, 'continue needs --iterations between 1 and 50'],
    ['continue 51', { action: 'continue', by: 'ann', iterations: 51 }, 'continue needs --iterations between 1 and 50'],
    ['continue -2', { action: 'continue', by: 'ann', iterations: -2 }, 'continue needs --iterations between 1 and 50'],
    [
      'continue 2.5',
      { action: 'continue', by: 'ann', iterations: 2.5 },
      'continue needs --iterations between 1 and 50',
    ],
    ['a 2000-character note is fine', { action: 'accept', by: 'ann', note: 'x'.repeat(2000) }, undefined],
    [
      'a 2001-character note is refused',
      { action: 'accept', by: 'ann', note: 'x'.repeat(2001) },
      'the note is over 2000 characters',
    ],
  ])('%s', (_name, d, expected) => {
    expect(decisionProblem(awaiting(), d)).toBe(expected);
  });

  test('the phase is checked before the action', () => {
    expect(decisionProblem(state({ phase: 'execute' }), { action: 'nope' as DecisionInput['action'], by: '' })).toMatch(
      /not awaiting a decision/,
    );
  });
});

describe('applyDecision', () => {
  test('continue extends the run from the current iteration and resets the error budget', () => {
    const s = awaiting({ termination: 'converged' });
    const goesOn = applyDecision(s, { action: 'continue', by: 'ann', iterations: 3 }, '2025-01-01T00:00:00Z');
    expect(goesOn).toBe(true);
    expect(s.maxIterations).toBe(7);
    expect(s.consecutiveErrors).toBe(0);
    expect(s.windowStart).toBe(3);
    expect(s.acknowledgedCategories).toEqual(['missing-examples']);
    expect(s.stall).toBeUndefined();
    expect(s.termination).toBeUndefined();
    expect(s.decisions).toEqual([
      {
        action: 'continue',
        by: 'ann',
        iterations: 3,
        reason: 'recurring-weakness',
        decidedAt: '2025-01-01T00:00:00Z',
      },
    ]);
    expect(s.decisions[0]!.timedOut).toBeUndefined();
  });

  test.each([
    [1, 10, 11],
    [5, 2, 7],
    [50, 8, 58],
  ])('continue %i from iteration %i gives maxIterations %i', (n, iteration, max) => {
    const s = awaiting({ iteration, maxIterations: 3 });
    applyDecision(s, { action: 'continue', by: 'ann', iterations: n }, 't');
    expect(s.maxIterations).toBe(max);
  });

  test('continue restarts the convergence window at the number of scored iterations', () => {
    const s = awaiting({
      iterations: [iter(1, 50), iter(2, null), iter(3, null), iter(4, 55), iter(5, 56), iter(6, 57)],
    });
    expect(scoredIterations(s)).toHaveLength(4);
    applyDecision(s, { action: 'continue', by: 'ann', iterations: 2 }, 't');
    expect(s.windowStart).toBe(4);
  });

  test('continue on a stall without a quoted category acknowledges nothing', () => {
    const s = awaiting({
      stall: {
        reason: 'converged-below-threshold',
        detail: 'scores converged at 71, below the threshold 80',
        since: 't0',
      },
      acknowledgedCategories: ['older'],
    });
    applyDecision(s, { action: 'continue', by: 'ann', iterations: 2 }, 't');
    expect(s.acknowledgedCategories).toEqual(['older']);
    expect(s.decisions[0]!.reason).toBe('converged-below-threshold');
  });

  test('continue keeps earlier acknowledgements and adds the new one', () => {
    const s = awaiting({ acknowledgedCategories: ['older'] });
    applyDecision(s, { action: 'continue', by: 'ann', iterations: 1 }, 't');
    expect(s.acknowledgedCategories).toEqual(['older', 'missing-examples']);
  });

  test.each<[DecisionInput['action'], string]>([
    ['accept', 'accepted'],
    ['rollback', 'rolled-back'],
    ['cancel', 'cancelled'],
  ])('%s ends the loop with termination %s', (action, termination) => {
    const s = awaiting();
    const goesOn = applyDecision(s, { action, by: 'bob', note: 'why' }, '2025-02-02T00:00:00Z');
    expect(goesOn).toBe(false);
    expect(s.termination).toBe(termination);
    expect(s.stall).toBeUndefined();
    expect(s.maxIterations).toBe(5);
    expect(s.consecutiveErrors).toBe(2);
    expect(s.acknowledgedCategories).toEqual([]);
    expect(s.decisions).toEqual([
      { action, by: 'bob', note: 'why', reason: 'recurring-weakness', decidedAt: '2025-02-02T00:00:00Z' },
    ]);
  });

  test.each<DecisionInput['action']>(['continue', 'accept', 'rollback', 'cancel'])(
    'a timeout ends the run as decision-timeout, whatever the action (%s)',
    (action) => {
      const s = awaiting({
        stall: { reason: 'error-budget', detail: 'three consecutive iterations failed', since: 't0' },
      });
      const goesOn = applyDecision(s, { action, by: 'system', iterations: 2 }, 't9', true);
      expect(goesOn).toBe(false);
      expect(s.termination).toBe('decision-timeout');
      expect(s.maxIterations).toBe(5);
      expect(s.consecutiveErrors).toBe(2);
      expect(s.stall).toBeUndefined();
      expect(s.decisions).toEqual([
        { action, by: 'system', iterations: 2, reason: 'error-budget', decidedAt: 't9', timedOut: true },
      ]);
    },
  );

  test('decisions accumulate in order', () => {
    const s = awaiting();
    applyDecision(s, { action: 'continue', by: 'ann', iterations: 1 }, 't1');
    s.stall = { reason: 'unresolved-recurring', detail: 'weakness "tone" is unresolved', since: 't2' };
    applyDecision(s, { action: 'accept', by: 'bob' }, 't3');
    expect(s.decisions.map((d) => [d.action, d.reason, d.decidedAt])).toEqual([
      ['continue', 'recurring-weakness', 't1'],
      ['accept', 'unresolved-recurring', 't3'],
    ]);
  });
});

describe('bestIteration', () => {
  test.each<[string, (number | null)[], number | undefined]>([
    ['no iterations', [], undefined],
    ['only failed iterations', [null, null], undefined],
    ['the highest score', [60, 75, 70], 2],
    ['the earliest of a tie', [60, 75, 75, 70], 2],
    ['null scores are ignored', [null, 40, null], 2],
    ['a later higher score wins', [60, 60, 61], 3],
    ['a zero score is still a score', [null, 0], 2],
  ])('%s', (_name, scores, expected) => {
    const s = state({ iterations: scores.map((score, i) => iter(i + 1, score)) });
    expect(bestIteration(s)?.iteration).toBe(expected);
  });

  test('returns the record with its score', () => {
    const s = state({ iterations: [iter(1, 60), iter(2, 82.5)] });
    expect(bestIteration(s)).toMatchObject({ iteration: 2, score: 82.5, snapshot: { notes: 'h2' } });
  });
});

describe('an iteration whose judge failed', () => {
  const failed = (iteration: number, score = 0): IterationRecord => ({
    ...iter(iteration, score),
    judgeFailure: { case: 'scenario', reason: 'judge refused' },
    errors: ['judge failed: judge refused'],
  });

  test('is never the best, even when it scores highest (golden assertions alone)', () => {
    const s = state({ iterations: [iter(1, 10), failed(2, 20), iter(3, 15)] });
    expect(bestIteration(s)?.iteration).toBe(3);
  });

  test('with every judge failed there is no best: the original stays', () => {
    expect(bestIteration(state({ iterations: [failed(1), failed(2)] }))).toBeUndefined();
  });

  test('is left out of the scores the termination rules read, as are iterations before the window', () => {
    const s = state({ iterations: [iter(1, 50), iter(2, 60), failed(3), iter(4, null), iter(5, 61)], windowStart: 1 });
    expect(judgedScores(s)).toEqual([60, 61]);
  });

  test('is counted in the status', () => {
    const s = state({
      iterations: [failed(1), { ...iter(2, 70), assertions: { passed: 1, total: 4, errored: 2 } }, failed(3)],
    });
    expect(toStatus(tuneInput, s)).toMatchObject({
      judgeFailures: 2,
      assertionErrors: 2,
      scores: [0, 70, 0],
      bestScore: 70,
    });
  });
});
