import path from 'node:path';
import type { Client } from '@temporalio/client';
import { moveLabel } from '../../src/library/label-store';
import { recordFeedback, recordRuns } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import type { RolloutStatus } from '../../src/rollout/types';
import { rolloutStatusQuery } from '../../src/shared';
import { openStore } from '../../src/store/open';
import { eventually, spawnWorkerProcess, tempDir, testClient, uniqueId } from '../support/temporal';

let client: Client;
let close: () => Promise<void>;
beforeAll(async () => ({ client, close } = await testClient()));
afterAll(() => close());

describe('rollout durability (real dev server)', () => {
  test('a worker SIGKILLed during a bake timer: a new worker resumes at the same step', async () => {
    const dbUrl = `sqlite:${path.join(tempDir('rollout-kill'), 'r.db')}`;
    const db = await openStore(dbUrl);
    const actor = { subject: 'ana', admin: true, ownerRole: true };
    for (const t of ['one', 'two'])
      await recordVersion(db, 'greet', { type: 'text', text: t, variables: [] }, { rationale: 't', author: 'ana' });
    await moveLabel(db, { name: 'greet', label: 'production', version: 1, actor, reason: 'launch' });
    const taskQueue = uniqueId('tq');
    const env = { REFINERY_TASK_QUEUE: taskQueue, REFINERY_DATABASE_URL: dbUrl };
    const first = spawnWorkerProcess(env);
    let second: ReturnType<typeof spawnWorkerProcess> | undefined;
    try {
      const rolloutId = uniqueId('ro');
      const handle = await client.workflow.start('rolloutWorkflow', {
        taskQueue,
        workflowId: rolloutId,
        args: [
          {
            rolloutId,
            name: 'greet',
            candidateVersion: 2,
            steps: [10, 100],
            // The shortest interval a rollout accepts; the bake is one look per step.
            bakeMs: 10_000,
            evaluationIntervalMs: 10_000,
            guard: { minSamples: 3 },
            approval: { required: false, timeoutMs: 1000, approvers: [] },
            startedBy: 'test',
          },
        ],
      });
      await eventually(async () => (await handle.query(rolloutStatusQuery)).step === 1, 60_000, 'step 1 to bake');
      // Evidence for both arms, so each step advances on its own (no step without evidence).
      const runs = [1, 2].flatMap((version) =>
        [0, 1, 2, 3, 4].map((i) => ({
          id: `run-${rolloutId}-${version}-${i}`,
          name: 'greet',
          version,
          latencyMs: 100 + i,
          inputTokens: 10,
          outputTokens: 20 + i,
          formatOk: true,
          corrected: false,
          regenerated: false,
        })),
      );
      await recordRuns(db, runs);
      await recordFeedback(
        db,
        runs.map((r) => ({ id: `fb-${r.id}`, runId: r.id, thumbs: 'up' as const })),
      );
      first.child.kill('SIGKILL');
      await first.exited;
      second = spawnWorkerProcess(env);
      const result = (await handle.result()) as RolloutStatus;
      expect(result.phase).toBe('promoted');
      // Each step started once: the resumed workflow continued the bake of step 1, not a new rollout.
      expect(result.events.filter((e) => e.kind === 'step').map((e) => e.detail)).toEqual([
        '10% of units see version 2',
        '100% of units see version 2',
      ]);
      const stepsInStore = await db.all<{ detail: string }>(
        "SELECT detail FROM rollout_events WHERE rollout_id = ? AND kind = 'step'",
        [rolloutId],
      );
      expect(stepsInStore).toHaveLength(2);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await second?.exited;
      await db.close();
    }
  });
});
