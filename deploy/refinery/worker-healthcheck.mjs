// Container healthcheck for refinery-worker. The worker serves no port, so "healthy" means what matters:
// Temporal currently lists a poller from this container (identity `pid@hostname`, hostname being the
// container id) on the workflow task queue. A worker that is up but disconnected or wedged drops out of
// that list, which a process check would miss. Exit 0 = healthy, 1 = not.
import os from 'node:os';
import process from 'node:process';
import { setTimeout } from 'node:timers';
// The client is CommonJS: its default export is module.exports.
import client from '@temporalio/client';

const { Connection } = client;

const address = process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
const taskQueue = process.env.REFINERY_TASK_QUEUE || 'refinery';
// A long poll lasts about a minute before the worker polls again, so a live poller is seen within ~70s.
const maxIdleSeconds = Number(process.env.REFINERY_HEALTH_MAX_IDLE_SECONDS || 150);
const TASK_QUEUE_TYPE_WORKFLOW = 1;

function fail(message) {
  console.error(`worker-healthcheck: ${message}`);
  process.exit(1);
}

async function main() {
  const connection = await Connection.connect({ address, connectTimeout: '5s' });
  try {
    const res = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
    });
    const host = os.hostname();
    const now = Date.now() / 1000;
    const mine = (res.pollers || []).filter((p) => typeof p.identity === 'string' && p.identity.endsWith(`@${host}`));
    if (mine.length === 0) fail(`no poller from ${host} on task queue "${taskQueue}"`);
    const fresh = mine.some((p) => {
      const seen = p.lastAccessTime && p.lastAccessTime.seconds;
      return seen != null && now - Number(seen) <= maxIdleSeconds;
    });
    if (!fresh) fail(`the poller from ${host} has been idle for more than ${maxIdleSeconds}s`);
    console.log(`worker-healthcheck: ${host} is polling "${taskQueue}"`);
  } finally {
    await connection.close();
  }
}

setTimeout(() => fail('timed out'), 8000).unref();
main().then(
  () => process.exit(0),
  (err) => fail(err instanceof Error ? err.message : String(err)),
);
