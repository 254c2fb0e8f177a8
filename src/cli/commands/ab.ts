import { parseArgs } from 'node:util';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { connectClient } from '../../client';
import type { Config } from '../../config';
import { LibraryError } from '../../library/errors';
import { requireVersion } from '../../library/versions';
import { AB_METRICS } from '../../rollout/ab';
import { AB_DEFAULTS, AB_MAX_DURATION_MS, AB_MIN_INTERVAL_MS, abBoundsProblem } from '../../rollout/ab-plan';
import type { AbInput, AbStatus } from '../../rollout/ab-types';
import type { SignalName } from '../../rollout/guard';
import {
  experimentRunningMessage,
  runningExperiment,
  upsertRollout,
  type RolloutRow,
} from '../../rollout/rollout-store';
import { openStore } from '../../store/open';
import { parseDuration } from '../duration';
import { runBinding } from '../../temporal/store-binding';
import { CliError, EXIT } from '../exit-codes';
import { cliActor } from '../library-io';
import { workflowUiLink } from '../stack';
import { rolloutWorkflowId } from './rollout';
import { abMetadata } from '../../web-ui/static-metadata';

export const abHelp = `refinery ab <name> --variants A,B --metric <signal> [--split ${AB_DEFAULTS.split}] [--min-samples ${AB_DEFAULTS.minSamples}]
                 [--interval ${AB_DEFAULTS.interval}] [--max ${AB_DEFAULTS.max}] [--wait]
  An A/B test between two versions with sticky assignment; it ends with the effect size (B − A), a 95 %
  confidence interval and a decision.
  Metrics: ${AB_METRICS.join(', ')} (lower is better).
  Defaults: split ${AB_DEFAULTS.split}, min samples ${AB_DEFAULTS.minSamples} per variant, a check every ${AB_DEFAULTS.interval} (--interval at least
  ${AB_MIN_INTERVAL_MS / 1000}s), ending after ${AB_DEFAULTS.max} without a decision (--max at most ${AB_MAX_DURATION_MS / 86_400_000}d).
  One experiment per prompt: refused while another A/B test or a rollout of <name> runs.
refinery ab stop <name> [--by <user>] [--reason "…"]
  Stops the running A/B test of <name>: the split goes back to 0 % and the test ends "stopped", with who stopped it.`;

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
      by: { type: 'string' },
      reason: { type: 'string' },
    },
  });
  if (positionals[0] === 'stop') return abStop(config, positionals[1], values);
  const name = positionals[0];
  if (!name) throw new CliError('usage: refinery ab <name> --variants A,B --metric <signal>');
  const variants = (values.variants ?? '').split(',').map(Number);
  if (variants.length !== 2 || variants.some((v) => !Number.isInteger(v) || v < 1) || variants[0] === variants[1]) {
    throw new CliError('--variants takes two different version numbers, e.g. --variants 3,4');
  }
  const split = (values.split ?? AB_DEFAULTS.split).split(',').map(Number);
  if (split.length !== 2 || split.some((s) => !(s > 0 && s < 100)) || split[0]! + split[1]! !== 100)
    throw new CliError('--split takes two shares above 0 adding up to 100, e.g. 50,50');
  if (!AB_METRICS.includes(values.metric as SignalName))
    throw new CliError(`--metric must be one of ${AB_METRICS.join(', ')}`);
  const minSamples = Number(values['min-samples'] ?? AB_DEFAULTS.minSamples);
  if (!Number.isInteger(minSamples) || minSamples < 10) throw new CliError('--min-samples must be a whole number ≥ 10');
  let checkIntervalMs, maxDurationMs;
  try {
    checkIntervalMs = parseDuration(values.interval ?? AB_DEFAULTS.interval, '--interval');
    maxDurationMs = parseDuration(values.max ?? AB_DEFAULTS.max, '--max');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const bounds = abBoundsProblem({ checkIntervalMs, maxDurationMs });
  if (bounds)
    throw new CliError(
      `--interval ${values.interval ?? AB_DEFAULTS.interval} --max ${values.max ?? AB_DEFAULTS.max}: ${bounds}`,
    );
  const db = await openStore(config.databaseUrl);
  let binding: Awaited<ReturnType<typeof runBinding>>;
  try {
    for (const v of variants) await requireVersion(db, name, v);
    const running = await runningExperiment(db, name);
    if (running) throw new CliError(experimentRunningMessage(running), EXIT.alreadyRunning);
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
    await refuseIfRolloutRunning(client, name);
    const handle = await client.workflow.start('abTestWorkflow', {
      taskQueue: binding.taskQueue,
      workflowId: input.abId,
      args: [input],
      memo: binding.memo,
      ...abMetadata(input, { startedBy: cliActor(config, values.by).subject }),
    });
    console.log(
      `A/B test ${input.abId} started (v${variants[0]} ${split[0]}% / v${variants[1]} ${split[1]}%)\n  ${workflowUiLink(config, input.abId)}`,
    );
    if (!values.wait) return EXIT.ok;
    const s = (await handle.result()) as AbStatus;
    if (s.phase === 'stopped') {
      console.log(
        `stopped by ${s.stoppedBy}${s.stopReason ? `: ${s.stopReason}` : ''} (${s.samples.a} / ${s.samples.b} samples)`,
      );
      return EXIT.ok;
    }
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

/**
 * A rollout has no split row until its first step (staging, the gate and approval come first), so the
 * store alone does not see it: its workflow, one id per name, does.
 */
async function refuseIfRolloutRunning(client: Client, name: string): Promise<void> {
  const id = rolloutWorkflowId(name);
  const desc = await client.workflow
    .getHandle(id)
    .describe()
    .catch(() => undefined);
  if (desc?.status.name === 'RUNNING')
    throw new CliError(
      `"${name}" already has a running rollout (workflow ${id}): one experiment per prompt at a time; abort it with \`refinery rollout abort ${name}\`, or wait for it to end`,
      EXIT.alreadyRunning,
    );
}

async function abStop(
  config: Config,
  name: string | undefined,
  values: { by?: string; reason?: string },
): Promise<number> {
  if (!name) throw new CliError('usage: refinery ab stop <name> [--by <user>] [--reason "…"]');
  const db = await openStore(config.databaseUrl);
  let running: RolloutRow | undefined;
  try {
    running = await runningExperiment(db, name);
    if (!running) throw new CliError(`no A/B test of "${name}" is running`);
    if (running.kind !== 'ab')
      throw new CliError(
        `the running experiment of "${name}" is a rollout (${running.rolloutId}), not an A/B test: use \`refinery rollout abort ${name}\``,
      );
  } catch (err) {
    await db.close();
    throw err;
  }
  const abId = running.rolloutId;
  const by = cliActor(config, values.by).subject;
  const { client, close } = await connectClient(config);
  try {
    const handle = client.workflow.getHandle(abId);
    const answer = await handle.executeUpdate<string, [{ by: string; reason?: string }]>('stop', {
      args: [{ by, reason: values.reason }],
    });
    console.log(`${name}: ${answer}`);
    const s = (await handle.result()) as AbStatus;
    console.log(
      `${abId}: ${s.phase}${s.stoppedBy ? ` by ${s.stoppedBy}` : ''} after ${s.looks} looks (${s.samples.a} / ${s.samples.b} samples); split back to 0 %`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new CliError(`refused: ${err.cause?.message ?? err.message}`);
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    // The workflow is gone (terminated, or its history was lost) but its split still runs: end it in the store.
    await upsertRollout(db, { ...running, percent: 0, status: 'stopped' });
    console.log(`${abId}: no workflow watched this split any more; set it to 0 % and marked it stopped`);
    return EXIT.ok;
  } finally {
    await close();
    await db.close();
  }
}
