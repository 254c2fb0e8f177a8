import { EXIT } from '../../../src/cli/exit-codes';
import { budgetText, projectionLines } from '../../../src/cli/optimize-projection';
import { acceptanceEvidence } from '../../../src/optimizer/evidence';
import {
  isOptimizeStatus,
  optimizeExitCode,
  optimizeOutcomeLines,
  optimizeProgressLine,
  renderOptimizeStatus,
} from '../../../src/cli/optimize-status';
import type { OptimizeOutcome, OptimizeStatus, Projection } from '../../../src/optimizer/types';
import type { TuneStatus } from '../../../src/tune/types';

const H1 = 'a1b2c3d4e5f6a7b8c9d0';
const H2 = 'ffee00112233445566778899';
const H3 = '0123456789abcdef0123';

const projection: Projection = {
  calls: 860,
  usd: 3.4567,
  perRound: { calls: 160, usd: 0.64 },
  baselineAndOneValidation: { calls: 60, usd: 0.24 },
};

function running(over: Partial<OptimizeStatus> = {}): OptimizeStatus {
  return {
    runId: 'r1',
    target: { name: 'greet', version: 3, kind: 'text' },
    dataset: { name: 'greet-cases', version: 2 },
    phase: 'validating',
    round: 2,
    maxRounds: 5,
    split: { train: 12, validation: 8, test: 4, heldOut: true },
    frontier: [
      { hash: H1, bestOn: 5, mean: 0.725 },
      { hash: H2, bestOn: 3, mean: 0.6 },
    ],
    best: { hash: H1, interval: { mean: 0.725, low: 0.6125, high: 0.8375, n: 8 } },
    spent: { calls: 212, usd: 0.8123 },
    budget: { calls: 500, usd: 2 },
    projection,
    proposals: 4,
    acceptances: 1,
    evaluationFailures: 0,
    lastRejection: { hash: H3, round: 2, reason: 'p = 0.21 ≥ 0.05 on validation' },
    warnings: [],
    decisions: [],
    ...over,
  };
}

const outcome = (over: Partial<OptimizeOutcome> = {}): OptimizeOutcome => ({
  chosen: { hash: H1, ref: 'blob-1' },
  original: { hash: H2, ref: 'blob-2' },
  version: 4,
  validation: {
    chosen: { mean: 0.725, low: 0.6125, high: 0.8375, n: 8 },
    original: { mean: 0.5, low: 0.375, high: 0.625, n: 8 },
  },
  test: {
    chosen: { mean: 0.75, low: 0.5, high: 1, n: 4 },
    original: { mean: 0.5, low: 0.25, high: 0.75, n: 4 },
  },
  reportRef: 'blob-report',
  reportPaths: ['/out/docs/feedbacks/cycle-2026-12-06/greet.md'],
  ...over,
});

describe('refinery status <id> for an optimizer run', () => {
  test('a running run: frontier, best with its interval, budget, proposals, the last rejection', () => {
    const lines = renderOptimizeStatus('optimize-greet-r1', running(), 'http://ui/wf');
    expect(lines).toEqual([
      'optimize-greet-r1 (text greet@3 on dataset greet-cases@2)',
      '  http://ui/wf',
      '  round 2/5 · validating',
      '  split: 12 train · 8 validation · 4 test',
      '  best on validation: a1b2c3d4e5f6 72.5 (95 % interval 61.3–83.8, n = 8)',
      '  frontier (2):',
      '    a1b2c3d4e5f6  best on 5 cases · mean 72.5',
      '    ffee00112233  best on 3 cases · mean 60.0',
      '  budget: spent 212 calls, $0.8123 of 500 calls, $2.00 (projected at most 860 calls, $3.46)',
      '  proposals 4 · accepted 1',
      '  last rejection: 0123456789ab in round 2: p = 0.21 ≥ 0.05 on validation',
    ]);
  });

  test('a stalled run with no held-out evidence: says so, and prints the decide command', () => {
    const s = running({
      split: { train: 7, validation: 7, test: 0, heldOut: false },
      budget: {},
      lastRejection: undefined,
      stall: { reason: 'error-budget', detail: 'three proposals failed in a row', since: '2026-12-06T23:00:00.000Z' },
      warnings: ['the judge failed on 2 cases (scored as failed)'],
      decisions: [{ action: 'continue', by: 'ana', note: 'go on', reason: 'error-budget', decidedAt: 'x' }],
    });
    const lines = renderOptimizeStatus('optimize-greet-r1', s, 'http://ui/wf');
    expect(lines).toContain(
      '  split: no held-out evidence (7 cases, too few to split): every case trains and validates; acceptance rests on repeated samples',
    );
    expect(lines).toContain('  budget: spent 212 calls, $0.8123 (no budget) (projected at most 860 calls, $3.46)');
    expect(lines.some((l) => l.includes('last rejection'))).toBe(false);
    expect(lines).toContain('  awaiting a decision since 2026-12-06T23:00:00.000Z: three proposals failed in a row');
    expect(lines).toContain(
      '  decide with: refinery decide optimize-greet-r1 --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"]',
    );
    expect(lines).toContain('  warning: the judge failed on 2 cases (scored as failed)');
    expect(lines).toContain('  decision: continue by ana (go on)');
    expect(optimizeExitCode(s)).toBe(EXIT.awaitingDecision);
  });

  test('a finished run: the version, validation and test against the original, the rollout command, the report', () => {
    const s = running({ phase: 'done', stop: 'threshold-met', outcome: outcome() });
    const lines = renderOptimizeStatus('optimize-greet-r1', s, 'http://ui/wf');
    expect(lines).toContain('  round 2/5 · done · stopped: threshold-met');
    expect(lines.slice(-5)).toEqual([
      '  chosen a1b2c3d4e5f6: version 4 of greet, labelled candidate',
      '  validation: chosen 72.5 (95 % interval 61.3–83.8, n = 8) vs original 50.0 (95 % interval 37.5–62.5, n = 8)',
      '  test: chosen 75.0 (95 % interval 50.0–100.0, n = 4) vs original 50.0 (95 % interval 25.0–75.0, n = 4)',
      '  roll it out (gate → approval → canary): refinery rollout greet --version 4 --dataset greet-cases@2',
      '  report: /out/docs/feedbacks/cycle-2026-12-06/greet.md',
    ]);
    expect(optimizeExitCode(s)).toBe(EXIT.ok);
  });

  test('the assertiveness score, unresolved failures across runs and judge failures are shown', () => {
    const s = running({
      evaluationFailures: 3,
      outcome: outcome({
        assertiveness: 70,
        recurring: [
          { skill: 'greet', category: 'failing case c01', occurrence: 3, classification: 'UNRESOLVED' },
          { skill: 'greet', category: 'failing case c02', occurrence: 2, classification: 'RECURRING' },
        ],
      }),
    });
    const lines = renderOptimizeStatus('optimize-greet-r1', s, 'http://ui/wf');
    expect(lines).toContain('  judge or assertion failures: 3 (each scored as a failed case)');
    expect(lines).toContain('  assertiveness 70');
    expect(lines).toContain('  UNRESOLVED across runs: failing case c01 (see the report)');
  });

  test('outcome variants: the rollout the workflow started, the original kept, a dry run, the skill baseline', () => {
    const base = running({ stop: 'converged' });
    expect(
      optimizeOutcomeLines({ ...base, outcome: outcome({ rollout: { workflowId: 'rollout-greet-x' } }) }),
    ).toContain('rollout started: rollout-greet-x (`refinery rollout status greet`)');
    const kept = optimizeOutcomeLines({
      ...base,
      outcome: outcome({ version: undefined, chosen: { hash: H2, ref: 'blob-2' }, test: undefined }),
    });
    expect(kept[0]).toBe('the original (greet@3) stays: no candidate beat it on validation; no version made');
    expect(kept).toContain('test: no test split (too few cases, or --test-share 0)');
    expect(kept.some((l) => l.includes('refinery rollout'))).toBe(false);
    expect(optimizeOutcomeLines({ ...base, outcome: outcome({ version: undefined }) })[0]).toBe(
      'chosen a1b2c3d4e5f6: no version made (dry run)',
    );
    const skill = optimizeOutcomeLines({
      ...base,
      target: { name: 'greet', version: 3, kind: 'skill' },
      outcome: outcome({
        baselineDelta: {
          withSkill: { passRate: 0.75, tokens: 1200 },
          withoutSkill: { passRate: 0.25, tokens: 800 },
          original: { passRate: 0.5, tokens: 1100 },
        },
      }),
    });
    expect(skill).toContain(
      'skill baseline: with the skill 75.0 % pass, 1200 tokens; without it 25.0 % pass, 800 tokens; the original 50.0 % pass, 1100 tokens',
    );
    expect(optimizeExitCode({ ...base, outcome: outcome() })).toBe(EXIT.belowThreshold);
    expect(optimizeExitCode({ ...base, stop: 'accepted', outcome: outcome() })).toBe(EXIT.ok);
  });

  test('the progress line of --wait', () => {
    expect(optimizeProgressLine(running())).toBe(
      'round 2/5 · validating · best 72.5 [61.3–83.8] · frontier 2 · spent 212 calls, $0.8123 of 500 calls, $2.00 · ' +
        'accepted 1/4 · last rejection 0123456789ab: p = 0.21 ≥ 0.05 on validation',
    );
    expect(
      optimizeProgressLine(
        running({ best: { hash: H1, interval: { mean: 0, low: 0, high: 1, n: 0 } }, budget: { calls: 9 } }),
      ),
    ).toMatch(/^round 2\/5 · validating · best — · frontier 2 · spent 212 calls, \$0\.8123 of 9 calls · /);
  });

  test('the shape is told apart by the frontier', () => {
    expect(isOptimizeStatus(running())).toBe(true);
    expect(isOptimizeStatus({ skills: ['s'], scores: [] } as unknown as TuneStatus)).toBe(false);
  });
});

describe('the projection printed before anything is spent', () => {
  const settings = { maxRounds: 5, parallel: 2 };

  test('within the budget: the total, the start, one round and the budget', () => {
    expect(projectionLines(projection, { calls: 1000, usd: 5 }, settings)).toEqual([
      'projection: at most 860 calls, $3.46 for 5 rounds of 2 proposals (baseline + one full validation 60 calls, $0.2400; each round 160 calls, $0.6400); budget: 1000 calls, $5.00',
    ]);
    expect(budgetText({})).toBe('none');
    expect(projectionLines(projection, {}, settings)[0]).toMatch(/; budget: none$/);
  });

  test('what a change must win on validation, and the warning when only large changes can pass', () => {
    const evidence = acceptanceEvidence(19, 0.05, 0.4);
    const lines = projectionLines({ ...projection, evidence }, { calls: 1000, usd: 5 }, settings);
    expect(lines.slice(1)).toEqual([
      'acceptance: a change must win at least 5 of the 19 validation cases, losing none, to pass the paired test at alpha 0.05',
      `warning: ${evidence.warning!}`,
    ]);
    expect(
      projectionLines({ ...projection, evidence: acceptanceEvidence(60, 0.05, 0.4) }, {}, settings).slice(1),
    ).toEqual([
      'acceptance: a change must win at least 5 of the 60 validation cases, losing none, to pass the paired test at alpha 0.05',
    ]);
  });

  test('a budget below the projection: the run stops when it is spent', () => {
    expect(projectionLines(projection, { calls: 300 }, settings)).toEqual([
      expect.stringMatching(/^projection: at most 860 calls/),
      '  the budget is below the projection: the run stops when it is spent, with the best accepted candidate',
    ]);
  });

  test('a budget that cannot cover the baseline plus one full validation: the warning, with the flags that fix it', () => {
    const warned: Projection = {
      ...projection,
      warning: 'the budget cannot cover the baseline plus one full validation of a candidate (60 calls, $0.24)',
    };
    expect(projectionLines(warned, { calls: 40, usd: 0.1 }, settings)[1]).toBe(
      'warning: the budget cannot cover the baseline plus one full validation of a candidate (60 calls, $0.24): ' +
        'raise it to at least --budget-calls 60 and --budget-usd 0.24, or the run can accept nothing',
    );
    // The CLI checks the budget itself too, whatever the projection says.
    expect(projectionLines(projection, { usd: 0.2 }, settings)[1]).toBe(
      'warning: the budget cannot cover the baseline plus one full validation of a candidate (60 calls, $0.2400): ' +
        'raise it to at least --budget-usd 0.24, or the run can accept nothing',
    );
  });
});
