import {
  ExperimentRunningError,
  experimentRunningMessage,
  getRollout,
  runningExperiment,
  startSplit,
  upsertRollout,
  type RolloutRow,
} from '../../src/rollout/rollout-store';
import type { Db } from '../../src/store/db';
import { migrate } from '../../src/store/migrations';
import { describeEachStore } from '../support/store-backends';

const row = (id: string, name: string, over: Partial<RolloutRow> = {}) => ({
  rolloutId: id,
  name,
  kind: 'ab' as const,
  controlVersion: 2,
  candidateVersion: 3,
  percent: 50,
  salt: id,
  status: 'running',
  step: 1,
  ...over,
});

describeEachStore('one experiment per prompt in the store', (backend) => {
  let db: Db;
  beforeAll(async () => (db = await backend.open()));

  test('runningExperiment sees running and paused splits of the name only, and can leave one id out', async () => {
    await upsertRollout(db, row('done-1', 'p1', { status: 'completed', percent: 0 }));
    await upsertRollout(db, row('other-1', 'p2'));
    expect(await runningExperiment(db, 'p1')).toBeUndefined();
    await upsertRollout(db, row('ro-1', 'p1', { kind: 'rollout', status: 'paused', percent: 10 }));
    expect(await runningExperiment(db, 'p1')).toMatchObject({ rolloutId: 'ro-1', kind: 'rollout' });
    expect(await runningExperiment(db, 'p1', 'ro-1')).toBeUndefined();
  });

  test('the refusal names the running experiment, its kind and how to end it', () => {
    const at = { startedAt: '', updatedAt: '' };
    expect(experimentRunningMessage({ ...row('ab-greet-1', 'greet'), ...at })).toBe(
      '"greet" already has a running A/B test (ab-greet-1): one experiment per prompt at a time; stop it with `refinery ab stop greet`, or wait for it to end',
    );
    expect(experimentRunningMessage({ ...row('rollout-greet-1', 'greet', { kind: 'rollout' }), ...at })).toContain(
      'already has a running rollout (rollout-greet-1): one experiment per prompt at a time; abort it with `refinery rollout abort greet`',
    );
  });

  test('startSplit refuses a second experiment, accepts its own id again, and a new one once the first ended', async () => {
    await startSplit(db, row('ab-1', 'p3'));
    const err = await startSplit(db, row('ab-2', 'p3')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExperimentRunningError);
    expect((err as ExperimentRunningError).running.rolloutId).toBe('ab-1');
    expect(await getRollout(db, 'ab-2')).toBeUndefined();
    await startSplit(db, row('ab-1', 'p3'));
    await upsertRollout(db, row('ab-1', 'p3', { status: 'stopped', percent: 0 }));
    await startSplit(db, row('ab-2', 'p3'));
    expect((await runningExperiment(db, 'p3'))?.rolloutId).toBe('ab-2');
  });

  test('the unique index refuses a second splitting row written past the check', async () => {
    await upsertRollout(db, row('ab-x', 'p4'));
    await expect(upsertRollout(db, row('ab-y', 'p4'))).rejects.toThrow(ExperimentRunningError);
    expect(await getRollout(db, 'ab-y')).toBeUndefined();
  });

  test('migration 12 marks older duplicate splits superseded before it builds the index', async () => {
    await db.exec('DROP INDEX rollouts_one_splitting_per_name');
    await db.run('DELETE FROM schema_migrations WHERE id = 12');
    await upsertRollout(db, row('dup-old', 'p5'));
    await upsertRollout(db, row('dup-new', 'p5'));
    await db.run('UPDATE rollouts SET started_at = ? WHERE rollout_id = ?', ['2020-01-01T00:00:00.000Z', 'dup-old']);
    await migrate(db);
    expect(await getRollout(db, 'dup-old')).toMatchObject({ status: 'superseded', percent: 0 });
    expect(await getRollout(db, 'dup-new')).toMatchObject({ status: 'running', percent: 50 });
    await expect(upsertRollout(db, row('dup-third', 'p5'))).rejects.toThrow();
  });
});
