import { parseArgs } from 'node:util';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { connectClient } from '../../client';
import { newImproveRunId, startImprove } from '../../clients/improve';
import type { Config } from '../../config';
import { IMPROVE_STEPS, type ImproveControlInput, type ImproveStatus, type ImproveStep } from '../../improve/types';
import { requireItem } from '../../library/versions';
import { openStore } from '../../store/open';
import { runBinding } from '../../temporal/store-binding';
import { CliError, EXIT } from '../exit-codes';
import { buildImproveInput } from '../improve-input';
import { printImproveStatus } from '../improve-status-report';
import { cliActor } from '../library-io';
import { workflowUiLink } from '../stack';

export const improveHelp = `refinery improve <name> [options]
  One durable run of the whole loop: harvest the item's failures → wait for the review (refinery cases review)
  → tune on the new dataset version → gate against production → approval → guarded rollout → post-rollout
  check that the harvested failure kinds fell (an alert when they did not). Feedback whose case shipped is
  marked resolved (GET /v1/feedback/{id}, webhook event feedback.resolved).
  --dataset <name>             the dataset the accepted cases join (default: the item's newest)
  --review-timeout 3d  --approval-timeout 7d   how long each wait lasts
  --check-window 1d  --check-min-samples 50    the check's window (before the run, after promotion)
  --gate-threshold 0.8         the candidate's pass rate at least this and not below production's
  --steps 1,10,50,100  --bake 1h  --interval 1m  --min-samples N   the rollout
  --skip harvest,review        steps skipped from the start
  --preset --threshold --max-iterations --executor --judge --improver --seed --parallel --repeat
  --budget-calls --budget-usd  the tune, as \`refinery tune <name> --dataset\` takes them
refinery improve --run <workflow-id> [--status] [--json]
refinery improve --run <workflow-id> --stop | --skip-step <step> [--version N] | --reviewed | --approve | --reject
  [--note "…"] [--by <user>]
  Steps: ${IMPROVE_STEPS.join(', ')}. Skipping the gate or the approval takes the owner or an admin.`;

export async function improveCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      run: { type: 'string' },
      status: { type: 'boolean', default: false },
      stop: { type: 'boolean', default: false },
      'skip-step': { type: 'string' },
      version: { type: 'string' },
      reviewed: { type: 'boolean', default: false },
      approve: { type: 'boolean', default: false },
      reject: { type: 'boolean', default: false },
      note: { type: 'string' },
      by: { type: 'string' },
      json: { type: 'boolean', default: false },
      dataset: { type: 'string' },
      'review-timeout': { type: 'string' },
      'approval-timeout': { type: 'string' },
      'check-window': { type: 'string' },
      'check-min-samples': { type: 'string' },
      'gate-threshold': { type: 'string' },
      steps: { type: 'string' },
      bake: { type: 'string' },
      interval: { type: 'string' },
      'min-samples': { type: 'string' },
      skip: { type: 'string' },
      limit: { type: 'string' },
      preset: { type: 'string' },
      threshold: { type: 'string' },
      'max-iterations': { type: 'string' },
      executor: { type: 'string' },
      judge: { type: 'string' },
      improver: { type: 'string' },
      seed: { type: 'string' },
      parallel: { type: 'string' },
      repeat: { type: 'string' },
      'budget-calls': { type: 'string' },
      'budget-usd': { type: 'string' },
    },
  });
  const by = cliActor(config, values.by).subject;
  if (values.run) return control(config, values.run, values, by);
  const [name, ...rest] = positionals;
  if (!name || rest.length) throw new CliError('usage: refinery improve <name> [options] (refinery improve --help)');
  const input = buildImproveInput(name, values, newImproveRunId(), by);
  const db = await openStore(config.databaseUrl);
  try {
    await requireItem(db, name).catch(() => {
      throw new CliError(`no prompt or skill named "${name}" in the library: push it first (\`refinery push\`)`);
    });
    const { client, close } = await connectClient(config);
    try {
      const { workflowId } = await startImprove(client, await runBinding(config, db), input);
      const link = workflowUiLink(config, workflowId);
      if (values.json) console.log(JSON.stringify({ workflowId, runId: input.runId, link }));
      else {
        console.log(`started ${workflowId}\n  ${link}`);
        console.log(
          `  review the queue with \`refinery cases review ${name}\`, then \`refinery improve --run ${workflowId} --reviewed\``,
        );
        console.log(`  follow it with \`refinery improve --run ${workflowId} --status\``);
      }
      return EXIT.ok;
    } finally {
      await close();
    }
  } finally {
    await db.close();
  }
}

async function control(
  config: Config,
  workflowId: string,
  values: {
    status?: boolean;
    stop?: boolean;
    'skip-step'?: string;
    version?: string;
    reviewed?: boolean;
    approve?: boolean;
    reject?: boolean;
    note?: string;
    json?: boolean;
  },
  by: string,
): Promise<number> {
  const actions = (['stop', 'reviewed', 'approve', 'reject'] as const).filter((a) => values[a]);
  if (values['skip-step'] !== undefined) {
    if (!(IMPROVE_STEPS as readonly string[]).includes(values['skip-step']))
      throw new CliError(`--skip-step ${values['skip-step']}: steps are ${IMPROVE_STEPS.join(', ')}`);
  }
  const count = actions.length + (values['skip-step'] !== undefined ? 1 : 0);
  if (count > 1) throw new CliError('give one of --stop, --skip-step, --reviewed, --approve, --reject');
  const version = values.version === undefined ? undefined : Number(values.version);
  if (version !== undefined && (!Number.isInteger(version) || version < 1))
    throw new CliError(`--version ${values.version}: a whole number ≥ 1`);
  const { client, close } = await connectClient(config);
  try {
    const handle = client.workflow.getHandle(workflowId);
    if (count === 0) {
      const s = await handle.query<ImproveStatus>('status').catch(async () => (await handle.result()) as ImproveStatus);
      // Its tune may await a decision, its rollout an approver: said here, or nobody knows to answer.
      await printImproveStatus(client, workflowId, s, { json: values.json });
      return EXIT.ok;
    }
    const c: ImproveControlInput =
      values['skip-step'] !== undefined
        ? {
            action: 'skip',
            step: values['skip-step'] as ImproveStep,
            ...(version ? { version } : {}),
            by,
            note: values.note,
          }
        : { action: actions[0]!, by, note: values.note };
    const answer = await handle.executeUpdate('control', { args: [c] });
    console.log(`${workflowId}: ${String(answer)}`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new CliError(`refused: ${err.cause?.message ?? err.message}`);
    throw err;
  } finally {
    await close();
  }
}
