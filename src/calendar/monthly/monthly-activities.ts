import { DEFAULT_ALERT_POLICY } from '../alerts/alert-rules';
import { resolutionCounts } from '../alerts/alert-store';
import { listCalendarRuns, recordCalendarRun } from '../shared/calendar-run-store';
import type { GoldenTarget, MonthlyOutcome, MonthlyPlan, Regression, TuneStart } from './monthly-types';
import { toPrevious, type PreviousResult } from './golden-compare';
import { renderMonthlyReport } from './monthly-report';
import {
  alertPolicyChangedAt,
  openRegressionTune,
  recordRecalibration,
  saveRecalibratedPolicy,
  storedPolicyOverrides,
  storedRecalibration,
} from './monthly-store';
import { countPostRunEvals } from '../shared/post-run-eval-store';
import { productionItems } from '../shared/production-store';
import { recalibrate, RECALIBRATION, type RecalibrationDecision } from './recalibrate';
import { improveWorkflowId } from '../../improve/ids';
import type { ImproveInput } from '../../improve/types';
import {
  regressionImproveInput,
  regressionImproveRunId,
  regressionScenario,
  regressionTuneSettings,
  tuneGoldenCases,
  tuneWorkflowId,
} from './regression-tune';
import { postWebhook, type Webhook } from '../../webhook';
import { getContent, getVersion } from '../../library/versions';
import { putBlob, putJson } from '../../store/blobs';
import type { Db } from '../../store/db';
import { datasetForTarget, getDatasetCases, getResults } from '../../store/evals';
import type { TuneInput } from '../../tune/types';

const DAY_MS = 86_400_000;
const CALENDAR_ACTOR = 'refinery-calendar';

/** What calendar_runs keeps of a monthly run, so the next one can compare. */
export interface MonthlySummary {
  golden: Record<string, PreviousResult>;
  regressed: string[];
  tunes: string[];
}

/** Monthly golden re-run and recalibration: store reads and writes, batched per run. */
export function monthlyActivities(deps: { db: Db; webhook?: Webhook }) {
  const { db } = deps;
  return {
    /**
     * Every active prompt (one with a production label) and its newest golden dataset, with its result
     * in the latest earlier monthly run that evaluated it.
     */
    async planGoldenRun(p: { asOf: string }): Promise<MonthlyPlan> {
      const production = await productionItems(db);
      // A few months back: a prompt that errored last month is compared with the month before.
      const earlier = await listCalendarRuns(db, { period: 'monthly', before: p.asOf, limit: 3 });
      const targets: GoldenTarget[] = [];
      const withoutDataset: string[] = [];
      for (const row of production) {
        const dataset = await datasetForTarget(db, row.name);
        if (!dataset) {
          withoutDataset.push(row.name);
          continue;
        }
        const previous = earlier
          .map((r) => (r.summary as Partial<MonthlySummary>).golden?.[row.name])
          .find((x): x is PreviousResult => x !== undefined);
        targets.push({
          name: row.name,
          kind: row.kind === 'skill' ? 'skill' : 'prompt',
          version: Number(row.version),
          dataset: dataset.name,
          datasetVersion: dataset.version,
          ...(previous ? { previous } : {}),
        });
      }
      return { targets, withoutDataset, previousRunId: earlier[0]?.runId };
    },

    /**
     * Everything a regression tune needs, stored: the scenario and golden cases as blobs. Returns tune
     * inputs (hashes only): the tune has no folder on any machine; its outcome stays in the store until the
     * owner writes it with `refinery outcome <id> --write --dir <folder>`. Idempotent: blobs are
     * content-addressed.
     */
    async prepareRegressionTunes(p: {
      runId: string;
      asOf: string;
      provider: 'auto' | 'anthropic' | 'gemini' | 'openai' | 'offline';
      regressions: Regression[];
    }): Promise<{
      tunes: (TuneStart & { input: TuneInput })[];
      improves: (TuneStart & { input: ImproveInput })[];
      skipped: { name: string; reason: string }[];
    }> {
      const tunes: (TuneStart & { input: TuneInput })[] = [];
      const improves: (TuneStart & { input: ImproveInput })[] = [];
      const skipped: { name: string; reason: string }[] = [];
      for (const r of p.regressions) {
        if (r.kind !== 'skill') {
          // A text or chat prompt goes through `refinery improve` on its golden dataset: tune, gate against
          // production, the owner's approval, guarded rollout, post-rollout check.
          const runId = regressionImproveRunId(p.runId, r.name);
          improves.push({
            name: r.name,
            workflowId: improveWorkflowId(r.name, runId),
            input: regressionImproveInput(r, runId, p.provider, CALENDAR_ACTOR),
          });
          continue;
        }
        const version = await getVersion(db, r.name, { version: r.version });
        const content = await getContent(db, r.name, { version: r.version });
        if (!version || content.type !== 'skill') {
          skipped.push({ name: r.name, reason: `not tuned: v${r.version} is not a skill version in the library` });
          continue;
        }
        const workflowId = tuneWorkflowId(p.runId, r.name);
        // One open regression tune per skill: a second run in the same month (a manual re-run) finds the
        // same regression, and a second tune would only compete with the first for the owner's decision.
        const open = await openRegressionTune(db, CALENDAR_ACTOR, [r.name], workflowId);
        if (open) {
          skipped.push({ name: r.name, reason: `not tuned again: regression tune \`${open}\` is still open` });
          continue;
        }
        const failed = new Set(
          (await getResults(db, r.evalRunId)).filter((x) => x.status !== 'pass').map((x) => x.caseId),
        );
        const golden = tuneGoldenCases(await getDatasetCases(db, r.dataset, r.datasetVersion), failed);
        const input: TuneInput = {
          runId: workflowId,
          skills: [{ name: r.name, originalHash: version.hash }],
          scenarioRef: await putBlob(db, regressionScenario(r, p.asOf)),
          ...(golden.length ? { goldenRef: await putJson(db, golden) } : {}),
          settings: regressionTuneSettings(p.provider),
          startedBy: CALENDAR_ACTOR,
        };
        tunes.push({ name: r.name, workflowId, input });
      }
      return { tunes, improves, skipped };
    },

    /**
     * Widens (or narrows back) each prompt's alert thresholds from how its alerts were resolved in the
     * last 30 days. Applied once per run: the decisions are stored with the changes, in one transaction,
     * and a retry returns them instead of widening twice.
     */
    async recalibrateAlertThresholds(p: { runId: string; asOf: string }): Promise<RecalibrationDecision[]> {
      const stepKey = `${p.runId}:recalibration`;
      const done = await storedRecalibration<RecalibrationDecision[]>(db, stepKey);
      if (done) return done;
      const since = new Date(Date.parse(p.asOf) - RECALIBRATION.windowDays * DAY_MS).toISOString();
      const policies = await alertPolicyChangedAt(db);
      // Per prompt, the window starts at its last threshold change when that falls inside the 30 days.
      const counts: { name: string; resolved: number; falsePositives: number; countedSince?: string }[] = [];
      for (const c of await resolutionCounts(db, since, p.asOf)) {
        const changed = policies.get(c.name);
        if (changed === undefined || changed <= since) counts.push(c);
        else {
          const after = (await resolutionCounts(db, changed, p.asOf)).find((x) => x.name === c.name);
          counts.push({
            name: c.name,
            resolved: after?.resolved ?? 0,
            falsePositives: after?.falsePositives ?? 0,
            countedSince: changed,
          });
        }
      }
      return db.transaction(async (tx) => {
        const decisions: RecalibrationDecision[] = [];
        for (const c of counts) {
          // The stored row holds only what differs from the default: keep it that way, so a later change
          // of the defaults still reaches fields nobody set.
          const stored = await storedPolicyOverrides(tx, c.name);
          const current = { ...DEFAULT_ALERT_POLICY, ...stored };
          const d = recalibrate({
            name: c.name,
            resolved: c.resolved,
            falsePositives: c.falsePositives,
            current: { warningZ: current.warningZ, criticalZ: current.criticalZ },
            countedSince: c.countedSince,
          });
          decisions.push(d);
          if (d.action === 'keep') continue;
          await saveRecalibratedPolicy(
            tx,
            c.name,
            { ...stored, ...d.to },
            `monthly recalibration: ${d.reason}`,
            `${CALENDAR_ACTOR}:${p.runId}`,
          );
        }
        await recordRecalibration(tx, stepKey, decisions);
        return decisions;
      });
    },

    /** The report (stored as a blob) and the calendar_runs record the next month compares with. */
    async finishMonthlyRun(o: MonthlyOutcome): Promise<{ reportRef: string; counts: Record<string, number> }> {
      const since = new Date(Date.parse(o.asOf) - 30 * DAY_MS).toISOString();
      const reportRef = await putBlob(db, renderMonthlyReport(o, await countPostRunEvals(db, since, o.asOf)));
      const counts = monthlyCounts(o);
      const regressed = o.comparisons.filter((c) => c.verdict === 'regressed').map((c) => c.name);
      const summary: MonthlySummary = {
        golden: Object.fromEntries(
          o.results.flatMap((r) => {
            const previous = toPrevious(r);
            return previous ? [[r.name, previous]] : [];
          }),
        ),
        regressed,
        tunes: o.tunesStarted.map((t) => t.workflowId),
      };
      await recordCalendarRun(db, {
        runId: o.runId,
        period: 'monthly',
        asOf: o.asOf,
        counts,
        reportRef,
        startedAt: o.startedAt,
        finishedAt: new Date().toISOString(),
        summary: summary as unknown as Record<string, unknown>,
      });
      return { reportRef, counts };
    },

    /** Tells the team about regressions (names and numbers only); without REFINERY_WEBHOOK_URL, nothing. */
    async notifyMonthlyRegressions(p: {
      asOf: string;
      runId: string;
      regressed: { name: string; version: number; reasons: string[]; tune?: string }[];
    }): Promise<{ sent: boolean }> {
      if (!deps.webhook || p.regressed.length === 0) return { sent: false };
      const lines = p.regressed.map(
        (r) => `• *${r.name}* v${r.version}: ${r.reasons.join('; ')}${r.tune ? ` — tune \`${r.tune}\` started` : ''}`,
      );
      const text = `Refinery monthly golden re-run of ${p.asOf.slice(0, 10)}: ${p.regressed.length} regression(s).\n${lines.join('\n')}\nReport: \`refinery reports show ${p.runId}\`.`;
      await postWebhook(deps.webhook, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
      return { sent: true };
    },
  };
}

export function monthlyCounts(o: MonthlyOutcome): Record<string, number> {
  return {
    prompts: o.results.length,
    regressed: o.comparisons.filter((c) => c.verdict === 'regressed').length,
    tunesStarted: o.tunesStarted.length,
    errors: o.results.filter((r) => r.error).length,
    recalibrated: o.recalibration.filter((d) => d.action !== 'keep').length,
    withoutDataset: o.plan.withoutDataset.length,
  };
}
