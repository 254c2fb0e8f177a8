import { estimateRunCost } from '../eval/estimate';
import { estimateCostUsd } from '../providers/pricing';
import { acceptanceEvidence } from './evidence';
import type { DatasetSplit, OptimizerSettings, Projection, Spend } from './types';

/** One case as the projection prices it: the request the executor would get, and whether a judge grades it. */
export interface ProjectionCase {
  id: string;
  /** The rendered request (system and prompt) for the candidate being tuned. */
  prompt: string;
  judgeGraded: boolean;
  /** Skills: the request without the skill, for the no-skill baseline. */
  noSkillPrompt?: string;
}

export interface ProjectionInput {
  cases: ProjectionCase[];
  split: Pick<DatasetSplit, 'train' | 'validation' | 'test'>;
  settings: Pick<OptimizerSettings, 'maxRounds' | 'parallel' | 'minibatchSize' | 'repeat' | 'budget' | 'alpha'>;
  models: { executor: string; judge: string; improver: string; maxOutputTokens: number };
  /** Tokens the reflection prompt may hold (failures and lineage), on top of the content it improves. */
  reflectionTokens: number;
  /** Tokens of the content being tuned: the improver reads it and writes a changed copy back. */
  contentTokens: number;
  /** A skill also runs its cases without the skill once, at the end (the baseline delta). */
  skill: boolean;
  /** The dataset's share that a split gives validation (the --validation-share setting), for the advice on how many
   * cases would let smaller changes through; without a held-out split validation is every case, so the split's
   * own sizes cannot tell it. */
  validationShare: number;
  /** Share of children expected to win their minibatch and go on to validation; default 0.5. */
  childrenValidated?: number;
}

/**
 * The share of children assumed to win their minibatch screen. GEPA-style screening rejects many children early;
 * half is a middle guess that neither promises a cheap run nor scares a user off a fair budget.
 */
export const DEFAULT_CHILDREN_VALIDATED = 0.5;

const add = (...xs: Spend[]): Spend => ({
  calls: xs.reduce((n, x) => n + x.calls, 0),
  usd: xs.reduce((n, x) => n + x.usd, 0),
});
const times = (x: Spend, k: number): Spend => ({ calls: x.calls * k, usd: x.usd * k });
// Calls are whole; dollars to a micro-dollar, as estimateRunCost rounds them.
const settle = (x: Spend): Spend => ({ calls: Math.ceil(x.calls - 1e-9), usd: Math.round(x.usd * 1e6) / 1e6 });

/**
 * What a run will spend with these settings, before anything is spent: executor and judge calls (judge calls only
 * for judge-graded cases, `repeat` samples of those on validation and test) plus one improver call per proposal,
 * priced from the model price table. The plan priced: the original on validation (the baseline); per round,
 * `parallel` proposals each with the parent and the child on a training minibatch (one sample), one improver call,
 * and a validation of the children that win their minibatch; at the end the chosen and the original on the test
 * split, and for a skill one run without it (on test, else validation). Stored results cost nothing when the run
 * happens, and the engine buys a validation's extra samples only on the cases where child and parent disagree (the
 * baseline takes one per case), so this is an upper estimate in those respects. `warning` is set when the budget cannot pay for the
 * baseline plus one full validation of a candidate: such a run could never accept anything. `evidence` says how
 * many validation cases a change must win to pass the paired test (see evidence.ts), with its own warning.
 */
export function projectRun(p: ProjectionInput): Projection {
  const byId = new Map(p.cases.map((c) => [c.id, c]));
  const evaluate = (ids: string[], samples: number, prompt: (c: ProjectionCase) => string): Spend => {
    const cases = ids.map((id) => {
      const c = byId.get(id);
      if (!c) throw new RangeError(`case "${id}" of the split is not among the projected cases`);
      return c;
    });
    const est = estimateRunCost({
      prompts: cases.map(prompt),
      judgeGraded: cases.map((c) => c.judgeGraded),
      samples,
      model: p.models.executor,
      judgeModel: p.models.judge,
      maxOutputTokens: p.models.maxOutputTokens,
    });
    return { calls: est.calls, usd: est.costUsd };
  };
  const withContent = (c: ProjectionCase) => c.prompt;
  const s = p.settings;

  const validation = evaluate(p.split.validation, s.repeat, withContent);
  // A minibatch is drawn from train: price it as the mean training case times the minibatch size.
  const trainAll = evaluate(p.split.train, 1, withContent);
  const minibatchSize = Math.min(s.minibatchSize, p.split.train.length);
  const minibatch = p.split.train.length ? times(trainAll, minibatchSize / p.split.train.length) : { calls: 0, usd: 0 };
  const improverIn = p.reflectionTokens + p.contentTokens;
  const improverOut = p.contentTokens + 500; // the changed content and a one-line summary
  const improver: Spend = { calls: 1, usd: estimateCostUsd(p.models.improver, improverIn, improverOut) };
  const share = p.childrenValidated ?? DEFAULT_CHILDREN_VALIDATED;
  const perProposal = add(times(minibatch, 2), improver, times(validation, share));
  const perRound = times(perProposal, s.parallel);

  const test = p.split.test.length ? times(evaluate(p.split.test, s.repeat, withContent), 2) : { calls: 0, usd: 0 };
  const deltaIds = p.split.test.length ? p.split.test : p.split.validation;
  const noSkill = p.skill ? evaluate(deltaIds, s.repeat, (c) => c.noSkillPrompt ?? c.prompt) : { calls: 0, usd: 0 };
  const total = add(validation, times(perRound, s.maxRounds), test, noSkill);
  const floor = settle(times(validation, 2));

  const short: string[] = [];
  if (s.budget.calls !== undefined && s.budget.calls < floor.calls)
    short.push(`--budget-calls ${s.budget.calls} is below ${floor.calls} calls`);
  if (s.budget.usd !== undefined && s.budget.usd < floor.usd)
    short.push(`--budget-usd ${s.budget.usd} is below $${floor.usd.toFixed(4)}`);
  const warning = short.length
    ? `the budget cannot cover the baseline plus one full validation of a candidate (${short.join('; ')}): ` +
      'the run could never accept a change. Raise the budget, or lower --repeat or the validation share.'
    : undefined;
  return {
    ...settle(total),
    perRound: settle(perRound),
    baselineAndOneValidation: floor,
    ...(warning ? { warning } : {}),
    evidence: acceptanceEvidence(p.split.validation.length, s.alpha, p.validationShare),
  };
}
