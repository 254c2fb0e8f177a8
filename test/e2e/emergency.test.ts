import path from 'node:path';
import { startApiServer } from '../../src/api/server';
import { getLabels, moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import { createResolver } from '../../src/resolver';
import { activeRollout, upsertRollout } from '../../src/rollout/rollout-store';
import { openStore } from '../../src/store/open';
import { runCli } from '../support/cli';
import { eventually, tempDir } from '../support/temporal';

describe('refinery rollback --emergency', () => {
  test('stops the split and undoes a recent rollout promotion in one call; a resolver then serves the old version', async () => {
    const dbUrl = `sqlite:${path.join(tempDir('emergency'), 'r.db')}`;
    const db = await openStore(dbUrl);
    const actor = { subject: 'ana', admin: true, ownerRole: true };
    for (const t of ['one', 'two', 'three'])
      await recordVersion(db, 'greet', { type: 'text', text: t, variables: [] }, { rationale: 't', author: 'ana' });
    await moveLabel(db, { name: 'greet', label: 'production', version: 1, actor, reason: 'launch' });
    await moveLabel(db, {
      name: 'greet',
      label: 'production',
      version: 2,
      actor: { ...actor, subject: 'rollout:ro-1' },
      reason: 'rollout ro-1',
    });
    await upsertRollout(db, {
      rolloutId: 'ro-2',
      name: 'greet',
      kind: 'rollout',
      controlVersion: 2,
      candidateVersion: 3,
      percent: 100,
      salt: 'ro-2',
      status: 'running',
      step: 4,
    });
    const api = await startApiServer(db, { port: 0, bootstrapToken: 'tok', pollMs: 50 });
    const resolver = createResolver({ baseUrl: api.url, token: 'tok', onError: () => undefined });
    try {
      expect((await resolver.get('greet', { unit: 'u1' })).version).toBe(3); // the running rollout's candidate
      const t0 = Date.now();
      const r = await runCli(['rollback', 'greet', '--emergency', '--why', 'error spike'], {
        REFINERY_DATABASE_URL: dbUrl,
        REFINERY_USER: 'ana',
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      });
      const cliDone = Date.now();
      expect(r.code).toBe(0);
      expect(r.out).toContain('split: ro-2 set to 0%');
      expect(r.out).toContain('production: v2 → v1');
      await eventually(
        async () =>
          (await resolver.get('greet', { unit: 'u1' })).version === 1 && (await resolver.get('greet')).version === 1,
        5000,
        'the resolver to serve v1',
      );
      const visibleMs = Date.now() - cliDone;
      console.log(
        `emergency rollback visible to the resolver ${visibleMs} ms after the CLI returned (${cliDone - t0} ms CLI run)`,
      );
      // Visible once the wait above saw it (its deadline bounds it); how fast is measured in `npm run bench`.
      expect(await activeRollout(db, 'greet')).toBeUndefined();
      expect((await getLabels(db, 'greet')).production).toBe(1);
    } finally {
      await resolver.close();
      await api.close();
      await db.close();
    }
  });
});
