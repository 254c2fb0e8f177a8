import { parseArgs } from 'node:util';
import { connectClient } from '../../client';
import type { Config } from '../../config';
import { LibraryError } from '../../library/errors';
import { requireVersion } from '../../library/versions';
import { AB_METRICS } from '../../rollout/ab';
import type { AbInput, AbStatus } from '../../rollout/ab-types';
import type { SignalName } from '../../rollout/guard';
import { openStore } from '../../store/open';
import { parseDuration } from '../duration';
import { runBinding } from '../../temporal/store-binding';
import { CliError, EXIT } from '../exit-codes';
import { workflowUiLink } from '../stack';

export const abHelp = `refinery ab <name> --variants A,B [--split 50,50] --metric <signal> [--min-samples 1000] [--interval 1m] [--max 14d] [--wait]
  An A/B test between two versions with sticky assignment; it ends with the effect size (B − A), a 95 %
  confidence interval and a decision. Metrics: ${AB_METRICS.join(', ')} (lower is better).`;

export async function abCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      variants: { type: 'string' },
      split: { type: 'string' },
      metric: { type: 'string' },
      'min-samples': { type: 'string' },
      interval: { type: 'string' },
      max: { type: 'string' },
      wait: { type: 'boolean' },
    },
  });
  const name = positionals[0];
  if (!name) throw new CliError('usage: refinery ab <name> --variants A,B --metric <signal>');
  const variants = (values.variants ?? '').split(',').map(Number);
  if (variants.length !== 2 || variants.some((v) => !Number.isInteger(v) || v < 1) || variants[0] === variants[1]) {
    throw new CliError('--variants takes two different version numbers, e.g. --variants 3,4');
  }
  const split = (values.split ?? '50,50').split(',').map(Number);
  if (split.length !== 2 || split.some((s) => !(s > 0 && s < 100)) || split[0]! + split[1]! !== 100)
    throw new CliError('--split takes two shares above 0 adding up to 100, e.g. 50,50');
  if (!AB_METRICS.includes(values.metric as SignalName))
    throw new CliError(`--metric must be one of ${AB_METRICS.join(', ')}`);
  const minSamples = Number(values['min-samples'] ?? 1000);
  if (!Number.isInteger(minSamples) || minSamples < 10) throw new CliError('--min-samples must be a whole number ≥ 10');
  let checkIntervalMs, maxDurationMs;
  try {
    checkIntervalMs = parseDuration(values.interval ?? '1m', '--interval');
    maxDurationMs = parseDuration(values.max ?? '14d', '--max');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const db = await openStore(config.databaseUrl);
  let binding: Awaited<ReturnType<typeof runBinding>>;
  try {
    for (const v of variants) await requireVersion(db, name, v);
    binding = await runBinding(config, db);
  } catch (err) {
    if (err instanceof LibraryError) throw new CliError(err.message);
    throw err;
  } finally {
    await db.close();
  }
  const input: AbInput = {
    abId: `ab-${name}-${Date.now().toString(36)}`,
    name,
    variants: variants as [number, number],
    split: split as [number, number],
    metric: values.metric as SignalName,
    minSamples,
    checkIntervalMs,
    maxDurationMs,
  };
  const { client, close } = await connectClient(config);
  try {
    const handle = await client.workflow.start('abTestWorkflow', {
      taskQueue: binding.taskQueue,
      workflowId: input.abId,
      args: [input],
      memo: binding.memo,
    });
    console.log(
      `A/B test ${input.abId} started (v${variants[0]} ${split[0]}% / v${variants[1]} ${split[1]}%)\n  ${workflowUiLink(config, input.abId)}`,
    );
    if (!values.wait) return EXIT.ok;
    const s = (await handle.result()) as AbStatus;
    if (!s.verdict) {
      console.log(
        `inconclusive: ${s.samples.a} / ${s.samples.b} samples, fewer than ${minSamples} per variant before --max`,
      );
      return EXIT.ok;
    }
    const v = s.verdict;
    console.log(
      `${v.metric}: v${variants[0]} ${v.a.value} (n=${v.a.samples}), v${variants[1]} ${v.b.value} (n=${v.b.samples}); effect ${v.effect} ` +
        `(95% CI ${v.ci95[0]} to ${v.ci95[1]}${v.relativeEffect === null ? '' : `, ${(v.relativeEffect * 100).toFixed(1)}% relative`}): ${v.decision}`,
    );
    return EXIT.ok;
  } finally {
    await close();
  }
}
