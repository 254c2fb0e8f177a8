import path from 'node:path';
import { startApiServer } from '../../src/api/server';
import { getLabels, labelHistory, moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import { openStore } from '../../src/store/open';
import { runCli } from '../support/cli';
import { tempDir } from '../support/temporal';

describe('refinery drill', () => {
  test('rolls staging away and back, measures time-to-rollback through a resolver, leaves production alone', async () => {
    const dbUrl = `sqlite:${path.join(tempDir('drill'), 'r.db')}`;
    const db = await openStore(dbUrl);
    const actor = { subject: 'ana', admin: true, ownerRole: true };
    for (const t of ['one', 'two'])
      await recordVersion(db, 'greet', { type: 'text', text: t, variables: [] }, { rationale: 't', author: 'ana' });
    await moveLabel(db, { name: 'greet', label: 'production', version: 1, actor, reason: 'launch' });
    const api = await startApiServer(db, { port: 0, bootstrapToken: 'tok', pollMs: 50 });
    try {
      const r = await runCli(['drill', 'greet', '--api', api.url, '--token', 'tok'], {
        REFINERY_DATABASE_URL: dbUrl,
        REFINERY_USER: 'ana',
      });
      expect(r.code).toBe(0);
      const ms = Number(/served v1 (\d+) ms after the rollback/.exec(r.out)![1]);
      // The drill reports a time; how fast is the bench's to measure, not a test's to assert.
      expect(ms).toBeGreaterThanOrEqual(0);
      const labels = await getLabels(db, 'greet');
      expect(labels).toMatchObject({ production: 1, staging: 1 });
      // Every staging move went through the API, under the token's identity (the bootstrap admin).
      const moves = await labelHistory(db, 'greet', 'staging');
      expect(moves.map((m) => [m.toVersion, m.actor, m.reason])).toEqual([
        [1, 'admin', 'drill: baseline'],
        [2, 'admin', 'drill: move away'],
        [1, 'admin', 'drill: rollback'],
      ]);
      const drills = await db.all<{ detail: string }>("SELECT detail FROM rollout_events WHERE kind = 'drill'");
      expect(JSON.parse(drills[0]!.detail)).toMatchObject({
        name: 'greet',
        label: 'staging',
        from: 2,
        to: 1,
        timeToRollbackMs: ms,
        by: 'ana',
      });
    } finally {
      await api.close();
      await db.close();
    }
  });
});
