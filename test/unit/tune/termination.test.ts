import { CONVERGENCE_POINTS, shouldTerminate, type TerminationInput } from '../../../src/tune/termination';

const base: TerminationInput = {
  scores: [],
  iteration: 1,
  maxIterations: 5,
  threshold: 80,
  consecutiveErrors: 0,
  maxConsecutiveErrors: 3,
};
const run = (over: Partial<TerminationInput>) => shouldTerminate({ ...base, ...over });

describe('shouldTerminate', () => {
  test('convergence is measured in points of gain over the last three scores', () => {
    expect(CONVERGENCE_POINTS).toBe(2);
  });

  test.each<[string, Partial<TerminationInput>, string | false]>([
    ['no scores yet', { scores: [], iteration: 1 }, false],
    ['one score below threshold', { scores: [60], iteration: 1 }, false],
    ['latest score above threshold', { scores: [60, 85], iteration: 2 }, 'threshold-met'],
    ['latest score equal to threshold', { scores: [60, 80], iteration: 2 }, 'threshold-met'],
    ['latest just under threshold', { scores: [60, 79.9], iteration: 2 }, false],
    ['an earlier score met the threshold but the latest did not', { scores: [85, 70], iteration: 2 }, false],
    ['iteration reaches max', { scores: [50, 60], iteration: 5, maxIterations: 5 }, 'max-iterations'],
    ['iteration beyond max', { scores: [50], iteration: 7, maxIterations: 5 }, 'max-iterations'],
    ['max iterations with no scores at all', { scores: [], iteration: 5, maxIterations: 5 }, 'max-iterations'],
    ['one iteration before max', { scores: [50, 60], iteration: 4, maxIterations: 5 }, false],
    ['converged: gain of exactly 2', { scores: [70, 71, 72], iteration: 3 }, 'converged'],
    ['converged: gain of 0', { scores: [70, 70, 70], iteration: 3 }, 'converged'],
    ['converged: scores fell', { scores: [75, 72, 70], iteration: 3 }, 'converged'],
    ['not converged: gain of 2.1', { scores: [70, 71, 72.1], iteration: 3 }, false],
    ['not converged: big gain', { scores: [50, 60, 70], iteration: 3 }, false],
    [
      'convergence looks at the last three only',
      { scores: [40, 70, 71, 72], iteration: 4, maxIterations: 6 },
      'converged',
    ],
    [
      'an old flat stretch does not converge a rising tail',
      { scores: [70, 70, 70, 75], iteration: 4, maxIterations: 6 },
      false,
    ],
    ['two equal scores never converge', { scores: [70, 70], iteration: 2 }, false],
    ['one score never converges', { scores: [70], iteration: 1 }, false],
    ['error budget spent', { scores: [50], consecutiveErrors: 3 }, 'error-budget'],
    ['error budget over-spent', { scores: [50], consecutiveErrors: 4 }, 'error-budget'],
    ['two errors are within budget', { scores: [50], consecutiveErrors: 2 }, false],
    ['custom error budget', { scores: [50], consecutiveErrors: 1, maxConsecutiveErrors: 1 }, 'error-budget'],
    ['error budget with no scores', { scores: [], consecutiveErrors: 3 }, 'error-budget'],
  ])('%s', (_name, over, expected) => {
    const verdict = run(over);
    if (expected === false) expect(verdict).toEqual({ terminate: false });
    else expect(verdict).toEqual({ terminate: true, reason: expected });
  });

  describe('precedence: threshold > error budget > max iterations > convergence', () => {
    test.each<[string, Partial<TerminationInput>, string]>([
      [
        'threshold beats everything',
        { scores: [80, 80, 80], iteration: 5, maxIterations: 5, consecutiveErrors: 3 },
        'threshold-met',
      ],
      [
        'error budget beats max iterations',
        { scores: [50], iteration: 5, maxIterations: 5, consecutiveErrors: 3 },
        'error-budget',
      ],
      ['error budget beats convergence', { scores: [50, 50, 50], iteration: 3, consecutiveErrors: 3 }, 'error-budget'],
      ['max iterations beats convergence', { scores: [50, 50, 50], iteration: 5, maxIterations: 5 }, 'max-iterations'],
      ['threshold beats convergence', { scores: [79, 80, 80], iteration: 3 }, 'threshold-met'],
    ])('%s', (_name, over, reason) => {
      expect(run(over)).toEqual({ terminate: true, reason });
    });
  });
});
