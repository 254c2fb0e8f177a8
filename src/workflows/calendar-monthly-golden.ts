import {
  ActivityFailure,
  ChildWorkflowFailure,
  defineSearchAttributeKey,
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { executeChild, log, ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import { evalMetadata, improveMetadata, tuneMetadata } from '../web-ui/static-metadata';
import type { createActivities } from '../activities';
import type { GoldenTarget, MonthlyOutcome, Regression, TuneStart } from '../calendar/monthly/monthly-types';
import { compareGolden, type GoldenResult } from '../calendar/monthly/golden-compare';
import type { CalendarInput, CalendarRunResult } from '../calendar/shared/periods';
import { DEFAULT_EVAL_SETTINGS } from '../eval/defaults';
import { SEARCH_ATTRIBUTES } from '../shared';
import { calendarAsOf } from './calendar-as-of';
import { evalRunWorkflow } from './eval-run';
import { improveWorkflow } from './improve';
import { tuneWorkflow } from './tune';

type Activities = ReturnType<typeof createActivities>;

// Store reads and writes over the whole library in one call each; the default retries heal a locked or
// restarting database, and every one of them is idempotent on the run id.
const store = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes' });
// The webhook is someone else's service: a few spaced attempts, then the run finishes without it
// (the report and the tunes exist already).
const webhook = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);
const skillKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.skill, SearchAttributeType.KEYWORD);

/** Golden re-runs in flight at once: each has its own provider concurrency, so a large library stays polite. */
const PARALLEL_EVALS = 3;

const causeOf = (err: ChildWorkflowFailure | ActivityFailure) => (err.cause?.message ?? err.message).slice(0, 300);

/**
 * One active prompt's production version on its golden dataset, as a child eval run: the eval engine's
 * chunking, caching of nothing (noCache — a cached answer cannot show model drift) and gate. A run
 * that fails is recorded as an error for the report; the month goes on with the other prompts.
 */
async function rerun(t: GoldenTarget, provider: NonNullable<CalendarInput['provider']>, runId: string, batch: boolean) {
  const evalRunId = `${runId}-golden-${t.name}`;
  const base = { name: t.name, kind: t.kind, version: t.version, dataset: t.dataset, datasetVersion: t.datasetVersion };
  try {
    const evalInput = {
      runId: evalRunId,
      target: { name: t.name, version: t.version },
      dataset: { name: t.dataset, version: t.datasetVersion },
      settings: {
        ...DEFAULT_EVAL_SETTINGS,
        provider,
        judgeProvider: provider,
        noCache: true,
        ...(batch ? { batch: true } : {}),
      },
    };
    const s = await executeChild(evalRunWorkflow, {
      workflowId: evalRunId,
      args: [evalInput],
      ...evalMetadata(evalInput, { purpose: `Golden audit ${runId}`, startedBy: 'the improvement calendar' }),
    });
    return {
      ...base,
      evalRunId,
      cases: s.cases,
      passed: s.passed,
      passRate: s.passRate,
      gatePassed: s.gate?.passed ?? false,
      gateCauses: [...new Set((s.gate?.failures ?? []).map((f) => f.cause))],
      reportRef: s.reportRef,
    } satisfies GoldenResult;
  } catch (err) {
    if (!(err instanceof ChildWorkflowFailure)) throw err;
    log.warn('golden re-run failed', { name: t.name, version: t.version, error: causeOf(err) });
    return {
      ...base,
      evalRunId,
      cases: 0,
      passed: 0,
      passRate: 0,
      gatePassed: false,
      gateCauses: [],
      error: causeOf(err),
    } satisfies GoldenResult;
  }
}

/**
 * Starts a regression tune as a child that outlives this run (ParentClosePolicy ABANDON): a tune may
 * wait days for its owner's decision, and the monthly report must not. A child rather than an activity
 * holding a client: the start is recorded in this history with a deterministic id, so a retried or
 * replayed run never starts a second tune, and the Web UI links the tune to the run that started it.
 */
async function startTune(t: Awaited<ReturnType<Activities['prepareRegressionTunes']>>['tunes'][number]) {
  try {
    await startChild(tuneWorkflow, {
      workflowId: t.workflowId,
      args: [t.input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      ...tuneMetadata(t.input),
      typedSearchAttributes: [
        { key: statusKey, value: 'running' },
        { key: skillKey, value: t.name },
      ],
    });
  } catch (err) {
    // Already running (a reset of this run): it is this run's tune all the same.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { name: t.name, workflowId: t.workflowId } satisfies TuneStart;
}

/** A regressed text or chat prompt's improve run: a child that outlives this run, as a tune does. */
async function startImprove(t: Awaited<ReturnType<Activities['prepareRegressionTunes']>>['improves'][number]) {
  try {
    await startChild(improveWorkflow, {
      workflowId: t.workflowId,
      args: [t.input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      ...improveMetadata(t.input, t.workflowId),
      staticSummary: `Improve ${t.name}: the monthly golden re-run found it regressed`,
      typedSearchAttributes: [
        { key: statusKey, value: 'tune' },
        { key: skillKey, value: t.name },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { name: t.name, workflowId: t.workflowId } satisfies TuneStart;
}

/**
 * Monthly (reference 001): every active prompt's golden dataset re-run and compared with last month,
 * regressions flagged and (policy tuneOnRegression, default on) a tune started for each regressed
 * skill; then alert thresholds recalibrated from last month's false positives; report recorded.
 */
export async function monthlyGoldenWorkflow(input: CalendarInput = {}): Promise<CalendarRunResult> {
  const { asOf, source } = calendarAsOf(input);
  const runId = workflowInfo().workflowId;
  const startedAt = new Date().toISOString();
  const provider = input.provider ?? 'auto';
  log.info('monthly golden re-run', { asOf, source });

  const plan = await store.planGoldenRun({ asOf });
  const results: GoldenResult[] = new Array<GoldenResult>(plan.targets.length);
  let next = 0;
  // Bounded: one child eval per golden target (a few events each), so even a library of a thousand
  // production prompts stays well under 10,000 events; no continue-as-new needed.
  const lane = async () => {
    while (next < plan.targets.length) {
      const i = next++;
      results[i] = await rerun(plan.targets[i]!, provider, runId, input.batch ?? false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_EVALS, plan.targets.length) }, lane));

  const comparisons = results.map((r, i) => compareGolden(r, plan.targets[i]!.previous));
  const regressions: Regression[] = results.flatMap((r, i) =>
    comparisons[i]!.verdict === 'regressed'
      ? [
          {
            name: r.name,
            kind: r.kind,
            version: r.version,
            dataset: r.dataset,
            datasetVersion: r.datasetVersion,
            evalRunId: r.evalRunId,
            passRate: r.passRate,
            previousPassRate: plan.targets[i]!.previous?.passRate,
            reasons: comparisons[i]!.reasons,
          },
        ]
      : [],
  );

  const tunesStarted: TuneStart[] = [];
  let tunesSkipped: { name: string; reason: string }[] = [];
  if (regressions.length && input.tuneOnRegression === false) {
    tunesSkipped = regressions.map((r) => ({ name: r.name, reason: 'not tuned: tuneOnRegression is off' }));
  } else if (regressions.length) {
    const prepared = await store.prepareRegressionTunes({ runId, asOf, provider, regressions });
    tunesSkipped = prepared.skipped;
    for (const t of prepared.tunes) tunesStarted.push(await startTune(t));
    for (const t of prepared.improves) tunesStarted.push(await startImprove(t));
  }

  const recalibration = await store.recalibrateAlertThresholds({ runId, asOf });
  const outcome: MonthlyOutcome = {
    runId,
    asOf,
    startedAt,
    plan,
    results,
    comparisons,
    tunesStarted,
    tunesSkipped,
    recalibration,
  };
  const { reportRef, counts } = await store.finishMonthlyRun(outcome);

  if (regressions.length) {
    try {
      await webhook.notifyMonthlyRegressions({
        asOf,
        runId,
        regressed: regressions.map((r) => ({
          name: r.name,
          version: r.version,
          reasons: r.reasons,
          tune: tunesStarted.find((t) => t.name === r.name)?.workflowId,
        })),
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('the regression webhook failed after its retries; the report is stored', { runId, error: causeOf(err) });
    }
  }
  return { runId, period: 'monthly', asOf, counts, reportRef };
}
