import { parseArgs } from 'node:util';
import { WorkflowUpdateFailedError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { connectClient } from '../../client';
import type { Config } from '../../config';
import { requireItem, requireVersion } from '../../library/versions';
import { LibraryError } from '../../library/errors';
import { DEFAULT_STEPS, stepsProblem } from '../../rollout/plan';
import type { RolloutInput, RolloutStatus } from '../../rollout/types';
import { datasetForTarget, getDataset } from '../../store/evals';
import { openStore } from '../../store/open';
import { parseDuration } from '../duration';
import { runBinding } from '../../temporal/store-binding';
import { CliError, EXIT } from '../exit-codes';
import { cliActor } from '../library-io';
import { workflowUiLink } from '../stack';

export const rolloutHelp = `refinery rollout <name> --version N [--steps 1,10,50,100] [--bake 1h] [--interval 10m] [--no-approval]
                 [--dataset name@v | --no-gate] [--threshold 0.8] [--min-samples 100] [--wait]
  A guarded rollout: staging + the eval gate, approval (by the owner or an admin), progressive canary steps
  with bake times, automatic rollback on a breach, then promotion to production.
refinery rollout status|pause|resume|abort|approve|reject <name> [--by <user>] [--note "…"]`;

const ENDED = ['promoted', 'rolled-back', 'rejected', 'aborted'];
export const rolloutWorkflowId = (name: string) => `rollout-${name}`;

export async function rolloutCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      version: { type: 'string' },
      steps: { type: 'string' },
      bake: { type: 'string' },
      interval: { type: 'string' },
      'no-approval': { type: 'boolean' },
      dataset: { type: 'string' },
      'no-gate': { type: 'boolean' },
      threshold: { type: 'string' },
      'min-samples': { type: 'string' },
      wait: { type: 'boolean' },
      by: { type: 'string' },
      note: { type: 'string' },
      reason: { type: 'string' },
    },
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
  let bakeMs, evaluationIntervalMs;
  try {
    bakeMs = parseDuration(values.bake ?? '1h', '--bake');
    evaluationIntervalMs = parseDuration(values.interval ?? '1m', '--interval');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const db = await openStore(config.databaseUrl);
  let input: RolloutInput;
  let binding: Awaited<ReturnType<typeof runBinding>>;
  try {
    binding = await runBinding(config, db);
    const item = await requireItem(db, name);
    const candidateVersion = (await requireVersion(db, name, Number(values.version))).version;
    let gate: RolloutInput['gate'];
    if (!values['no-gate']) {
      const [dsName, v] = (values.dataset ?? '').split('@');
      const ds = values.dataset
        ? await getDataset(db, dsName!, v === undefined ? undefined : Number(v))
        : await datasetForTarget(db, name);
      if (!ds)
        throw new CliError(
          `no golden dataset for "${name}": import one (refinery dataset add … --for ${name}), pass --dataset, or --no-gate`,
        );
      gate = { dataset: ds.name, datasetVersion: ds.version, passRateThreshold: Number(values.threshold ?? 0.8) };
    }
    input = {
      rolloutId: `${rolloutWorkflowId(name)}-${Date.now().toString(36)}`,
      name,
      candidateVersion,
      steps,
      bakeMs,
      evaluationIntervalMs,
      approval: {
        required: !values['no-approval'],
        timeoutMs: 7 * 86_400_000,
        approvers: [...new Set([item.owner, ...config.identity.admins])],
      },
      gate,
      guard: values['min-samples'] ? { minSamples: Number(values['min-samples']) } : undefined,
      startedBy: cliActor(config, values.by).subject,
    };
  } catch (err) {
    if (err instanceof LibraryError) throw new CliError(err.message);
    throw err;
  } finally {
    await db.close();
  }
  const { client, close } = await connectClient(config);
  try {
    const handle = await client.workflow.start('rolloutWorkflow', {
      taskQueue: binding.taskQueue,
      workflowId: rolloutWorkflowId(name),
      args: [input],
      memo: binding.memo,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    console.log(
      `rollout of ${name} v${input.candidateVersion} started\n  ${workflowUiLink(config, handle.workflowId)}`,
    );
    if (!values.wait) return EXIT.ok;
    let last = '';
    for (;;) {
      const s = await handle.query<RolloutStatus>('status').catch(() => undefined);
      if (s) {
        const line = `${s.phase} · step ${s.step}/${input.steps.length} · ${s.percent}%${s.phase === 'awaiting-approval' ? ` — approve with: refinery rollout approve ${name} --by <owner>` : ''}`;
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
      for (const e of s.events) console.log(`  ${e.at}  ${e.kind}: ${e.detail}`);
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
