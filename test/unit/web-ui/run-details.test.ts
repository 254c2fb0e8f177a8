import { DEFAULT_EVAL_SETTINGS } from '../../../src/eval/defaults';
import type { AbInput, AbStatus } from '../../../src/rollout/ab-types';
import type { RolloutInput, RolloutStatus } from '../../../src/rollout/types';
import { initialTuneState } from '../../../src/tune/state';
import type { TuneInput } from '../../../src/tune/types';
import { abDetails } from '../../../src/web-ui/ab-details';
import { addChunk, evalDetails, startEvalProgress } from '../../../src/web-ui/eval-details';
import { humanDuration, waitingBlock } from '../../../src/web-ui/markdown';
import { rolloutDetails } from '../../../src/web-ui/rollout-details';
import { runDetails } from '../../../src/web-ui/run-details';
import { tuneDetails } from '../../../src/web-ui/tune-details';
import { offeredSignals } from '../../support/web-ui';

const model = { provider: 'anthropic' as const, model: 'claude-sonnet-4-6' };
const tuneInput: TuneInput = {
  runId: 'tune-greet-1',
  skills: [{ name: 'greet', originalHash: 'a1b2c3d4e5f6a7b8c9d0' }],
  scenarioRef: 's',
  settings: {
    threshold: 80,
    maxIterations: 5,
    maxConsecutiveErrors: 3,
    chain: false,
    dryRun: false,
    executor: model,
    judge: model,
    improver: model,
    decisionTimeoutMs: 7 * 86_400_000,
  },
  startedBy: 'ana',
};

describe('humanDuration', () => {
  test.each([
    [3_600_000, '1 h'],
    [5_400_000, '1 h 30 min'],
    [90_000, '1 min 30 s'],
    [2 * 86_400_000 + 3 * 3_600_000 + 60_000, '2 d 3 h'],
    [0, '0 s'],
    [250, '250 ms'],
  ])('%d ms → %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('waitingBlock and runDetails', () => {
  test('each choice is a list item naming the signal and its JSON, after a blank line (markdown lists need one)', () => {
    const block = waitingBlock({
      waitsFor: 'a decision.',
      choices: [{ what: 'accept', signal: 'decide', payload: { action: 'accept', by: 'your-name' } }],
      cli: 'refinery decide x --action accept --by <you>',
    });
    expect(block.split('\n')).toEqual([
      '**Waiting for a person**: a decision.',
      '',
      'From the Web UI: **More Actions → Send a Signal**, with the signal name and the JSON input below (put your own name in `by`).',
      '',
      '- accept: signal `decide` with `{"action":"accept","by":"your-name"}`',
      '',
      'From a shell: `refinery decide x --action accept --by <you>`',
    ]);
  });

  test('controls are listed only while nothing waits; paragraphs are separated by blank lines', () => {
    const stop = { what: 'stop', signal: 'stop', payload: { by: 'your-name' } };
    const running = runDetails({ title: '**T**', phase: 'running', step: 'look 3', controls: [stop] });
    expect(running).toBe(
      '**T** — phase **running**\n\nStep: look 3\n\nTo intervene from the Web UI (**More Actions → Send a Signal**):\n\n- stop: signal `stop` with `{"by":"your-name"}`',
    );
    const waiting = runDetails({
      title: '**T**',
      phase: 'paused',
      waiting: { waitsFor: 'resume.', choices: [] },
      controls: [stop],
    });
    expect(waiting).not.toContain('To intervene');
  });
});

describe('tuneDetails', () => {
  test('a running tune: iteration, score trail, spend; no waiting block', () => {
    const state = initialTuneState(tuneInput);
    state.phase = 'evaluate';
    state.iteration = 2;
    state.iterations = [
      { ...iteration(1), score: 61.24, tokens: 1000, costUsd: 0.01 },
      { ...iteration(2), score: null, tokens: 500, costUsd: 0.005 },
    ];
    const d = tuneDetails(tuneInput, state, 'tune-greet-1');
    expect(d).toContain('**Tune** `greet` — phase **evaluate**');
    expect(d).toContain('Step: iteration 2 of 5');
    expect(d).toContain('Scores: 61.2 → — (threshold 80)');
    expect(d).toContain('Spent: 1500 tokens, $0.0150');
    expect(d).not.toContain('Waiting');
  });

  test('a stalled tune: the stall, how long it waits, and the four decide signals', () => {
    const state = initialTuneState(tuneInput);
    state.phase = 'awaiting-decision';
    state.stall = {
      reason: 'converged-below-threshold',
      detail: 'scores converged at 72',
      since: '2026-01-01T00:00:00Z',
    };
    const d = tuneDetails(tuneInput, state, 'tune-greet-1');
    expect(d).toContain(
      '**Waiting for a person**: scores converged at 72 (since 2026-01-01T00:00:00Z; it waits up to 7 d',
    );
    expect(offeredSignals(d).map((s) => s.payload.action)).toEqual(['continue', 'accept', 'rollback', 'cancel']);
    expect(d).toContain('`refinery decide tune-greet-1 --action');
  });
});

function iteration(n: number) {
  return {
    iteration: n,
    snapshot: {},
    score: 0,
    dimensions: { clarity: 0, completeness: 0, correctness: 0, effectiveness: 0, efficiency: 0 },
    perSkill: [],
    weaknessCategories: [],
    errors: [],
    tokens: 0,
    costUsd: 0,
  };
}

describe('rolloutDetails', () => {
  const input: RolloutInput = {
    rolloutId: 'rollout-greet-x',
    name: 'greet',
    candidateVersion: 3,
    steps: [10, 50, 100],
    bakeMs: 3_600_000,
    evaluationIntervalMs: 60_000,
    approval: { required: true, timeoutMs: 86_400_000, approvers: ['ana', 'bo'] },
    startedBy: 'ana',
  };
  const status = (over: Partial<RolloutStatus>): RolloutStatus => ({
    rolloutId: input.rolloutId,
    name: 'greet',
    candidateVersion: 3,
    controlVersion: 2,
    phase: 'baking',
    step: 0,
    percent: 0,
    events: [],
    eventCount: 0,
    ...over,
  });

  test('awaiting approval: approve or reject with an approver in `by`, and who may', () => {
    const d = rolloutDetails(input, status({ phase: 'awaiting-approval' }));
    expect(d).toContain('Step: staging (canary steps 10 % → 50 % → 100 %)');
    expect(offeredSignals(d)).toEqual([
      { signal: 'approve', payload: { decision: 'approve', by: 'ana' } },
      { signal: 'approve', payload: { decision: 'reject', by: 'ana', note: 'why' } },
    ]);
    expect(d).toContain('`by` must be one of `ana`, `bo`.');
  });

  test('baking: bake progress, the last look and event, and the controls (pause, abort, roll back)', () => {
    const d = rolloutDetails(
      input,
      status({
        step: 2,
        percent: 50,
        events: [{ at: '2026-01-01T00:00:00Z', kind: 'step', detail: '50% of units see version 3' }],
      }),
      { bakedMs: 1_200_000, lastLook: '40 control and 38 canary runs' },
    );
    expect(d).toContain('Step: step 2 of 3 at 50 %, baked 20 min of 1 h');
    expect(d).toContain("Guard's last look: 40 control and 38 canary runs");
    expect(d).toContain('Last event (2026-01-01T00:00:00Z): step — 50% of units see version 3');
    expect(d).not.toContain('Waiting');
    expect(offeredSignals(d).map((s) => s.payload.action)).toEqual(['pause', 'abort', 'emergency-rollback']);
  });

  test('awaiting evidence and paused wait for a person; an ended rollout offers nothing', () => {
    const evidence = rolloutDetails(input, status({ phase: 'awaiting-evidence', step: 1, percent: 10 }));
    expect(evidence).toContain('too few live samples at 10 %');
    expect(offeredSignals(evidence).map((s) => `${s.signal}:${String(s.payload.decision)}`)).toEqual([
      'approve:approve',
      'approve:reject',
    ]);
    const paused = rolloutDetails(input, status({ phase: 'paused', step: 1, percent: 10 }));
    expect(offeredSignals(paused).map((s) => s.payload.action)).toEqual(['resume', 'abort', 'emergency-rollback']);
    const ended = rolloutDetails(input, status({ phase: 'promoted', outcome: 'production → version 3' }));
    expect(offeredSignals(ended)).toEqual([]);
    expect(ended).toContain('Outcome: production → version 3');
  });
});

describe('abDetails', () => {
  const input: AbInput = {
    abId: 'ab-greet-1',
    name: 'greet',
    variants: [2, 3],
    split: [50, 50],
    metric: 'thumbs-down-rate',
    minSamples: 100,
    checkIntervalMs: 3_600_000,
    maxDurationMs: 14 * 86_400_000,
  };
  const base: AbStatus = {
    abId: 'ab-greet-1',
    phase: 'running',
    samples: { a: 40, b: 37 },
    waitedMs: 7_200_000,
    looks: 2,
  };

  test('running: samples against the minimum, time against the maximum, and the stop signal', () => {
    const d = abDetails(input, base);
    expect(d).toContain('Step: 2 looks, 2 h of at most 14 d');
    expect(d).toContain('Scores: no verdict yet: samples v2 40, v3 37 (needs 100 each)');
    expect(offeredSignals(d)).toEqual([{ signal: 'stop', payload: { by: 'your-name', reason: 'why' } }]);
  });

  test('decided: the verdict, and nothing to send', () => {
    const d = abDetails(input, {
      ...base,
      phase: 'decided',
      verdict: {
        metric: 'thumbs-down-rate',
        a: { value: 0.1, samples: 120 },
        b: { value: 0.05, samples: 118 },
        effect: -0.05,
        relativeEffect: -0.5,
        ci95: [-0.08, -0.02],
        decision: 'b-better',
      },
    });
    expect(d).toContain('Scores: b-better: effect -0.05 (95 % CI -0.08 to -0.02)');
    expect(offeredSignals(d)).toEqual([]);
  });
});

describe('evalDetails', () => {
  test('chunks done, samples and spend against the estimate and the limit; the budget stop is said', () => {
    const input = {
      runId: 'eval-greet-v3-1',
      target: { name: 'greet', version: 3 },
      dataset: { name: 'golden', version: 1 },
      settings: { ...DEFAULT_EVAL_SETTINGS, maxCostUsd: 1 },
    };
    let p = startEvalProgress({ cases: 40, chunks: 4, estimate: { calls: 120, costUsd: 0.5 } });
    const chunk = { evaluated: 30, skipped: 0, fromCache: 2, costUsd: 0.125, budgetExhausted: false };
    p = addChunk(addChunk(p, chunk), { ...chunk, budgetExhausted: true });
    const d = evalDetails(input, p);
    expect(d).toContain('**Eval** `greet@3` on `golden@1` — phase **evaluating**');
    expect(d).toContain(`Step: chunk 2 of 4 done · 40 cases × ${DEFAULT_EVAL_SETTINGS.repeat} samples`);
    expect(d).toContain('Spent: $0.2500 of about $0.5000 estimated (limit $1); 60 samples evaluated, 4 from cache');
    expect(d).toContain('The cost limit was reached');
  });
});
