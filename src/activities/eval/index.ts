import type { Config } from '../../config';
import { estimateRunCost } from '../../eval/estimate';
import { evaluateGate, type CaseOutcome } from '../../eval/gate';
import { renderRequest } from '../../eval/render';
import { summarise } from '../../eval/summary';
import { renderEvalReport } from '../../eval/report';
import type { ChunkResult, EvalRunInput, EvalSummary } from '../../eval/types';
import { resolveLabel } from '../../library/label-store';
import { getContent } from '../../library/versions';
import { putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { createEvalRun, finishEvalRun, getDatasetCases, getResults, latestCompletedRun } from '../../store/evals';
import { ModelCalls } from '../tune/model-calls';
import { evalBatchActivities } from './batch';
import { judgeGraded, runChunk } from './chunk';

/** The eval engine's activities: thin adapters over the store, the providers and the pure engine. */
export function evalActivities(db: Db, config: Pick<Config, 'provider' | 'anthropic' | 'gemini' | 'openai'>) {
  const models = new ModelCalls(config, db);

  return {
    ...evalBatchActivities(db, config, models),

    /** Records the run and returns the case count and the cost estimate made before anything is spent. */
    async prepareEvalRun(
      input: EvalRunInput,
    ): Promise<{ cases: number; chunks: number; estimate: { calls: number; costUsd: number } }> {
      const cases = await getDatasetCases(db, input.dataset.name, input.dataset.version);
      const content = await getContent(db, input.target.name, { version: input.target.version });
      await createEvalRun(db, {
        runId: input.runId,
        target: input.target.name,
        targetVersion: input.target.version,
        dataset: input.dataset.name,
        datasetVersion: input.dataset.version,
        settings: input.settings,
      });
      const model = models.resolve('executor', { provider: input.settings.provider, model: input.settings.model });
      const judge = models.resolve('judge', {
        provider: input.settings.judgeProvider,
        model: input.settings.judgeModel,
      });
      const est = estimateRunCost({
        prompts: cases.map((c) => renderRequest(content, c.vars).prompt),
        judgeGraded: cases.map((c) => judgeGraded(c.assertions)),
        samples: input.settings.repeat,
        model: model.model,
        judgeModel: judge.model,
        maxOutputTokens: input.settings.maxOutputTokens,
      });
      return {
        cases: cases.length,
        chunks: Math.ceil(cases.length / input.settings.chunkSize),
        estimate: { calls: est.calls, costUsd: est.costUsd },
      };
    },

    /**
     * Evaluates one chunk of cases with bounded, adaptive concurrency. Every finished sample is stored
     * at once, so a retry after a crash skips it; heartbeats carry progress. Stops early (without
     * failing) when the run's spend reaches --max-cost.
     */
    async runEvalChunk(p: { input: EvalRunInput; chunk: number }): Promise<ChunkResult> {
      return runChunk(db, models, p);
    },

    /** Summary, the gate against the production baseline, the markdown report; the run is closed. */
    async finishEval(p: {
      input: EvalRunInput;
      budgetStopped: boolean;
      estimate: { calls: number; costUsd: number };
    }): Promise<EvalSummary> {
      const { input } = p;
      const cases = await getDatasetCases(db, input.dataset.name, input.dataset.version);
      const results = await getResults(db, input.runId);
      const outcomes = (runResults: typeof results): CaseOutcome[] => {
        const by = new Map<string, CaseOutcome>();
        for (const r of runResults) {
          const o = by.get(r.caseId) ?? { caseId: r.caseId, samples: [] };
          o.samples.push({ status: r.status, judgeScore: r.judgeScore ?? undefined });
          by.set(r.caseId, o);
        }
        return [...by.values()];
      };
      let baselineRunId: string | undefined;
      try {
        const production = await resolveLabel(db, input.target.name, 'production');
        baselineRunId = await latestCompletedRun(db, {
          target: input.target.name,
          targetVersion: production,
          dataset: input.dataset.name,
          datasetVersion: input.dataset.version,
          excludeRunId: input.runId,
        });
      } catch {
        baselineRunId = undefined; // no production label yet: no baseline to compare with
      }
      const baseline = baselineRunId ? outcomes(await getResults(db, baselineRunId)) : undefined;
      const gate = evaluateGate({
        cases: cases.map((c) => ({ id: c.id, required: c.required })),
        candidate: outcomes(results),
        baseline,
        passRateThreshold: input.settings.passRateThreshold,
      });
      const summary = summarise({
        runId: input.runId,
        cases,
        results,
        estimate: p.estimate,
        status: p.budgetStopped ? 'budget-stopped' : 'completed',
        gate: { ...gate, baselineRunId },
      });
      const report = renderEvalReport({ input, summary, cases, results });
      const reportRef = await putBlob(db, report);
      await finishEvalRun(db, input.runId, { status: summary.status, summary, gate: summary.gate, reportRef });
      return { ...summary, reportRef };
    },
  };
}
