import { parseArgs } from 'node:util';
import { connectClient } from '../../client';
import { DEFAULT_EVAL_SETTINGS, startEval, type EvalResult } from '../../clients/eval';
import type { Config } from '../../config';
import { estimateRunCost } from '../../eval/estimate';
import { toJUnit } from '../../eval/junit';
import { renderRequest } from '../../eval/render';
import { resolveLabel } from '../../library/label-store';
import { LibraryError } from '../../library/errors';
import { getContent, requireItem, requireVersion } from '../../library/versions';
import { getBlob } from '../../store/blobs';
import { datasetForTarget, getDataset, getDatasetCases, getResults } from '../../store/evals';
import { openStore } from '../../store/open';
import { parseModelChoice, resolveModel } from '../../tune/model-choice';
import { CliError, EXIT } from '../exit-codes';
import { executionFlag } from '../tune-input';
import { runBinding } from '../../temporal/store-binding';

export const evalHelp = `refinery eval <name> [--version N] [--dataset name@v] [--gate] [--threshold 0.8] [--concurrency N] [--repeat k]
              [--model provider:model] [--judge provider:model] [--max-cost USD] [--no-cache] [--resume <run-id>]
              [--output md|json|junit] [--batch] [--execution agent|inline]
  Evaluates a version (default: production, else latest) on a golden dataset (default: the newest one for
  it). Prints the estimated tokens and cost first. Exit codes: 0 passed, 100 gate failed, 2 bad input.
  --batch sends the model calls through the provider's batch API (Anthropic, Gemini, OpenAI): half the price, answers
  within hours; the run waits on the worker, so stopping this command does not stop the run.
  --execution agent (default for skills) gives the model SKILL.md and tools to read the other files, and the
  rubric judge sees only the files read; inline pastes every file into one prompt (always so with --batch).`;

export async function evalCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      version: { type: 'string' },
      dataset: { type: 'string' },
      gate: { type: 'boolean' },
      threshold: { type: 'string' },
      concurrency: { type: 'string' },
      repeat: { type: 'string' },
      model: { type: 'string' },
      judge: { type: 'string' },
      'max-cost': { type: 'string' },
      'no-cache': { type: 'boolean' },
      resume: { type: 'string' },
      output: { type: 'string' },
      batch: { type: 'boolean' },
      execution: { type: 'string' },
    },
  });
  const name = positionals[0];
  if (!name) throw new CliError('name what to evaluate: refinery eval <name> [--dataset name@v]');
  const output = values.output ?? 'md';
  if (!['md', 'json', 'junit'].includes(output)) throw new CliError('--output must be md, json or junit');
  const num = (v: string | undefined, flag: string, min: number, max: number, int = true) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n)))
      throw new CliError(`${flag} ${v}: expected ${int ? 'a whole number' : 'a number'} from ${min} to ${max}`);
    return n;
  };
  const concurrency = num(values.concurrency, '--concurrency', 1, 512) ?? DEFAULT_EVAL_SETTINGS.concurrency;
  const repeat = num(values.repeat, '--repeat', 1, 50) ?? 1;
  const threshold = num(values.threshold, '--threshold', 0, 1, false) ?? DEFAULT_EVAL_SETTINGS.passRateThreshold;
  const maxCostUsd = num(values['max-cost'], '--max-cost', 0, 1e6, false);
  let model, judge;
  try {
    model = parseModelChoice(values.model ?? 'auto', '--model');
    judge = parseModelChoice(values.judge ?? 'auto', '--judge');
  } catch (err) {
    throw new CliError((err as Error).message);
  }

  const db = await openStore(config.databaseUrl);
  try {
    let version: number;
    let dataset;
    try {
      await requireItem(db, name);
      version = values.version
        ? (await requireVersion(db, name, num(values.version, '--version', 1, 1e9)!)).version
        : await resolveLabel(db, name, 'production').catch(() => resolveLabel(db, name, 'latest'));
    } catch (err) {
      if (err instanceof LibraryError) throw new CliError(err.message);
      throw err;
    }
    if (values.dataset) {
      const [dsName, v] = values.dataset.split('@');
      dataset = await getDataset(db, dsName!, v === undefined ? undefined : Number(v));
      if (!dataset) throw new CliError(`no dataset ${values.dataset}: import one with \`refinery dataset add\``);
    } else {
      dataset = await datasetForTarget(db, name);
      if (!dataset)
        throw new CliError(
          `no dataset for "${name}": pass --dataset name@v or import one with \`refinery dataset add <ds> <file> --for ${name}\``,
        );
    }

    // The estimate comes before anything is spent; the worker resolves `auto` the same way when it holds these keys.
    const cases = await getDatasetCases(db, dataset.name, dataset.version);
    const content = await getContent(db, name, { version });
    const keys = {
      setting: config.provider,
      hasAnthropicKey: Boolean(config.anthropic.apiKey),
      hasGeminiKey: Boolean(config.gemini.apiKey),
      hasOpenaiKey: Boolean(config.openai?.apiKey || config.openai?.baseUrl),
    };
    const est = estimateRunCost({
      prompts: cases.map((c) => renderRequest(content, c.vars).prompt),
      // Rubric and trigger cases take --repeat samples each.
      judgeGraded: cases.map((c) =>
        c.assertions.some((a) => ['rubric', 'trigger'].includes((a as { type?: string }).type ?? '')),
      ),
      samples: repeat,
      model: resolveModel('executor', model, keys).model,
      judgeModel: resolveModel('judge', judge, keys).model,
      maxOutputTokens: DEFAULT_EVAL_SETTINGS.maxOutputTokens,
    });
    console.error(
      `estimate: ${cases.length} cases, ${est.calls} calls, ~${est.inputTokens} input + ≤${est.outputTokens} output tokens, ≤ $${est.costUsd.toFixed(4)}` +
        (maxCostUsd !== undefined ? ` (budget $${maxCostUsd})` : '') +
        // The estimate stays at list prices: an upper bound, since failed batch items and judge calls pay full price.
        (values.batch ? ' at list prices; batch answers cost half' : ''),
    );

    const { client, close } = await connectClient(config);
    let result: EvalResult;
    let runId: string;
    try {
      const binding = await runBinding(config, db);
      const started = await startEval(
        client,
        binding.taskQueue,
        {
          runId: values.resume,
          target: { name, version },
          dataset: { name: dataset.name, version: dataset.version },
          settings: {
            ...DEFAULT_EVAL_SETTINGS,
            provider: model.provider,
            model: model.model,
            judgeProvider: judge.provider,
            judgeModel: judge.model,
            concurrency,
            repeat,
            noCache: Boolean(values['no-cache']),
            maxCostUsd,
            passRateThreshold: threshold,
            ...(values.batch ? { batch: true } : {}),
            ...(values.execution === undefined ? {} : { execution: executionFlag(values.execution) }),
          },
        },
        binding.store,
      );
      runId = started.runId;
      console.error(`run ${runId} started`);
      result = await started.handle.result();
    } finally {
      await close();
    }

    if (output === 'json') console.log(JSON.stringify(result, null, 2));
    else if (output === 'junit') console.log(toJUnit(name, result, await getResults(db, runId)));
    else console.log(result.reportRef ? await getBlob(db, result.reportRef) : JSON.stringify(result));
    if (result.status === 'budget-stopped') {
      console.error(
        `stopped by the budget after $${result.costUsd.toFixed(4)}: resume with \`refinery eval ${name} --resume ${runId} --max-cost <more>\``,
      );
    }
    if (values.gate && !result.gate?.passed) return EXIT.gateFailed;
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
