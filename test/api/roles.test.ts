import { describeEachStore } from '../support/store-backends';
import { apiHarness, type ApiHarness } from './api-harness';

describeEachStore('the HTTP API', (backend) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness(() => backend.open());
    // production starts at v1 so rollback has somewhere to go
    const moved = await h.call('PUT', '/v1/library/greeting/labels/production', h.tokens.owner, {
      version: 1,
      reason: 'launch',
    });
    expect(moved.status).toBe(200);
  });
  afterAll(() => h.close());

  let counter = 0;
  const unique = () => `id-${Date.now()}-${++counter}`;

  /** Every write endpoint, with a body that is valid for it, so only the role decides the outcome. */
  const writes: Record<string, { method: string; path: () => string; body: () => unknown }> = {
    'create item': {
      method: 'POST',
      path: () => '/v1/library',
      body: () => ({ name: `p-${unique()}`, kind: 'prompt' }),
    },
    'update item': {
      method: 'PATCH',
      path: () => '/v1/library/greeting',
      body: () => ({ description: `d ${unique()}` }),
    },
    'add version': {
      method: 'POST',
      path: () => '/v1/library/greeting/versions',
      body: () => ({ content: { type: 'text', text: `t ${unique()}` }, rationale: 'r' }),
    },
    'move staging': {
      method: 'PUT',
      path: () => '/v1/library/greeting/labels/staging',
      body: () => ({ version: 2, reason: 'try' }),
    },
    'move production': {
      method: 'PUT',
      path: () => '/v1/library/greeting/labels/production',
      body: () => ({ version: 2, reason: 'ship' }),
    },
    rollback: { method: 'POST', path: () => '/v1/library/greeting/rollback', body: () => ({ to: 1, reason: 'undo' }) },
    'emergency rollback': {
      method: 'POST',
      path: () => '/v1/library/greeting/emergency-rollback',
      body: () => ({ reason: 'drill' }),
    },
    'record runs': {
      method: 'POST',
      path: () => '/v1/runs',
      body: () => ({ runs: [{ id: unique(), name: 'greeting', version: 1 }] }),
    },
    'record feedback': {
      method: 'POST',
      path: () => '/v1/feedback',
      body: () => ({ feedback: [{ id: unique(), name: 'greeting', version: 1, thumbs: 'up' }] }),
    },
    'import runs': {
      method: 'POST',
      path: () => '/v1/admin/import/runs',
      body: () => ({ runs: [{ id: unique(), name: 'greeting', version: 1, at: '2020-01-01T00:00:00.000Z' }] }),
    },
    'import feedback': {
      method: 'POST',
      path: () => '/v1/admin/import/feedback',
      body: () => ({
        feedback: [{ id: unique(), name: 'greeting', version: 1, thumbs: 'up', at: '2020-01-01T00:00:00.000Z' }],
      }),
    },
  };

  // Expected status per role: olga owns "greeting", oscar is an owner of nothing here.
  const ok = (s: number) => s;
  const expected: Record<string, Record<string, number>> = {
    'create item': { reader: 403, writer: 403, owner: 201, otherOwner: 201, admin: 201 },
    'update item': { reader: 403, writer: 403, owner: 200, otherOwner: 403, admin: 200 },
    'add version': { reader: 403, writer: 201, owner: 201, otherOwner: 201, admin: 201 },
    'move staging': { reader: 403, writer: 200, owner: 200, otherOwner: 200, admin: 200 },
    'move production': { reader: 403, writer: 403, owner: 200, otherOwner: 403, admin: 200 },
    rollback: { reader: 403, writer: 403, owner: ok(200), otherOwner: 403, admin: 200 },
    'emergency rollback': { reader: 403, writer: 403, owner: 200, otherOwner: 403, admin: 200 },
    'record runs': { reader: 403, writer: 202, owner: 202, otherOwner: 202, admin: 202 },
    'record feedback': { reader: 403, writer: 202, owner: 202, otherOwner: 202, admin: 202 },
    'import runs': { reader: 403, writer: 403, owner: 403, otherOwner: 403, admin: 202 },
    'import feedback': { reader: 403, writer: 403, owner: 403, otherOwner: 403, admin: 202 },
  };

  const cases = Object.keys(writes).flatMap((endpoint) =>
    (['reader', 'writer', 'owner', 'otherOwner', 'admin'] as const).map(
      (role) => [endpoint, role, expected[endpoint]![role]!] as const,
    ),
  );

  describe('role checks: every role against every write endpoint', () => {
    test.each(cases)('%s as %s → %i', async (endpoint, role, status) => {
      const w = writes[endpoint]!;
      // Keep production away from the rollback target so a permitted rollback always has work to do.
      if (endpoint === 'rollback')
        await h.call('PUT', '/v1/library/greeting/labels/production', h.tokens.admin, { version: 2, reason: 'reset' });
      const res = await h.call(w.method, w.path(), h.tokens[role], w.body());
      expect(res.status).toBe(status);
      if (status === 403) {
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(res.body.detail).toMatch(/role|owner/);
      }
    });

    test.each(Object.keys(writes))('%s without a token → 401 problem', async (endpoint) => {
      const w = writes[endpoint]!;
      const res = await h.call(w.method, w.path(), undefined, w.body());
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });

    test('an unknown token → 401', async () => {
      expect((await h.call('GET', '/v1/resolve/greeting', 'rfy_not-a-real-token')).status).toBe(401);
    });

    test('the audit records who moved production', async () => {
      const res = await h.call('GET', '/v1/library/greeting/labels', h.tokens.reader);
      const actors = new Set((res.body.history as { actor: string }[]).map((m) => m.actor));
      expect(actors).toEqual(new Set(['olga', 'adam', 'will', 'oscar']));
    });
  });
});
