import { parseArgs } from 'node:util';
import type { RolloutStatus } from '../../rollout/types';
import { parseDuration } from '../duration';
import { CliError, EXIT } from '../exit-codes';
import { ApiRefusal, apiCall, refuseTypedIdentity, seg, type Remote } from './api-client';
import { ROLLOUT_OPTIONS } from '../command-options';

/*
 * Rollout and tune-decision commands in remote mode: the API starts, approves, controls and decides as
 * the token's subject. Same arguments as the local commands; --by is refused.
 */

const ENDED = ['promoted', 'rolled-back', 'rejected', 'aborted'];

function duration(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text, flag);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

export async function remoteRollout(remote: Remote, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: ROLLOUT_OPTIONS,
  });
  refuseTypedIdentity('--by', values.by);
  const verbs = ['status', 'pause', 'resume', 'abort', 'approve', 'reject'];
  const verb = positionals[0];
  if (verb && verbs.includes(verb)) {
    const name = positionals[1];
    if (!name) throw new CliError(`usage: refinery rollout ${verb} <name>`);
    if (verb === 'status') return printStatus(remote, name);
    const answer =
      verb === 'approve' || verb === 'reject'
        ? await apiCall<{ answer: string; by: string }>(remote, 'POST', `/v1/rollouts/${seg(name)}/approve`, {
            decision: verb,
            note: values.note,
          })
        : await apiCall<{ answer: string; by: string }>(remote, 'POST', `/v1/rollouts/${seg(name)}/control`, {
            action: verb,
            reason: values.reason ?? values.note,
          });
    console.log(`${name}: ${answer.answer} (by ${answer.by})`);
    return EXIT.ok;
  }
  const name = verb;
  if (!name) throw new CliError('usage: refinery rollout <name> --version N (see refinery rollout --help)');
  if (!values.version) throw new CliError('--version is required: the candidate version to roll out');
  const [dataset, datasetVersion] = (values.dataset ?? '').split('@');
  const started = await apiCall<{ rolloutId: string; workflowId: string; candidateVersion: number; steps: number[] }>(
    remote,
    'POST',
    `/v1/rollouts/${seg(name)}`,
    {
      version: Number(values.version),
      steps: values.steps?.split(',').map(Number),
      bakeMs: duration(values.bake, '--bake'),
      intervalMs: duration(values.interval, '--interval'),
      maxBakeExtensionMs: duration(values['max-bake-extension'], '--max-bake-extension'),
      approval: !values['no-approval'],
      dataset: values.dataset ? dataset : undefined,
      datasetVersion: values.dataset && datasetVersion !== undefined ? Number(datasetVersion) : undefined,
      gate: !values['no-gate'],
      threshold: values.threshold === undefined ? undefined : Number(values.threshold),
      minSamples: values['min-samples'] === undefined ? undefined : Number(values['min-samples']),
    },
  );
  console.log(`rollout of ${name} v${started.candidateVersion} started (${started.workflowId})`);
  if (!values.wait) return EXIT.ok;
  let last = '';
  for (;;) {
    const s = await apiCall<RolloutStatus>(remote, 'GET', `/v1/rollouts/${seg(name)}`).catch(() => undefined);
    if (s) {
      const line = `${s.phase} · step ${s.step}/${started.steps.length} · ${s.percent}%`;
      if (line !== last) console.log((last = line));
      if (ENDED.includes(s.phase)) {
        console.log(s.outcome ?? '');
        return s.phase === 'promoted' ? EXIT.ok : EXIT.gateFailed;
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function printStatus(remote: Remote, name: string): Promise<number> {
  const s = await apiCall<RolloutStatus>(remote, 'GET', `/v1/rollouts/${seg(name)}`);
  console.log(
    `${s.rolloutId}: ${s.phase} · step ${s.step} · ${s.percent}% on v${s.candidateVersion} (control v${s.controlVersion ?? '?'})`,
  );
  for (const e of s.events) console.log(`  ${e.at}  ${e.kind}: ${e.detail}`);
  return EXIT.ok;
}

export async function remoteDecide(remote: Remote, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      action: { type: 'string' },
      iterations: { type: 'string' },
      by: { type: 'string' },
      note: { type: 'string' },
    },
    allowPositionals: true,
  });
  refuseTypedIdentity('--by', values.by);
  const arg = positionals[0];
  if (!arg) throw new CliError('name the run: refinery decide <workflow-id | item name> --action …');
  if (!values.action) throw new CliError('--action is required: continue, accept, rollback or cancel');
  // The API resolves an item name to its one run awaiting a decision, by the rules local mode uses.
  const answer = await apiCall<{ answer: string; by: string; workflowId: string; item?: string }>(
    remote,
    'POST',
    `/v1/tunes/${seg(arg)}/decide`,
    {
      action: values.action,
      iterations: values.iterations === undefined ? undefined : Number(values.iterations),
      note: values.note,
    },
  ).catch((err: unknown) => {
    // None or several runs awaiting: the same words as local mode, without the API's framing.
    if (err instanceof ApiRefusal && err.problem.decideTarget) throw new CliError(String(err.problem.detail));
    throw err;
  });
  if (answer.item) console.log(`${answer.item}: deciding ${answer.workflowId}, its run awaiting a decision`);
  console.log(`${answer.workflowId}: ${answer.answer} (by ${answer.by})`);
  return EXIT.ok;
}
