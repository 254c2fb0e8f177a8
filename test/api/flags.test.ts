import { upsertRollout } from '../../src/rollout/rollout-store';
import { eventually } from '../support/temporal';
import { apiHarness, ADMIN, type ApiHarness } from './api-harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness();
  await h.call('PUT', '/v1/library/greeting/labels/production', ADMIN, { version: 1, reason: 'launch' });
});
afterAll(() => h.close());

const rollout = (percent: number, status = 'running') => ({
  rolloutId: 'ro-greeting-1',
  name: 'greeting',
  kind: 'rollout' as const,
  controlVersion: 1,
  candidateVersion: 2,
  percent,
  salt: 'ro-greeting-1',
  status,
  step: 1,
});

async function versionsFor(units: string[]): Promise<number[]> {
  return Promise.all(
    units.map(
      async (u) => (await h.call('GET', `/v1/resolve/greeting?unit=${u}`, h.tokens.reader)).body.version as number,
    ),
  );
}

describe('flag evaluation honours running rollouts', () => {
  const units = Array.from({ length: 400 }, (_, i) => `unit-${i}`);

  test('a unit gets production until a rollout splits units; shares and stops propagate at once', async () => {
    expect(new Set(await versionsFor(units.slice(0, 50)))).toEqual(new Set([1]));

    await upsertRollout(h.db, rollout(10));
    await eventually(async () => (await versionsFor(units)).includes(2), 5000, 'the split to be served');
    const at10 = await versionsFor(units);
    const share10 = at10.filter((v) => v === 2).length / units.length;
    expect(share10).toBeGreaterThan(0.05);
    expect(share10).toBeLessThan(0.16);

    const res = await h.call('GET', '/v1/resolve/greeting?unit=unit-7', h.tokens.reader);
    expect(res.body.rollout).toMatchObject({ id: 'ro-greeting-1', kind: 'rollout', percent: 10 });
    expect(['candidate', 'control']).toContain(res.body.rollout.arm);

    await upsertRollout(h.db, rollout(50));
    await eventually(
      async () => (await versionsFor(units)).filter((v) => v === 2).length > units.length * 0.4,
      5000,
      'the 50 % step',
    );
    const at50 = await versionsFor(units);
    at10.forEach((v, i) => v === 2 && expect(at50[i]).toBe(2)); // nobody who had the candidate loses it

    await upsertRollout(h.db, rollout(0, 'rolled-back'));
    await eventually(async () => (await versionsFor(units)).every((v) => v === 1), 5000, 'control everywhere');
    // How fast a stop reaches a resolver is measured by `npm run bench` (rollout), not asserted here.
  });

  test('a label other than production is not split', async () => {
    await upsertRollout(h.db, rollout(100));
    await eventually(
      async () => (await h.call('GET', '/v1/resolve/greeting?unit=unit-1', h.tokens.reader)).body.version === 2,
      5000,
      'full rollout',
    );
    await h.call('PUT', '/v1/library/greeting/labels/staging', ADMIN, { version: 1, reason: 'x' });
    expect((await h.call('GET', '/v1/resolve/greeting?unit=unit-1&label=staging', h.tokens.reader)).body.version).toBe(
      1,
    );
    await upsertRollout(h.db, rollout(0, 'aborted'));
  });
});
