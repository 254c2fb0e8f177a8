import type { Config } from '../../config';
import { startWorker } from '../../worker';
import { EXIT } from '../exit-codes';
import { untilInterrupted } from '../stack';

export const workerHelp = `refinery worker
  Runs one worker against TEMPORAL_ADDRESS (scale out by running more, on any machine). It polls
  REFINERY_TASK_QUEUE, or when unset a queue derived from its store's id, so workers of one store meet
  and workers of different stores never share a queue.`;

/** `refinery worker`: one more worker on the task queue until interrupted. */
export async function workerCommand(config: Config): Promise<number> {
  const interrupted = untilInterrupted();
  const handle = await startWorker(config);
  console.log(
    `refinery worker: polling "${handle.taskQueue}" (store ${handle.store.label}) on ${config.temporal.address} (pid ${process.pid})`,
  );
  await Promise.race([interrupted, handle.done]);
  await handle.shutdown();
  return EXIT.ok;
}
