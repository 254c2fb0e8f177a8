import type { WorkflowHandle } from '@temporalio/client';
import { progressLine } from '../clients/tune';
import { getBlob } from '../store/blobs';
import type { Db } from '../store/db';
import type { TuneStatus } from '../tune/types';
import type { tuneWorkflow } from '../workflows/tune';

export interface WatchOptions {
  pollMs?: number;
  /**
   * Return at the first stall instead of waiting for a decision (the status returned has `stall` set and
   * no outcome): for callers that must never wait for a person.
   */
  stopAtStall?: boolean;
  /** Stops watching at once (the run goes on); the watch then rejects with WatchStopped. */
  signal?: AbortSignal;
}

export class WatchStopped extends Error {
  override readonly name = 'WatchStopped';
}

/** Prints progress lines as the run moves, the decide command when it stalls, and returns the final status. */
export async function watchTune(
  handle: WorkflowHandle<typeof tuneWorkflow>,
  print: (line: string) => void,
  options: WatchOptions | number = {},
): Promise<TuneStatus> {
  const { pollMs = 250, stopAtStall = false, signal } = typeof options === 'number' ? { pollMs: options } : options;
  let last = '';
  let stallShown = '';
  // Under the signal, stopping also cancels the long poll for the result (no call outlives the watch).
  const done = signal ? handle.client.withAbortSignal(signal, () => handle.result()) : handle.result();
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
  while (!finished) {
    if (signal?.aborted) throw new WatchStopped('stopped watching');
    try {
      const s = await handle.query('status');
      const line = progressLine(s as TuneStatus);
      if (line !== last) print((last = line));
      const stall = (s as TuneStatus).stall;
      if (stall && stall.since !== stallShown) {
        stallShown = stall.since;
        print(`  awaiting a decision: ${stall.detail}`);
        print(
          `  decide with: refinery decide ${handle.workflowId} --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"]`,
        );
        if (stopAtStall) return s as TuneStatus;
      }
    } catch {
      // the query can fail while a worker restarts; the next poll tries again
    }
    await Promise.race([done.catch(() => undefined), aborted, new Promise((r) => setTimeout(r, pollMs))]);
  }
  const final = await done;
  // A quick run can finish between polls: the last line always shows every score.
  const line = progressLine(final);
  if (line !== last) print(line);
  return final;
}

/** The diff of the outcome, from the blobs the run stored. */
export async function outcomeDiff(db: Db, status: TuneStatus): Promise<string> {
  const parts = await Promise.all((status.outcome?.diffRefs ?? []).map((ref) => getBlob(db, ref)));
  return parts.join('');
}
