import {
  checkVerdict,
  gateVerdict,
  improveControlProblem,
  improveDetails,
  improveInputProblem,
  initialSteps,
  nextStep,
} from '../../src/improve/plan';
import type { ImproveInput, ImproveStatus, KindRates } from '../../src/improve/types';

const status = (over: Partial<ImproveStatus> = {}): ImproveStatus => ({
  runId: 'r1',
  name: 'greet',
  current: 'review',
  steps: initialSteps(),
  continuedAsNew: 0,
  ...over,
});
const waitingAt = (step: ImproveStatus['current']) => {
  const s = status({ current: step });
  for (const x of s.steps) if (x.step === step) x.state = 'waiting';
  return s;
};
const rates = (runs: number, counts: KindRates['counts']): KindRates => ({ runs, feedback: 0, counts });

describe('improve: which control messages a run takes', () => {
  const approvers = ['olga', 'admin'];
  test('"reviewed" only while the review waits; approve only while approval waits and only by an approver', () => {
    expect(improveControlProblem(waitingAt('review'), { action: 'reviewed', by: 'rita' }, approvers)).toBeUndefined();
    expect(improveControlProblem(status({ current: 'tune' }), { action: 'reviewed', by: 'rita' }, approvers)).toMatch(
      /not waiting for the review/,
    );
    expect(improveControlProblem(waitingAt('approval'), { action: 'approve', by: 'olga' }, approvers)).toBeUndefined();
    expect(improveControlProblem(waitingAt('approval'), { action: 'approve', by: 'rita' }, approvers)).toMatch(
      /rita may not approve/,
    );
    // an API admin token is taken at its word; a signal's claim (authenticated false) is not
    const admin = { action: 'approve' as const, by: 'ann', authenticated: true, admin: true };
    expect(improveControlProblem(waitingAt('approval'), admin, approvers)).toBeUndefined();
    expect(improveControlProblem(waitingAt('approval'), { ...admin, authenticated: false }, approvers)).toMatch(
      /may not approve/,
    );
    expect(improveControlProblem(waitingAt('review'), { action: 'approve', by: 'olga' }, approvers)).toMatch(
      /not awaiting approval/,
    );
  });

  test('skips: a later step by anyone, the gate and approval only by an approver, never a step already over', () => {
    const s = waitingAt('review');
    expect(improveControlProblem(s, { action: 'skip', step: 'check', by: 'rita' }, approvers)).toBeUndefined();
    expect(improveControlProblem(s, { action: 'skip', by: 'rita' }, approvers)).toBeUndefined();
    expect(improveControlProblem(s, { action: 'skip', step: 'gate', by: 'rita' }, approvers)).toMatch(
      /may not skip the gate/,
    );
    expect(improveControlProblem(s, { action: 'skip', step: 'approval', by: 'olga' }, approvers)).toBeUndefined();
    s.steps[0]!.state = 'done';
    expect(improveControlProblem(s, { action: 'skip', step: 'harvest', by: 'olga' }, approvers)).toMatch(/over/);
    expect(improveControlProblem(s, { action: 'skip', step: 'gate', version: 2, by: 'olga' }, approvers)).toMatch(
      /version goes only with a skip of the tune/,
    );
    expect(
      improveControlProblem(s, { action: 'skip', step: 'tune', version: 2, by: 'rita' }, approvers),
    ).toBeUndefined();
    const rolling = status({ current: 'rollout' });
    rolling.steps.find((x) => x.step === 'rollout')!.state = 'running';
    expect(improveControlProblem(rolling, { action: 'skip', by: 'olga' }, approvers)).toMatch(/rollout is running/);
    expect(improveControlProblem(rolling, { action: 'stop', by: 'olga' }, approvers)).toBeUndefined();
    expect(improveControlProblem(status({ current: 'finished' }), { action: 'stop', by: 'olga' }, approvers)).toMatch(
      /finished/,
    );
    expect(improveControlProblem(s, { action: 'stop', by: ' ' }, approvers)).toMatch(/who acts/);
  });

  test('steps come in order, skipped ones too: the loop visits each to do what skipping it means', () => {
    const s = status({ steps: initialSteps(['harvest', 'review']) });
    expect(s.steps.slice(0, 2).map((x) => x.state)).toEqual(['skipped', 'skipped']);
    expect(nextStep('harvest')).toBe('review');
    expect(nextStep('review')).toBe('tune');
    expect(nextStep('rollout')).toBe('check');
    expect(nextStep('check')).toBe('finished');
  });
});

describe('improve: the gate and the post-rollout check', () => {
  test('the gate needs the threshold and no loss against production', () => {
    expect(gateVerdict(0.9, 0.5, 0.8).passed).toBe(true);
    expect(gateVerdict(0.7, 0.5, 0.8)).toMatchObject({ passed: false, detail: expect.stringMatching(/threshold/) });
    expect(gateVerdict(0.85, 0.9, 0.8)).toMatchObject({
      passed: false,
      detail: expect.stringMatching(/below production/),
    });
    expect(gateVerdict(0.85, undefined, 0.8).passed).toBe(true);
  });

  test('improved only when every harvested kind fell; too few runs after is insufficient', () => {
    const before = rates(100, { 'thumbs-down': 20, correction: 10, error: 0 });
    expect(
      checkVerdict(['thumbs-down', 'correction'], before, rates(50, { 'thumbs-down': 2, correction: 1 }), 20).verdict,
    ).toBe('improved');
    const not = checkVerdict(['thumbs-down', 'correction'], before, rates(50, { 'thumbs-down': 2, correction: 9 }), 20);
    expect(not.verdict).toBe('not-improved');
    expect(not.detail).toMatch(/did not fall: correction/);
    expect(checkVerdict(['thumbs-down'], before, rates(5, {}), 20).verdict).toBe('insufficient');
    expect(checkVerdict(['thumbs-down'], rates(0, {}), rates(50, {}), 20).verdict).toBe('insufficient');
    expect(checkVerdict([], before, rates(50, {}), 20).verdict).toBe('insufficient');
    // a kind absent before and after is no evidence against the new version
    expect(checkVerdict(['thumbs-down', 'error'], before, rates(50, { 'thumbs-down': 1 }), 20).verdict).toBe(
      'improved',
    );
  });

  test('input checks name the problem', () => {
    const ok: ImproveInput = {
      runId: 'r',
      name: 'greet',
      reviewTimeoutMs: 1000,
      approvalTimeoutMs: 1000,
      tune: { split: {} as ImproveInput['tune']['split'], settings: {} as ImproveInput['tune']['settings'] },
      gate: { passRateThreshold: 0.8 },
      rollout: { steps: [100], bakeMs: 10_000, evaluationIntervalMs: 10_000 },
      check: { windowMs: 60_000, minSamples: 10 },
      startedBy: 'olga',
    };
    expect(improveInputProblem(ok)).toBeUndefined();
    expect(improveInputProblem({ ...ok, check: { windowMs: 10, minSamples: 1 } })).toMatch(/check window/);
    expect(improveInputProblem({ ...ok, gate: { passRateThreshold: 80 } })).toMatch(/pass rate from 0 to 1/);
    expect(improveInputProblem({ ...ok, skip: ['nope' as never] })).toMatch(/no step "nope"/);
  });
});

describe('improve: the Web UI details of a run that waits for a person', () => {
  test('the review and the approval name the control signal and its exact JSON, each checked by the run', () => {
    const review = improveDetails(waitingAt('review'), 'improve-greet-r1');
    expect(review).toContain('Waiting for a person');
    expect(review).toContain('signal `control` with `{"action":"reviewed","by":"your-name"}`');
    expect(review).toContain('refinery improve --run improve-greet-r1 --reviewed');
    // what the details offer is what the run takes at that step
    expect(improveControlProblem(waitingAt('review'), { action: 'reviewed', by: 'your-name' }, [])).toBeUndefined();
    const approval = improveDetails(waitingAt('approval'), 'improve-greet-r1');
    expect(approval).toContain('`{"action":"approve","by":"your-name"}`');
    expect(approval).toContain('`{"action":"reject","by":"your-name"}`');
  });

  test('a run at work shows no waiting block', () => {
    const tuning = status({ current: 'tune' });
    tuning.steps.find((x) => x.step === 'tune')!.state = 'running';
    expect(improveDetails(tuning, 'improve-greet-r1')).not.toContain('Waiting for a person');
  });
});
