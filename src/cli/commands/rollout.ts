import { parseArgs } from 'node:util';
import { WorkflowUpdateFailedError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { connectClient } from '../../client';
import type { Config } from '../../config';
import { DEFAULT_GUARD_POLICY } from '../../rollout/guard';
import {
  DEFAULT_APPROVAL_TIMEOUT_MS,
  DEFAULT_BAKE_MS,
  DEFAULT_INTERVAL_MS,
  DEFAULT_STEPS,
  durationsProblem,
  guardProblem,
  MAX_BAKE_MS,
  MAX_INTERVAL_MS,
  MIN_INTERVAL_MS,
  stepsProblem,
} from '../../rollout/plan';
import {
  buildRolloutInput,
  DEFAULT_THRESHOLD,
  RolloutRequestError,
  rolloutWorkflowId,
  startRollout,
} from '../../rollout/start';
import type { RolloutStatus } from '../../rollout/types';
import { withStore } from '../with-store';
import { parseDuration } from '../duration';
import { runBinding } from '../../temporal/store-binding';
import { CliError, EXIT } from '../exit-codes';
import { cliActor } from '../library-io';
import { workflowUiLink } from '../stack';
import { ROLLOUT_OPTIONS } from '../command-options';

const days = (ms: number) => `${ms / 86_400_000}d`;

export const rolloutHelp = `refinery rollout <name> --version N [--steps ${DEFAULT_STEPS.join(',')}] [--bake 1h] [--interval 1m]
                 [--max-bake-extension <duration>] [--no-approval] [--dataset name@v | --no-gate]
                 [--threshold ${DEFAULT_THRESHOLD}] [--min-samples ${DEFAULT_GUARD_POLICY.minSamples}] [--wait]
  A guarded rollout: staging + the eval gate, approval (by the owner or an admin), progressive canary steps
  with bake times, automatic rollback on a breach, then promotion to production if production is still the
  version it was at the start (moved meanwhile: the rollout ends aborted).
  Defaults: --steps ${DEFAULT_STEPS.join(',')}, --bake ${DEFAULT_BAKE_MS / 3_600_000}h per step (at most ${days(MAX_BAKE_MS)}), --interval ${DEFAULT_INTERVAL_MS / 60_000}m between guard
  looks (${MIN_INTERVAL_MS / 1000}s to ${MAX_INTERVAL_MS / 3_600_000}h), --threshold ${DEFAULT_THRESHOLD} (gate pass rate), --min-samples ${DEFAULT_GUARD_POLICY.minSamples} per arm and guard signal,
  --max-bake-extension as long as --bake (at most ${days(MAX_BAKE_MS)}), approval within ${days(DEFAULT_APPROVAL_TIMEOUT_MS)}.
  No step without evidence: a step advances only when both arms have --min-samples on every guard signal.
  Short of that the bake extends up to --max-bake-extension, then the rollout awaits an approver, who
  advances anyway (approve) or aborts (reject); no answer within ${days(DEFAULT_APPROVAL_TIMEOUT_MS)} aborts.
refinery rollout status|pause|resume|abort|approve|reject <name> [--by <user>] [--note "…"]`;

const ENDED = ['promoted', 'rolled-back', 'rejected', 'aborted'];
export { rolloutWorkflowId };

export async function rolloutCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: ROLLOUT_OPTIONS,
  });
  const verbs = ['status', 'pause', 'resume', 'abort', 'approve', 'reject'];
  if (positionals[0] && verbs.includes(positionals[0]))
    return rolloutVerb(config, positionals[0], positionals[1], values);
  const name = positionals[0];
  if (!name) throw new CliError('usage: refinery rollout <name> --version N (see refinery rollout --help)');
  if (!values.version) throw new CliError('--version is required: the candidate version to roll out');
  const steps = values.steps ? values.steps.split(',').map(Number) : DEFAULT_STEPS;
  const problem = stepsProblem(steps);
  if (problem) throw new CliError(`--steps ${values.steps}: ${problem}`);
  let bakeMs: number, evaluationIntervalMs: number, maxBakeExtensionMs: number | undefined;
  try {
    bakeMs = values.bake === undefined ? DEFAULT_BAKE_MS : parseDuration(values.bake, '--bake');
    evaluationIntervalMs =
      values.interval === undefined ? DEFAULT_INTERVAL_MS : parseDuration(values.interval, '--interval');
    maxBakeExtensionMs =
      values['max-bake-extension'] === undefined
        ? undefined
        : parseDuration(values['max-bake-extension'], '--max-bake-extension');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const durations = durationsProblem({ bakeMs, evaluationIntervalMs, maxBakeExtensionMs });
  if (durations) throw new CliError(durations);
  const threshold = values.threshold === undefined ? DEFAULT_THRESHOLD : Number(values.threshold);
  if (!(threshold >= 0 && threshold <= 1))
    throw new CliError(`--threshold ${values.threshold}: give a pass rate from 0 to 1`);
  const guard = values['min-samples'] === undefined ? undefined : { minSamples: Number(values['min-samples']) };
  const guardIssue = guardProblem(guard);
  if (guardIssue) throw new CliError(guardIssue);
  const [dsName, dsVersion] = (values.dataset ?? '').split('@');
  const { input, binding } = await withStore(config, async (db) => {
    try {
      const binding = await runBinding(config, db);
      const input = await buildRolloutInput(db, {
        name,
        version: Number(values.version),
        steps,
        bakeMs,
        evaluationIntervalMs,
        maxBakeExtensionMs,
        approval: !values['no-approval'],
        dataset: values.dataset
          ? { name: dsName!, version: dsVersion === undefined ? undefined : Number(dsVersion) }
          : undefined,
        noGate: values['no-gate'],
        threshold,
        minSamples: guard?.minSamples,
        startedBy: cliActor(config, values.by).subject,
        admins: config.identity.admins,
      });
      return { input, binding };
    } catch (err) {
      if (err instanceof RolloutRequestError)
        throw new CliError(err.message, err.kind === 'already-running' ? EXIT.alreadyRunning : EXIT.badInput);
      throw err;
    }
  });
  const { client, close } = await connectClient(config);
  try {
    const handle = await startRollout(client, binding, input);
    console.log(
      `rollout of ${name} v${input.candidateVersion} started\n  ${workflowUiLink(config, handle.workflowId)}`,
    );
    if (!values.wait) return EXIT.ok;
    let last = '';
    for (;;) {
      const s = await handle.query<RolloutStatus>('status').catch(() => undefined);
      if (s) {
        const line = `${s.phase} · step ${s.step}/${input.steps.length} · ${s.percent}%${waitingFor(s.phase, name)}`;
        if (line !== last) console.log((last = line));
        if (ENDED.includes(s.phase)) {
          console.log(s.outcome ?? '');
          console.log(
            `was it effective? refinery review rollout ${input.rolloutId} --effective yes|no --better "what would have made it better"`,
          );
          return s.phase === 'promoted' ? EXIT.ok : EXIT.gateFailed;
        }
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw new CliError(
        `a rollout of ${name} is already running: see \`refinery rollout status ${name}\``,
        EXIT.alreadyRunning,
      );
    throw err;
  } finally {
    await close();
  }
}

/** What a person must send while the rollout waits for one. */
function waitingFor(phase: string, name: string): string {
  if (phase === 'awaiting-approval') return ` — approve with: refinery rollout approve ${name} --by <owner>`;
  if (phase === 'awaiting-evidence')
    return ` — too few samples: advance anyway with refinery rollout approve ${name}, or abort with refinery rollout reject ${name}`;
  return '';
}

async function rolloutVerb(
  config: Config,
  verb: string,
  name: string | undefined,
  values: { by?: string; note?: string; reason?: string },
): Promise<number> {
  if (!name) throw new CliError(`usage: refinery rollout ${verb} <name>`);
  const { client, close } = await connectClient(config);
  try {
    const handle = client.workflow.getHandle(rolloutWorkflowId(name));
    if (verb === 'status') {
      const s = await handle.query<RolloutStatus>('status').catch(async () => (await handle.result()) as RolloutStatus);
      console.log(
        `${s.rolloutId}: ${s.phase} · step ${s.step} · ${s.percent}% on v${s.candidateVersion} (control v${s.controlVersion ?? '?'})`,
      );
      const earlier = (s.eventCount ?? s.events.length) - s.events.length;
      if (earlier > 0) console.log(`  (${earlier} earlier events are kept in the store, table rollout_events)`);
      for (const e of s.events) console.log(`  ${e.at}  ${e.kind}: ${e.detail}`);
      const hint = waitingFor(s.phase, name);
      if (hint) console.log(hint.replace(/^ — /, ''));
      return EXIT.ok;
    }
    const by = cliActor(config, values.by).subject;
    const answer =
      verb === 'approve' || verb === 'reject'
        ? await handle.executeUpdate('approve', { args: [{ decision: verb, by, note: values.note }] })
        : await handle.executeUpdate('control', { args: [{ action: verb, by, reason: values.reason ?? values.note }] });
    console.log(`${name}: ${String(answer)}`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new CliError(`refused: ${err.cause?.message ?? err.message}`);
    throw err;
  } finally {
    await close();
  }
}
