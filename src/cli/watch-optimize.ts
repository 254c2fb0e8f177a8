import type { WorkflowHandle } from '@temporalio/client';
import type { OptimizeWorkflow } from '../clients/optimize';
import type { OptimizeStatus } from '../optimizer/types';
import { optimizeStatusQuery } from '../shared';
import { decideCommandLine, optimizeProgressLine } from './optimize-status';

/**
 * Follows an optimizer run as watchTune follows a tune: a line whenever the progress changes, the decide command
 * when it stalls, and the final status (the workflow's result). With stopAtStall it returns the stalled status at
 * the first stall instead (the run goes on waiting, durable): for a command nobody at this terminal can answer.
 */
export async function watchOptimize(
  handle: WorkflowHandle<OptimizeWorkflow>,
  print: (line: string) => void,
  options: { pollMs?: number; stopAtStall?: boolean; decidedStall?: string } = {},
): Promise<OptimizeStatus> {
  const { pollMs = 500, stopAtStall = false } = options;
  let last = '';
  // A stall just decided (`decide --wait`) may still show in the first answers: it is not shown again.
  let stallShown = options.decidedStall ?? '';
  const done = handle.result();
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  while (!finished) {
    try {
      const s = await handle.query(optimizeStatusQuery);
      const line = optimizeProgressLine(s);
      if (line !== last) print((last = line));
      if (s.stall && s.stall.since !== stallShown) {
        stallShown = s.stall.since;
        print(`  awaiting a decision: ${s.stall.detail}`);
        print(`  decide with: ${decideCommandLine(handle.workflowId, s.stall.reason)}`);
        if (stopAtStall && !s.outcome) return s;
      }
    } catch {
      // the query can fail while a worker restarts, or before the first workflow task: the next poll tries again
    }
    await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, pollMs))]);
  }
  const final = await done;
  const line = optimizeProgressLine(final);
  if (line !== last) print(line);
  return final;
}
