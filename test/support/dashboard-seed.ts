import { applyAlertActions, ackAlert, resolveAlert } from '../../src/calendar/alerts/alert-store';
import type { Finding } from '../../src/calendar/alerts/alert-rules';
import { recordCalendarRun } from '../../src/calendar/shared/calendar-run-store';
import { recordRuns } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import { upsertRollout } from '../../src/rollout/rollout-store';
import type { Db } from '../../src/store/db';
import { createEvalRun, finishEvalRun } from '../../src/store/evals';
import {
  createTuneRun,
  finishTuneRun,
  recordIteration,
  recordProviderCall,
  setTuneRunStatus,
} from '../../src/store/tune-runs';

/**
 * A week of activity written through the store's own functions, with timestamps moved onto chosen days:
 * tune runs with their iterations (one stalled, awaiting a decision; one tuning two skills), eval runs,
 * rollouts (two rolled back: the errors), an A/B test, calendar runs, alerts in every state, recorded
 * prompt runs with errors, and provider calls. The expected figures live beside it, in SEEDED.
 */
export const SEEDED = {
  stalledWorkflowId: 'tune-release-notes-c3',
  tuneRuns: {
    'tune-release-notes-a1': { daysAgo: 6, skills: ['release-notes'], scores: [62, 70, 78, 84], status: 'completed' },
    'tune-release-notes-b2': { daysAgo: 4, skills: ['release-notes'], scores: [55, 66, 71], status: 'completed' },
    'tune-release-notes+triage-e5': {
      daysAgo: 3,
      skills: ['release-notes', 'triage'],
      scores: [70, 77],
      status: 'completed',
    },
    'tune-release-notes-c3': {
      daysAgo: 2,
      skills: ['release-notes'],
      scores: [60, 64, null, 65],
      status: 'awaiting-decision',
    },
    'tune-triage-d4': { daysAgo: 1, skills: ['triage'], scores: [40, 58], status: 'running' },
  } as Record<string, { daysAgo: number; skills: string[]; scores: (number | null)[]; status: string }>,
  evalRuns: [
    { runId: 'eval-release-notes-1', target: 'release-notes', daysAgo: 5, status: 'completed' },
    { runId: 'eval-support-reply-1', target: 'support-reply', daysAgo: 3, status: 'completed' },
    { runId: 'eval-support-reply-2', target: 'support-reply', daysAgo: 0, status: 'budget-stopped' },
  ],
  rollouts: [
    { rolloutId: 'ro-1', kind: 'rollout' as const, daysAgo: 5, status: 'promoted' },
    { rolloutId: 'ro-2', kind: 'rollout' as const, daysAgo: 3, status: 'rolled-back' },
    { rolloutId: 'ro-3', kind: 'rollout' as const, daysAgo: 1, status: 'rolled-back' },
    { rolloutId: 'ro-4', kind: 'rollout' as const, daysAgo: 0, status: 'running' },
    { rolloutId: 'ab-1', kind: 'ab' as const, daysAgo: 2, status: 'completed' },
  ],
  calendarRuns: [
    { runId: 'cal-daily-1', period: 'daily' as const, daysAgo: 1 },
    { runId: 'cal-daily-0', period: 'daily' as const, daysAgo: 0 },
    { runId: 'cal-weekly-1', period: 'weekly' as const, daysAgo: 5 },
  ],
  /** Recorded runs per name: [runs, errors], spread over the week. */
  promptRuns: { 'support-reply': [12, 3], 'ticket-summary': [5, 1], 'release-notes': [4, 0] } as Record<
    string,
    [number, number]
  >,
  providerCalls: [
    { provider: 'anthropic', model: 'claude-sonnet', input: 1200, output: 300, cost: 0.0081, daysAgo: 6 },
    { provider: 'anthropic', model: 'claude-sonnet', input: 800, output: 200, cost: 0.0054, daysAgo: 2 },
    { provider: 'gemini', model: 'gemini-flash', input: 500, output: 100, cost: 0.0002, daysAgo: 1 },
  ],
  /** Shown verbatim (escaped) in the alert table: markup in stored text must never become markup. */
  alertDetail: 'error rate 9% vs <b>2%</b> baseline & "rising"',
};

/** Noon UTC of the day `daysAgo` days before now: days stay put whatever the hour the test runs. */
export function dayAt(now: Date, daysAgo: number): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12) - daysAgo * 86_400_000);
  return d.toISOString();
}

export async function seedDashboardStore(db: Db, now = new Date()): Promise<void> {
  const at = (daysAgo: number) => dayAt(now, daysAgo);
  await recordVersion(
    db,
    'support-reply',
    { type: 'text', text: 'Reply to {{ticket}}', variables: ['ticket'] },
    {
      rationale: 'first',
      author: 'olga',
    },
  );
  await recordVersion(
    db,
    'ticket-summary',
    { type: 'text', text: 'Summarise {{ticket}}', variables: ['ticket'] },
    {
      rationale: 'first',
      author: 'olga',
    },
  );
  await recordVersion(
    db,
    'release-notes',
    { type: 'skill', files: { 'SKILL.md': '# Release notes\nWrite them.' } },
    {
      rationale: 'first',
      author: 'sam',
    },
  );

  for (const [runId, t] of Object.entries(SEEDED.tuneRuns)) {
    await createTuneRun(db, { runId, workflowId: runId, skills: t.skills, settings: {}, startedBy: 'sam' });
    for (const [i, score] of t.scores.entries()) await recordIteration(db, runId, i + 1, score, { iteration: i + 1 });
    if (t.status === 'completed') {
      const best = Math.max(...t.scores.filter((s): s is number => s !== null));
      await finishTuneRun(db, runId, { status: 'completed', termination: 'threshold-met', bestScore: best });
    } else if (t.status !== 'running') await setTuneRunStatus(db, runId, t.status);
    await db.run('UPDATE tune_runs SET started_at = ? WHERE run_id = ?', [at(t.daysAgo), runId]);
  }

  for (const e of SEEDED.evalRuns) {
    await createEvalRun(db, {
      runId: e.runId,
      target: e.target,
      targetVersion: 1,
      dataset: `${e.target}-golden`,
      datasetVersion: 1,
      settings: {},
    });
    await finishEvalRun(db, e.runId, { status: e.status, summary: {}, gate: undefined });
    await db.run('UPDATE eval_runs SET started_at = ? WHERE run_id = ?', [at(e.daysAgo), e.runId]);
  }

  for (const r of SEEDED.rollouts) {
    await upsertRollout(db, {
      rolloutId: r.rolloutId,
      name: 'support-reply',
      kind: r.kind,
      controlVersion: 1,
      candidateVersion: 2,
      percent: r.status === 'running' ? 10 : 0,
      salt: r.rolloutId,
      status: r.status,
      step: 1,
    });
    await db.run('UPDATE rollouts SET started_at = ? WHERE rollout_id = ?', [at(r.daysAgo), r.rolloutId]);
  }

  for (const c of SEEDED.calendarRuns) {
    await recordCalendarRun(db, {
      runId: c.runId,
      period: c.period,
      asOf: at(c.daysAgo),
      counts: { opened: 1 },
      startedAt: at(c.daysAgo),
      finishedAt: at(c.daysAgo),
    });
  }

  const finding = (name: string, signal: Finding['signal'], severity: Finding['severity'], detail: string) => ({
    kind: 'open' as const,
    finding: {
      name,
      version: 1,
      signal,
      severity,
      baseline: 0.02,
      current: 0.09,
      z: 4.2,
      samples: 120,
      dedupeKey: `${name}:1:${signal}`,
      detail,
    },
  });
  await applyAlertActions(db, [finding('support-reply', 'error-rate', 'warning', SEEDED.alertDetail)], new Date(at(3)));
  await applyAlertActions(
    db,
    [finding('ticket-summary', 'format-compliance', 'critical', 'format compliance 71% vs 96% baseline')],
    new Date(at(1)),
  );
  const [acked] = (
    await applyAlertActions(
      db,
      [finding('ticket-summary', 'correction-rate', 'warning', 'correction rate 18% vs 6% baseline')],
      new Date(at(2)),
    )
  ).opened;
  await ackAlert(db, acked!.alertId, 'olga');
  const [resolved] = (
    await applyAlertActions(
      db,
      [finding('release-notes', 'error-rate', 'warning', 'error rate 4% vs 1% baseline')],
      new Date(at(5)),
    )
  ).opened;
  await resolveAlert(db, resolved!.alertId, { as: 'false-positive', note: 'a load test', actor: 'olga' });

  for (const [name, [runs, errors]] of Object.entries(SEEDED.promptRuns)) {
    await recordRuns(
      db,
      Array.from({ length: runs }, (_, i) => ({
        id: `run-${name}-${i}`,
        name,
        version: 1,
        inputTokens: 100,
        outputTokens: 40,
        ...(i < errors ? { error: 'provider timeout' } : {}),
        corrected: false,
        regenerated: false,
        at: at(i % 7),
      })),
    );
  }

  for (const [i, c] of SEEDED.providerCalls.entries()) {
    const key = `call-${i}`;
    await recordProviderCall(db, {
      key,
      phase: 'execute',
      provider: c.provider,
      model: c.model,
      inputTokens: c.input,
      outputTokens: c.output,
      costUsd: c.cost,
      latencyMs: 900,
    });
    await db.run('UPDATE provider_calls SET created_at = ? WHERE call_key = ?', [at(c.daysAgo), key]);
  }
}
