import { DEFAULT_EVAL_SETTINGS } from '../../../src/eval/defaults';
import type { RolloutInput } from '../../../src/rollout/types';
import {
  abMetadata,
  calendarMetadata,
  evalMetadata,
  rolloutMetadata,
  runMetadata,
  tuneMetadata,
} from '../../../src/web-ui/static-metadata';
import {
  bakeSummary,
  evalChunkSummary,
  evaluateSummary,
  proposeSummary,
  tuneSummaries,
  waitForPersonSummary,
} from '../../../src/web-ui/summaries';

const model = { provider: 'anthropic' as const, model: 'claude-sonnet-4-6' };
const candidate = { hash: '3f2a9c1e77aa', ref: 'r' };

describe('static summaries and details: what, which item and version, who started it', () => {
  test('a tune of a chain names every skill with its version hash', () => {
    const m = tuneMetadata({
      runId: 'tune-a+b-1',
      skills: [
        { name: 'a', originalHash: '0123456789abcdef' },
        { name: 'b', originalHash: 'fedcba9876543210' },
      ],
      scenarioRef: 's',
      settings: {
        threshold: 80,
        maxIterations: 5,
        maxConsecutiveErrors: 3,
        chain: true,
        dryRun: true,
        executor: model,
        judge: model,
        improver: model,
        decisionTimeoutMs: 86_400_000,
      },
      startedBy: 'ana',
    });
    expect(m.staticSummary).toBe(
      'Tune chain a@01234567 + b@fedcba98: up to 5 iterations to score 80 (dry run) — started by ana',
    );
    expect(m.staticDetails).toContain('| Waits for a decision up to | 1 d |');
    expect(m.staticDetails).toContain('`refinery status tune-a+b-1`');
  });

  test('an eval, and the same eval as a parent’s staging gate', () => {
    const input = {
      runId: 'rollout-greet-x-gate-v3',
      target: { name: 'greet', version: 3 },
      dataset: { name: 'golden', version: 2 },
      settings: { ...DEFAULT_EVAL_SETTINGS, passRateThreshold: 0.9 },
    };
    expect(evalMetadata(input, { startedBy: 'ana' }).staticSummary).toBe(
      'Eval greet@3 on dataset golden@2, pass rate ≥ 0.9 — started by ana',
    );
    const gate = evalMetadata(input, { purpose: 'Staging gate of rollout rollout-greet-x' });
    expect(gate.staticSummary).toBe(
      'Staging gate of rollout rollout-greet-x: eval greet@3 on dataset golden@2, pass rate ≥ 0.9',
    );
    expect(gate.staticDetails).toContain('| Cost limit | none |');
  });

  test('a rollout: steps, bake, approvers; an A/B test: split and metric; a calendar run: its Schedule', () => {
    const rollout: RolloutInput = {
      rolloutId: 'r1',
      name: 'greet',
      candidateVersion: 3,
      steps: [1, 10, 100],
      bakeMs: 3_600_000,
      evaluationIntervalMs: 60_000,
      approval: { required: true, timeoutMs: 86_400_000, approvers: ['ana'] },
      startedBy: 'bo',
    };
    const r = rolloutMetadata(rollout, { startedFrom: 'chosen by optimize run abc' });
    expect(r.staticSummary).toBe('Guarded rollout of greet v3: 1 % → 10 % → 100 %, bake 1 h each — started by bo');
    expect(r.staticDetails).toContain('**Guarded rollout** `r1` of `greet` version 3, chosen by optimize run abc.');
    expect(r.staticDetails).toContain('| Staging gate | none |');

    const ab = abMetadata(
      {
        abId: 'ab-greet-1',
        name: 'greet',
        variants: [2, 3],
        split: [70, 30],
        metric: 'thumbs-down-rate',
        minSamples: 100,
        checkIntervalMs: 60_000,
        maxDurationMs: 86_400_000,
      },
      { startedBy: 'ana' },
    );
    expect(ab.staticSummary).toBe('A/B test of greet: v2 70 % / v3 30 % on thumbs-down-rate — started by ana');
    expect(ab.staticDetails).toContain('`refinery ab stop greet`');

    expect(calendarMetadata('monthly', 'refinery-monthly', { batch: true }).staticDetails).toContain('batch APIs');
  });

  test('a name with a backtick or a newline cannot break the markdown table', () => {
    const r = rolloutMetadata({
      rolloutId: 'r1',
      name: 'greet',
      candidateVersion: 3,
      steps: [100],
      bakeMs: 60_000,
      evaluationIntervalMs: 60_000,
      approval: { required: false, timeoutMs: 1, approvers: [] },
      startedBy: 'ev`il\nname',
    });
    expect(r.staticSummary).toBe('Guarded rollout of greet v3: 100 %, bake 1 min each — started by ev il name');
    expect(r.staticDetails).toContain('| Started by | ev il name |');
  });
});

test('a run of another kind (the improve loop) gets the same shape from runMetadata', () => {
  const m = runMetadata({
    what: 'Improve',
    item: 'greet@3',
    startedBy: 'ana',
    settings: [
      ['Feedback', '12 low-rated runs'],
      ['Budget', undefined],
    ],
    follow: 'Follow it with `refinery status improve-greet-1`.',
  });
  expect(m.staticSummary).toBe('Improve greet@3 — started by ana');
  expect(m.staticDetails).toBe(
    '**Improve** `greet@3`.\n\n| | |\n|---|---|\n| Feedback | 12 low-rated runs |\n| Started by | ana |\n\nFollow it with `refinery status improve-greet-1`.',
  );
});

describe('activity and timer summaries', () => {
  test('the optimizer’s evaluations and proposals', () => {
    expect(evaluateSummary({ candidate, caseIds: Array(40).fill('c'), samples: 1, purpose: 'validation' })).toBe(
      'judge candidate 3f2a9c1e on 40 validation cases',
    );
    expect(evaluateSummary({ candidate, caseIds: ['c'], samples: 3, purpose: 'baseline' })).toBe(
      'judge the original 3f2a9c1e on 1 case × 3 samples',
    );
    expect(evaluateSummary({ candidate, caseIds: ['c', 'd'], samples: 1, purpose: 'no-skill' })).toBe(
      'judge the cases without the skill on 2 cases',
    );
    expect(proposeSummary({ parent: candidate, minibatch: ['a', 'b'], round: 3, slot: 1, lineage: [] })).toBe(
      'propose candidate 2 of round 3 from 3f2a9c1e, learning from 2 cases',
    );
  });

  test('timers: a bake, a wait for a person; the tune’s and the eval’s activities', () => {
    expect(bakeSummary(10, 3_600_000, 2)).toBe('bake 10 % for 1 h (step 2), then the guard looks');
    expect(waitForPersonSummary('a decision', 'decide', 7 * 86_400_000)).toBe(
      'wait up to 7 d for a decision (signal decide)',
    );
    expect(tuneSummaries.evaluate(3, model)).toBe('judge iteration 3 with anthropic:claude-sonnet-4-6');
    expect(evalChunkSummary(0, 4, 'eval-1', 'per call')).toBe('evaluate chunk 1 of 4 of eval run eval-1 per call');
  });
});
