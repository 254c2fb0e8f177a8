import {
  acceptedChain,
  failingCategories,
  recordsUnattended,
  recurringEscalation,
} from '../../../src/optimizer/recurring';
import { details } from '../../../src/optimizer/optimize-details';
import {
  applyOptimizeDecision,
  initialOptimizeState,
  keepsOriginal,
  optimizeDecisionProblem,
  type OptimizeRunState,
} from '../../../src/optimizer/run-state';
import type { OptimizeInput, StopReason } from '../../../src/optimizer/types';
import type { RecurringFinding } from '../../../src/tune/types';
import { H0, H2, reportData } from './report-fixture';

// Reference 003 in the optimizer: a pick that still fails what two earlier runs failed waits for a person.

const data = reportData();
const ref = (hash: string) => ({ hash, ref: `ref-${hash.slice(0, 4)}` });
const finding = (category: string, occurrence: number): RecurringFinding => ({
  skill: 'greet',
  category,
  occurrence,
  classification: occurrence >= 3 ? 'UNRESOLVED' : 'RECURRING',
});

function stalledRun(stop: StopReason): OptimizeRunState {
  const run = initialOptimizeState();
  run.engine = { ...data.state, accepted: [...data.state.accepted], stop };
  run.original = ref(H0);
  run.phase = 'awaiting-decision';
  run.stall = { reason: 'unresolved-recurring', detail: 'RECURRING ISSUE', since: '2026-12-07T00:00:00Z' };
  return run;
}

describe('recurring failures of the optimizer pick', () => {
  test('the categories are the validation cases the candidate scores below 1 (every case for one never validated)', () => {
    // H2 scores [0.9, 0.8, 0.5, 1, 1] on v1..v5.
    expect(failingCategories(data.split, data.state.accepted, ref(H2))).toEqual([
      'failing case v1',
      'failing case v2',
      'failing case v3',
    ]);
    expect(failingCategories(data.split, data.state.accepted, ref('e'.repeat(64)))).toHaveLength(5);
  });

  test.each<[StopReason, boolean, 'candidate' | 'original', boolean]>([
    ['max-iterations', false, 'candidate', true],
    ['converged', false, 'candidate', true],
    ['threshold-met', false, 'candidate', true],
    ['budget-spent', false, 'candidate', true],
    ['max-iterations', true, 'candidate', false], // dry run: nothing is recorded
    ['max-iterations', false, 'original', false], // the original stays: nothing new is recorded
    ['accepted', false, 'candidate', false], // a person already decided
    ['rolled-back', false, 'candidate', false],
  ])('stop %s, dry run %s, the %s picked: records unattended → %s', (stop, dryRun, chosen, expected) => {
    expect(recordsUnattended({ stop, dryRun, chosen: ref(chosen === 'original' ? H0 : H2), original: ref(H0) })).toBe(
      expected,
    );
  });

  test('the escalation follows the reference: issue, occurrences, previous responses, awaiting a decision', () => {
    const detail = recurringEscalation({
      item: 'greet',
      findings: [finding('failing case v1', 3), finding('failing case v2', 2), finding('failing case v3', 4)],
      tried: acceptedChain(data.state.accepted, H2).map((a) => a.summary),
    });
    expect(detail).toMatch(/^RECURRING ISSUE - Escalation Required\. /);
    expect(detail).toContain('Issue: the chosen candidate of greet still fails failing case v1, failing case v3.');
    expect(detail).toContain('Occurrences: failing case v1 3 times, failing case v3 4 times, across 4 runs of greet.');
    expect(detail).not.toContain('failing case v2'); // only RECURRING: no escalation
    expect(detail).toContain(
      'Previous responses: 3 earlier runs did not fix them; this run tried: cite the source, answer in English.',
    );
    expect(detail).toMatch(
      /Awaiting: user decision — accept records the chosen candidate anyway, rollback keeps the original/,
    );
    expect(detail).not.toContain('\n');
  });

  test('accept records the decision under its reason and ends with the pick', () => {
    const run = stalledRun('max-iterations');
    expect(optimizeDecisionProblem(run, { action: 'accept', by: 'ana' })).toBeUndefined();
    expect(applyOptimizeDecision(run, { action: 'accept', by: 'ana' }, 't')).toBe(false);
    expect(run.decisions).toEqual([{ action: 'accept', by: 'ana', reason: 'unresolved-recurring', decidedAt: 't' }]);
    expect(run.engine!.stop).toBe('accepted');
    expect(keepsOriginal(run)).toBe(false);
  });

  test('rollback keeps the original; so does no decision in time (silence is no answer to an escalation)', () => {
    const rolled = stalledRun('converged');
    applyOptimizeDecision(rolled, { action: 'rollback', by: 'ana' }, 't');
    expect(keepsOriginal(rolled)).toBe(true);

    const timedOut = stalledRun('converged');
    expect(applyOptimizeDecision(timedOut, undefined, 't')).toBe(false);
    expect(timedOut.decisions[0]).toMatchObject({ reason: 'unresolved-recurring', timedOut: true });
    expect(keepsOriginal(timedOut)).toBe(true);

    // A timeout on the other stalls still ends with the best accepted candidate.
    const below = stalledRun('converged');
    below.stall!.reason = 'converged-below-threshold';
    applyOptimizeDecision(below, undefined, 't');
    expect(keepsOriginal(below)).toBe(false);
  });

  test('continue is refused when more rounds would end at once (threshold met, budget spent)', () => {
    expect(
      optimizeDecisionProblem(stalledRun('threshold-met'), { action: 'continue', iterations: 2, by: 'ana' }),
    ).toMatch(/continue cannot help: the run ended on threshold-met; use accept, rollback or cancel/);
    const run = stalledRun('max-iterations');
    expect(optimizeDecisionProblem(run, { action: 'continue', iterations: 2, by: 'ana' })).toBeUndefined();
    expect(applyOptimizeDecision(run, { action: 'continue', iterations: 2, by: 'ana' }, 't')).toBe(true);
    expect(run.engine!.maxRounds).toBe(run.engine!.round + 2);
  });

  test('the Web UI details say what the run waits for and which decision to send', () => {
    const text = details(
      { target: data.target, dataset: data.dataset, settings: data.settings } as OptimizeInput,
      stalledRun('max-iterations'),
      'optimize-greet-1',
    );
    expect(text).toContain(
      '**Waiting for a person**: a decision before the chosen candidate is recorded: RECURRING ISSUE (since',
    );
    expect(text).toContain('then keeps the original).');
    expect(text).toContain('- keep the original: signal `decide` with `{"action":"rollback","by":"your-name"}`');
    expect(text).toContain(
      '- record the chosen candidate anyway: signal `decide` with `{"action":"accept","by":"your-name"}`',
    );
    expect(text).toContain(
      '`refinery decide optimize-greet-1 --action accept|rollback|cancel --by <name> [--note "…"]`',
    );
  });
});
