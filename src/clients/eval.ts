import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { EvalRunInput, EvalSettings, EvalSummary } from '../eval/types';
import type { evalRunWorkflow } from '../workflows/eval-run';

export const DEFAULT_EVAL_SETTINGS: Omit<EvalSettings, 'baseDir'> = {
  provider: 'auto',
  model: 'default',
  judgeProvider: 'auto',
  judgeModel: 'default',
  // promptfoo's default is 4; model APIs take far more, and the limiter backs off on 429.
  concurrency: 8,
  repeat: 1,
  noCache: false,
  maxOutputTokens: 1024,
  chunkSize: 100,
  parallelChunks: 4,
  passRateThreshold: 0.8,
};

/** Starts an eval run; `runId` given resumes that run (finished cases are skipped). */
export async function startEval(
  client: Client,
  taskQueue: string,
  input: Omit<EvalRunInput, 'runId'> & { runId?: string },
): Promise<{ runId: string; handle: WorkflowHandle<typeof evalRunWorkflow> }> {
  const runId = input.runId ?? `eval-${input.target.name}-v${input.target.version}-${randomBytes(4).toString('hex')}`;
  const handle = await client.workflow.start<typeof evalRunWorkflow>('evalRunWorkflow', {
    taskQueue,
    workflowId: runId,
    args: [{ ...input, runId }],
    // A resume reuses the id of a run that has closed (budget stop, failure).
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  return { runId, handle };
}

export type EvalResult = EvalSummary & { estimate: { calls: number; costUsd: number } };
