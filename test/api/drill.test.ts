import { startApiServer, type ApiServer } from '../../src/api/server';
import { getLabels, labelHistory, moveLabel } from '../../src/library/label-store';
import { DrillApiError, runStagingDrill } from '../../src/library/staging-drill';
import { createToken } from '../../src/library/tokens';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { describeEachStore } from '../support/store-backends';

const admin = { subject: 'ana', admin: true, ownerRole: true };
const text = (t: string) => ({ type: 'text' as const, text: t, variables: [] });

describeEachStore('the rollback drill through the HTTP API', (backend) => {
  let db: Db;
  let api: ApiServer;
  let writer: string;
  let reader: string;
  beforeAll(async () => {
    db = await backend.open();
    for (const t of ['one', 'two', 'three'])
      await recordVersion(db, 'greet', text(t), { rationale: 't', author: 'ana' });
    await recordVersion(db, 'solo', text('only'), { rationale: 't', author: 'ana' });
    await moveLabel(db, { name: 'greet', label: 'production', version: 2, actor: admin, reason: 'launch' });
    await moveLabel(db, { name: 'greet', label: 'staging', version: 3, actor: admin, reason: 'try' });
    writer = await createToken(db, 'drill-bot', 'writer');
    reader = await createToken(db, 'viewer', 'reader');
    api = await startApiServer(db, { port: 0, pollMs: 50 });
  });
  afterAll(() => api.close());

  test('staging moves away and back through the API; a client resolver follows; production stays put', async () => {
    const seen: string[] = [];
    const recording: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
      seen.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
      return fetch(input, init);
    };
    const drill = await runStagingDrill({ url: api.url, token: writer }, 'greet', {
      reason: 'drill: test',
      fetch: recording,
    });

    expect(drill).toMatchObject({ status: 'passed', name: 'greet', production: 2, original: 3, away: 2 });
    expect(drill.status === 'passed' && drill.timeToRollbackMs).toEqual(expect.any(Number));
    // Both moves went over HTTP, under the token's subject, with the drill's reason.
    expect(seen.filter((s) => s.startsWith('PUT'))).toEqual([
      'PUT /v1/library/greet/labels/staging',
      'PUT /v1/library/greet/labels/staging',
    ]);
    const moves = (await labelHistory(db, 'greet', 'staging')).slice(-2);
    expect(moves.map((m) => [m.toVersion, m.actor, m.reason])).toEqual([
      [2, 'drill-bot', 'drill: test: move away'],
      [3, 'drill-bot', 'drill: test: rollback'],
    ]);
    expect(await getLabels(db, 'greet')).toMatchObject({ production: 2, staging: 3 });
    expect((await labelHistory(db, 'greet', 'production')).map((m) => m.toVersion)).toEqual([2]);
  });

  test('a prompt with one version has nowhere to roll back to; nothing moves', async () => {
    const drill = await runStagingDrill({ url: api.url, token: writer }, 'solo', { reason: 'drill' });
    expect(drill).toMatchObject({ status: 'no-target', original: 1 });
    expect(await labelHistory(db, 'solo', 'staging')).toEqual([]);
  });

  test('a token that may not move staging fails the drill with the API’s answer, and staging is unchanged', async () => {
    const before = await labelHistory(db, 'greet', 'staging');
    const failure = runStagingDrill({ url: api.url, token: reader }, 'greet', { reason: 'drill' });
    await expect(failure).rejects.toThrow(DrillApiError);
    await expect(failure).rejects.toThrow(/403/);
    expect(await labelHistory(db, 'greet', 'staging')).toEqual(before);
  });
});
