import { childStallOf } from '../../../src/cli/child-stall';
import { currentOptimizeChild } from '../../../src/web-ui/child-waiting';
import { improveStatusLines, isImproveStatus } from '../../../src/cli/improve-status';
import { decideCommandLine } from '../../../src/cli/optimize-status';
import type { ImproveStatus } from '../../../src/improve/types';
import type { ChainTuneStatus } from '../../../src/optimizer/chain-types';
import type { OptimizeStatus } from '../../../src/optimizer/types';

const improve = (over: Partial<ImproveStatus> = {}): ImproveStatus => ({
  runId: 'imp1',
  name: 'greet',
  current: 'tune',
  steps: [
    { step: 'harvest', state: 'skipped' },
    { step: 'tune', state: 'running', detail: 'optimize run optimize-greet-imp1-tune on topics@1' },
    { step: 'gate', state: 'pending' },
  ],
  tune: { workflowId: 'optimize-greet-imp1-tune' },
  continuedAsNew: 0,
  ...over,
});

const chain = (steps: ChainTuneStatus['steps']): ChainTuneStatus => ({ runId: 'c1', phase: 'p', steps });

describe('the child a parent waits on', () => {
  test('an improve run: its tune while the tune step runs, no other step', () => {
    expect(currentOptimizeChild(improve())).toBe('optimize-greet-imp1-tune');
    expect(currentOptimizeChild(improve({ current: 'gate' }))).toBeUndefined();
    const done = improve();
    done.steps[1]!.state = 'done';
    expect(currentOptimizeChild(done)).toBeUndefined();
    expect(currentOptimizeChild(improve({ tune: undefined }))).toBeUndefined();
  });

  test('a chain: the step that started and has not ended', () => {
    const ended = { phase: 'completed' } as OptimizeStatus;
    expect(
      currentOptimizeChild(
        chain([
          { skill: 'a', dir: '/a', workflowId: 'c-1-a', status: ended },
          { skill: 'b', dir: '/b', workflowId: 'c-2-b' },
          { skill: 'c', dir: '/c' },
        ]),
      ),
    ).toBe('c-2-b');
    expect(currentOptimizeChild(chain([{ skill: 'a', dir: '/a' }]))).toBeUndefined();
  });

  test('a stall becomes the commands that decide it; a run with an outcome or no stall gives none', () => {
    const stall = { reason: 'converged-below-threshold', detail: 'no better candidate', since: '2026-12-07T06:00:00Z' };
    const s = { target: { name: 'greet', version: 1, kind: 'text' }, stall } as OptimizeStatus;
    expect(childStallOf('w1', s)).toEqual({
      workflowId: 'w1',
      name: 'greet',
      ...stall,
      decide: [
        decideCommandLine('w1'),
        'refinery decide greet --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"]',
      ],
    });
    expect(childStallOf('w1', { ...s, stall: undefined })).toBeUndefined();
    expect(childStallOf('w1', { ...s, outcome: {} as OptimizeStatus['outcome'] })).toBeUndefined();
  });

  test('an improve status is told from the others by its current step, and drawn step by step', () => {
    expect(isImproveStatus(improve())).toBe(true);
    expect(isImproveStatus({ phase: 'validating', frontier: [] })).toBe(false);
    expect(improveStatusLines('improve-greet-imp1', improve(), 'http://ui/x')).toEqual([
      'improve-greet-imp1: step tune',
      '  http://ui/x',
      '  harvest  skipped',
      '  tune     running: optimize run optimize-greet-imp1-tune on topics@1',
      '  gate     pending',
    ]);
  });
});
