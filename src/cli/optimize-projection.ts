import type { Config } from '../config';
import { DEFAULT_EVAL_SETTINGS } from '../eval/defaults';
import type { Budget, OptimizeInput, Projection } from '../optimizer/types';
import type { Db } from '../store/db';
import { resolveTuneModels } from '../tune/model-choice';
import type { RunModels } from '../tune/types';
import { projectStoredRun } from '../activities/optimize/run-projection';

/**
 * What the run will cost, from the store, before anything is started. The models are resolved as a worker with
 * this machine's keys would resolve them (the worker resolves them again with its own).
 */
export async function projectOptimize(
  db: Db,
  config: Pick<Config, 'provider' | 'anthropic' | 'gemini' | 'openai'>,
  input: OptimizeInput,
): Promise<{ projection: Projection; models: RunModels }> {
  const models = resolveTuneModels(input.settings, {
    setting: config.provider,
    hasAnthropicKey: Boolean(config.anthropic.apiKey),
    hasGeminiKey: Boolean(config.gemini.apiKey),
    hasOpenaiKey: Boolean(config.openai?.apiKey || config.openai?.baseUrl),
  });
  const projection = await projectStoredRun(db, input, {
    executor: models.executor,
    judge: models.judge,
    improver: models.improver,
    maxOutputTokens: DEFAULT_EVAL_SETTINGS.maxOutputTokens,
  });
  return { projection, models };
}

const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;
const spend = (s: { calls: number; usd: number }) => `${s.calls} calls, ${usd(s.usd)}`;

/** The budget as one phrase: "500 calls, $2.00", "500 calls", or "none". */
export function budgetText(b: Budget): string {
  const parts = [...(b.calls === undefined ? [] : [`${b.calls} calls`]), ...(b.usd === undefined ? [] : [usd(b.usd)])];
  return parts.length ? parts.join(', ') : 'none';
}

/**
 * The projection as the CLI prints it before the run starts: the total, what one round and the start cost, the
 * budget, and the warning (with the flag that fixes it) when the budget cannot cover the baseline plus one full
 * validation of a candidate; then what a change must win on validation to be accepted, warned when only large
 * changes (or none) can be.
 */
export function projectionLines(
  p: Projection,
  budget: Budget,
  settings: { maxRounds: number; parallel: number },
): string[] {
  const lines = [
    `projection: at most ${spend(p)} for ${settings.maxRounds} rounds of ${settings.parallel} proposals ` +
      `(baseline + one full validation ${spend(p.baselineAndOneValidation)}; each round ${spend(p.perRound)}); budget: ${budgetText(budget)}`,
  ];
  const fixes: string[] = [];
  if (budget.calls !== undefined && budget.calls < p.baselineAndOneValidation.calls)
    fixes.push(`--budget-calls ${p.baselineAndOneValidation.calls}`);
  if (budget.usd !== undefined && budget.usd < p.baselineAndOneValidation.usd)
    fixes.push(`--budget-usd ${Math.ceil(p.baselineAndOneValidation.usd * 100) / 100}`);
  if (p.warning || fixes.length)
    lines.push(
      `warning: ${p.warning ?? `the budget cannot cover the baseline plus one full validation of a candidate (${spend(p.baselineAndOneValidation)})`}` +
        (fixes.length ? `: raise it to at least ${fixes.join(' and ')}, or the run can accept nothing` : ''),
    );
  else if ((budget.calls !== undefined && budget.calls < p.calls) || (budget.usd !== undefined && budget.usd < p.usd))
    lines.push(
      `  the budget is below the projection: the run stops when it is spent, with the best accepted candidate`,
    );
  const e = p.evidence;
  if (e) {
    lines.push(
      `acceptance: a change must win at least ${e.minWins} of the ${e.validationCases} validation cases, losing none, to pass the paired test at alpha ${e.alpha}`,
    );
    if (e.warning) lines.push(`warning: ${e.warning}`);
  }
  return lines;
}
