import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config';
import { estimateRunCost } from '../../eval/estimate';
import { evaluateGate, type CaseOutcome } from '../../eval/gate';
import { renderRequest } from '../../eval/render';
import { summarise } from '../../eval/summary';
import { renderEvalReport } from '../../eval/report';
import type { ChunkResult, EvalRunInput, EvalSummary } from '../../eval/types';
import { resolveLabel } from '../../library/label-store';
import { getContent, getVersion } from '../../library/versions';
import { putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import {
  createEvalRun,
  doneSamples,
  finishEvalRun,
  getDatasetCases,
  getResults,
  latestCompletedRun,
  putResult,
  spentUsd,
} from '../../store/evals';
import { ModelCalls } from '../tune/model-calls';
import { runCase } from './case-runner';
import { enterRun, leaveRun } from './run-registry';

const judgeGraded = (assertions: unknown[]) => assertions.some((a) => (a as { type?: string }).type === 'rubric');

/** The eval engine's activities: thin adapters over the store, the providers and the pure engine. */
export function evalActivities(db: Db, config: Pick<Config, 'provider' | 'anthropic' | 'gemini'>) {
  const models = new ModelCalls(config, db);

  return {
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
      const { input } = p;
      const s = input.settings;
      const all = await getDatasetCases(db, input.dataset.name, input.dataset.version);
      const cases = all.slice(p.chunk * s.chunkSize, (p.chunk + 1) * s.chunkSize);
      const version = await getVersion(db, input.target.name, { version: input.target.version });
      if (!version)
        throw ApplicationFailure.create({
          type: 'EvalTargetMissing',
          message: `${input.target.name}@${input.target.version} is not in the library`,
          nonRetryable: true,
        });
      const content = await getContent(db, input.target.name, { version: input.target.version });
      const done = await doneSamples(db, input.runId);
      const run = enterRun(input.runId, s.concurrency, await spentUsd(db, input.runId));
      const model = models.resolve('executor', { provider: s.provider, model: s.model });
      const judge = models.resolve('judge', { provider: s.judgeProvider, model: s.judgeModel });
      const deps = {
        db,
        limiter: run.limiter,
        settings: s,
        content,
        contentHash: version.hash,
        model: { provider: models.provider(model.provider), name: model.model, providerName: model.provider },
        judge: { provider: models.provider(judge.provider), name: judge.model, providerName: judge.provider },
      };
      const ctx = Context.current();
      const result: ChunkResult = { evaluated: 0, skipped: 0, fromCache: 0, costUsd: 0, budgetExhausted: false };
      const work = cases.flatMap((c) =>
        Array.from({ length: judgeGraded(c.assertions) ? s.repeat : 1 }, (_, sample) => ({ c, sample })),
      );
      const beat = setInterval(
        () => ctx.heartbeat({ chunk: p.chunk, evaluated: result.evaluated, skipped: result.skipped }),
        1000,
      );
      try {
        let next = 0;
        const worker = async () => {
          while (next < work.length) {
            const { c, sample } = work[next++]!;
            if (done.has(`${c.id}#${sample}`)) {
              result.skipped++;
              continue;
            }
            if (s.maxCostUsd !== undefined && run.spentUsd >= s.maxCostUsd) {
              result.budgetExhausted = true;
              return;
            }
            const r = await runCase(deps, c, sample);
            await putResult(db, input.runId, r);
            run.spentUsd += r.costUsd;
            result.costUsd += r.costUsd;
            result.evaluated++;
            if (r.cached) result.fromCache++;
          }
        };
        // As many loops as the limiter could ever allow; the limiter decides how many call at once.
        await Promise.all(Array.from({ length: Math.min(s.concurrency, work.length) }, worker));
      } finally {
        clearInterval(beat);
        leaveRun(input.runId);
      }
      return result;
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
