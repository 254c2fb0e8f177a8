import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DEFAULT_EVAL_SETTINGS } from '../eval/defaults';
import type { EvalRunInput } from '../eval/types';
import type { StoreIdentity } from '../store/store-identity';
import { storeMemo } from '../temporal/store-binding';
import type { evalRunWorkflow } from '../workflows/eval-run';
import { evalMetadata } from '../web-ui/static-metadata';

export { DEFAULT_EVAL_SETTINGS };

/** Starts an eval run; `runId` given resumes that run (finished cases are skipped). */
export async function startEval(
  client: Client,
  taskQueue: string,
  input: Omit<EvalRunInput, 'runId'> & { runId?: string },
  /** The store the run is started against, carried so a worker of another store refuses it. */
  store?: StoreIdentity,
  /** Who starts it, for the Web UI's summary; the local user when not given. */
  startedBy: string = os.userInfo().username,
): Promise<{ runId: string; handle: WorkflowHandle<typeof evalRunWorkflow> }> {
  const runId = input.runId ?? `eval-${input.target.name}-v${input.target.version}-${randomBytes(4).toString('hex')}`;
  const args: EvalRunInput = { ...input, runId };
  const handle = await client.workflow.start<typeof evalRunWorkflow>('evalRunWorkflow', {
    taskQueue,
    workflowId: runId,
    args: [args],
    ...evalMetadata(args, { startedBy }),
    memo: store ? storeMemo(store) : undefined,
    // A resume reuses the id of a run that has closed (budget stop, failure).
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  return { runId, handle };
}

export type { EvalResult } from '../workflows/eval-run';
