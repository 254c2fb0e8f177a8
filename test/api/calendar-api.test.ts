import { applyAlertActions } from '../../src/calendar/alerts/alert-store';
import { planAlerts, type Finding } from '../../src/calendar/alerts/alert-rules';
import { upsertRollout } from '../../src/rollout/rollout-store';
import { describeEachStore } from '../support/store-backends';
import { apiHarness, type ApiHarness } from './api-harness';

const finding: Finding = {
  name: 'greeting',
  version: 2,
  signal: 'format-compliance',
  severity: 'warning',
  baseline: 0.98,
  current: 0.9,
  z: 4.2,
  samples: 300,
  dedupeKey: 'greeting@2:format-compliance',
  detail: 'format-compliance of greeting v2: 0.9 against a 30-day baseline of 0.98',
};

describeEachStore('API: alerts, incidents and post-run evals', (backend) => {
  let h: ApiHarness;
  let alertId: string;
  beforeAll(async () => {
    h = await apiHarness(() => backend.open());
    const now = new Date();
    alertId = (await applyAlertActions(h.db, planAlerts([finding], [], now), now)).opened[0]!.alertId;
    await upsertRollout(h.db, {
      rolloutId: 'ro-greeting-0001',
      name: 'greeting',
      kind: 'rollout',
      controlVersion: 1,
      candidateVersion: 2,
      percent: 10,
      salt: 's',
      status: 'completed',
      step: 3,
    });
  });
  afterAll(() => h?.close());

  test('readers list alerts; writers acknowledge and resolve them', async () => {
    const list = await h.call('GET', '/v1/alerts', h.tokens.reader);
    expect(list.status).toBe(200);
    expect(list.body.alerts).toEqual([expect.objectContaining({ alertId, status: 'open', severity: 'warning' })]);
    expect((await h.call('GET', '/v1/alerts?status=later', h.tokens.reader)).body).toMatchObject({
      status: 400,
      field: 'status',
    });

    expect((await h.call('POST', `/v1/alerts/${alertId}/ack`, h.tokens.reader)).status).toBe(403);
    const ack = await h.call('POST', `/v1/alerts/${alertId}/ack`, h.tokens.writer);
    expect(ack.body).toMatchObject({ status: 'acknowledged', owner: 'will' });

    const noNote = await h.call('POST', `/v1/alerts/${alertId}/resolve`, h.tokens.writer, { as: 'action', note: '' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.detail).toContain('give --note with the action item');
    const bad = await h.call('POST', `/v1/alerts/${alertId}/resolve`, h.tokens.writer, { as: 'shrug', note: 'x' });
    expect(bad.status).toBe(400);

    const done = await h.call('POST', `/v1/alerts/${alertId}/resolve`, h.tokens.writer, {
      as: 'action',
      note: 'add a JSON schema check to v3',
    });
    expect(done.body).toMatchObject({ status: 'resolved', resolution: 'action', owner: 'will' });
    expect(
      (await h.call('POST', `/v1/alerts/${alertId}/resolve`, h.tokens.writer, { as: 'action', note: 'x' })).status,
    ).toBe(409);
    expect((await h.call('POST', '/v1/alerts/al-missing/ack', h.tokens.writer)).status).toBe(404);
    expect((await h.call('GET', '/v1/alerts?status=all', h.tokens.reader)).body.alerts).toHaveLength(1);
    expect((await h.call('GET', '/v1/incidents', h.tokens.reader)).body).toEqual({ incidents: [] });
  });

  test('post-run evals of a rollout: recorded by a writer, listed by a reader, refused for unknown runs', async () => {
    const unknown = await h.call('POST', '/v1/post-run-evals', h.tokens.writer, {
      kind: 'rollout',
      subject: 'ro-nothing',
      effective: true,
      better: 'n/a',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('no rollout run "ro-nothing"');
    const missingField = await h.call('POST', '/v1/post-run-evals', h.tokens.writer, {
      kind: 'rollout',
      subject: 'ro-greeting-0001',
      better: 'x',
    });
    expect(missingField.status).toBe(400);
    expect(missingField.body.field).toBe('effective');

    const ok = await h.call('POST', '/v1/post-run-evals', h.tokens.writer, {
      kind: 'rollout',
      subject: 'ro-greeting-0001',
      effective: false,
      better: 'a longer bake at 10 % would have caught the tone complaints',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ author: 'will', effective: false });
    const list = await h.call('GET', '/v1/post-run-evals?kind=rollout', h.tokens.reader);
    expect(list.body.evals).toEqual([expect.objectContaining({ subject: 'ro-greeting-0001', effective: false })]);
  });
});
