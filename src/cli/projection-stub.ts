/**
 * STUB — remove at merge. Stands in for `projectRun` of src/optimizer/projection.ts (helper "report" writes it on
 * another branch) with the signature the CLI codes against. At merge: point the one import in
 * src/cli/optimize-projection.ts at '../optimizer/projection' and delete this file.
 */
import type { EvalModels } from '../optimizer/activity-types';
import type { OptimizeInput, Projection, Spend } from '../optimizer/types';
import { estimateRunCost } from '../eval/estimate';
import { renderRequest } from '../eval/render';
import { getContent } from '../library/versions';
import type { Db } from '../store/db';
import { getDatasetCases } from '../store/evals';
import type { ResolvedModel } from '../tune/types';

const add = (a: Spend, b: Spend): Spend => ({ calls: a.calls + b.calls, usd: a.usd + b.usd });
const times = (a: Spend, k: number): Spend => ({ calls: a.calls * k, usd: a.usd * k });

/** An upper bound of a run's calls and dollars: every child screened and validated, every round run. */
export async function projectRun(
  db: Db,
  input: OptimizeInput,
  models: EvalModels & { improver: ResolvedModel },
): Promise<Projection> {
  const cases = await getDatasetCases(db, input.dataset.name, input.dataset.version);
  const content = await getContent(db, input.target.name, { version: input.target.version });
  const s = input.settings;
  const n = cases.length;
  const held = n >= input.split.minCasesForSplit;
  const validation = held ? Math.max(1, Math.round(n * input.split.validationShare)) : n;
  const test = held ? Math.round(n * input.split.testShare) : 0;
  const cost = (count: number, samples: number): Spend => {
    const slice = cases.slice(0, count);
    const e = estimateRunCost({
      prompts: slice.map((c) => renderRequest(content, c.vars).prompt),
      judgeGraded: slice.map((c) => c.assertions.some((a) => (a as { type?: string }).type === 'rubric')),
      samples,
      model: models.executor.model,
      judgeModel: models.judge.model,
      maxOutputTokens: models.maxOutputTokens,
    });
    return { calls: e.calls, usd: e.costUsd };
  };
  const oneValidation = cost(validation, s.repeat);
  const improver = estimateRunCost({
    prompts: ['x'.repeat(s.reflectionTokens * 4)],
    judgeGraded: [false],
    samples: 1,
    model: models.improver.model,
    judgeModel: models.judge.model,
    maxOutputTokens: 4096,
  });
  const proposal = add(add(times(cost(Math.min(s.minibatchSize, n), 1), 2), oneValidation), {
    calls: 1,
    usd: improver.costUsd,
  });
  const perRound = times(proposal, s.parallel);
  const total = add(add(oneValidation, times(perRound, s.maxRounds)), times(cost(test, s.repeat), 2));
  const baselineAndOneValidation = times(oneValidation, 2);
  const short =
    (s.budget.calls !== undefined && s.budget.calls < baselineAndOneValidation.calls) ||
    (s.budget.usd !== undefined && s.budget.usd < baselineAndOneValidation.usd);
  return {
    calls: total.calls,
    usd: total.usd,
    perRound,
    baselineAndOneValidation,
    ...(short
      ? {
          warning: `the budget cannot cover the baseline plus one full validation of a candidate (${baselineAndOneValidation.calls} calls, $${baselineAndOneValidation.usd.toFixed(2)})`,
        }
      : {}),
  };
}
