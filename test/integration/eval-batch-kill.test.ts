import type { Client } from '@temporalio/client';
import { getEvalBatch } from '../../src/store/eval-batches';
import { getResults } from '../../src/store/evals';
import type { FakeReply, RecordedRequest } from '../fakes/fake-server-core';
import { evalHarness } from '../support/eval-harness';
import { spawnWorkerProcess, testClient, uniqueId } from '../support/temporal';

let client: Client;
let close: () => Promise<void>;
beforeAll(async () => ({ client, close } = await testClient()));
afterAll(() => close());

const echo = (req: RecordedRequest): FakeReply => ({
  text: `ANSWER(${/Question: (.*)/.exec(req.text)?.[1] ?? ''})`,
  inputTokens: 100,
  outputTokens: 100,
});

describe('eval batch durability (real dev server, worker processes)', () => {
  test('a worker SIGKILLed after the provider accepted the batch: the next worker adopts it, one create in all', async () => {
    const h = await evalHarness({ answer: echo });
    const version = await h.prompt('qa', 'Question: {{q}}', true);
    const ds = await h.dataset(
      'qa-set',
      Array.from({ length: 3 }, (_, i) => ({
        id: `q${i}`,
        vars: { q: `q${i}` },
        assertions: [{ type: 'contains', value: `ANSWER(q${i})` }],
      })),
    );
    const taskQueue = uniqueId('tq');
    const env = { ...h.workerEnv, REFINERY_TASK_QUEUE: taskQueue };
    const first = spawnWorkerProcess(env);
    let second: ReturnType<typeof spawnWorkerProcess> | undefined;
    // The provider has accepted (and would bill) the batch; the worker dies before the answer reaches it.
    h.anthropic.setBatchBehaviour({
      afterAccept: async () => {
        first.child.kill('SIGKILL');
        await first.exited;
        second = spawnWorkerProcess(env);
        return 'drop' as const;
      },
    });
    try {
      const { runId, result } = await h.run(client, taskQueue, {
        name: 'qa',
        version,
        dataset: 'qa-set',
        datasetVersion: ds,
        settings: { noCache: true, batch: true },
      });

      expect(result).toMatchObject({ status: 'completed', evaluated: 3, passed: 3 });
      expect(second).toBeDefined();
      // Exactly one batch creation reached the provider; nothing went one call at a time.
      const creates = h.anthropic.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages/batches');
      expect(creates).toHaveLength(1);
      expect(h.anthropic.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages')).toHaveLength(0);
      // The second worker found it in the provider's list and answered the chunk from it.
      expect(h.anthropic.requests.some((r) => r.method === 'GET' && r.path === '/v1/messages/batches')).toBe(true);
      const [batch] = h.anthropic.batches;
      const row = await h.db.get<{ batch_key: string }>('SELECT batch_key FROM eval_batches WHERE run_id = ?', [runId]);
      expect(await getEvalBatch(h.db, row!.batch_key)).toMatchObject({ batchId: batch!.id, foundBy: 'adopted' });
      expect((await getResults(h.db, runId)).every((r) => r.latencyMs === null && r.status === 'pass')).toBe(true);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await second?.exited;
      await h.close();
    }
  });
});
