import { applyAlertActions } from '../../src/calendar/alerts/alert-store';
import { planAlerts } from '../../src/calendar/alerts/alert-rules';
import { ROUTE_LIST } from '../../src/api/server';
import { getHarvestCursor, writeHarvest } from '../../src/cases/case-store';
import { recordFeedback } from '../../src/library/records';
import { issueToken } from '../../src/library/tokens';
import { upsertRollout } from '../../src/rollout/rollout-store';
import { describeEachStore } from '../support/store-backends';
import { ADMIN, apiHarness, type ApiHarness } from './api-harness';

/** Who calls: no token, one token per role, an owner who does not own "greeting", the bootstrap admin. */
const CALLERS = ['none', 'reader', 'writer', 'owner', 'otherOwner', 'admin', 'bootstrap'] as const;
type Caller = (typeof CALLERS)[number];
type Expected = Record<Caller, number>;

/** The status each caller gets from a route that needs `role` and answers `ok` when allowed. */
function needs(role: 'reader' | 'writer' | 'owner' | 'admin', ok: number): Expected {
  const rank = { reader: 0, writer: 1, owner: 2, admin: 3 }[role];
  const at = (r: number) => (r >= rank ? ok : 403);
  return { none: 401, reader: at(0), writer: at(1), owner: at(2), otherOwner: at(2), admin: ok, bootstrap: ok };
}
const PUBLIC: Expected = {
  none: 200,
  reader: 200,
  writer: 200,
  owner: 200,
  otherOwner: 200,
  admin: 200,
  bootstrap: 200,
};
/** Owner-role routes on "greeting" that only its owner (olga) or an admin may use. */
const itemOwner = (ok: number): Expected => ({ ...needs('owner', ok), otherOwner: 403 });

interface Case {
  title: string;
  /** Builds the request; runs before each call, so state a call uses up (an alert, a token) is fresh. */
  request: (h: ApiHarness) => Promise<{ path: string; body?: unknown }> | { path: string; body?: unknown };
  expected: Expected;
}

let counter = 0;
const unique = () => `id-${Date.now()}-${++counter}`;

async function freshAlert(h: ApiHarness): Promise<string> {
  const u = unique();
  const now = new Date();
  const finding = {
    name: 'greeting',
    version: 2,
    signal: 'format-compliance' as const,
    severity: 'warning' as const,
    baseline: 0.98,
    current: 0.9,
    z: 4.2,
    samples: 300,
    dedupeKey: `greeting@2:format-compliance:${u}`,
    detail: `format-compliance of greeting v2 (${u})`,
  };
  return (await applyAlertActions(h.db, planAlerts([finding], [], now), now)).opened[0]!.alertId;
}

/** A pending review case of "greeting", written as a harvest writes it (a harvest on PostgreSQL may lag commits). */
async function freshCase(h: ApiHarness): Promise<string> {
  const u = unique();
  const previous = await getHarvestCursor(h.db, 'greeting');
  await writeHarvest(h.db, {
    name: 'greeting',
    harvestId: `harvest-${u}`,
    previous,
    cursor: previous ?? { runs: '0', feedback: '0' },
    cases: [
      {
        caseId: `case-${u}`,
        version: 1,
        runId: null,
        kind: 'correction',
        kinds: ['correction'],
        input: `hello ${u}`,
        output: 'hi',
        error: null,
        correction: 'Hello, welcome!',
        feedback: [],
        inputKey: null,
        simhash: null,
        duplicates: 0,
        runAt: new Date().toISOString(),
      },
    ],
    merges: [],
    users: [],
  });
  return `case-${u}`;
}

/** Puts a label of "greeting" on a version as the bootstrap admin; already there is fine (a no-op move is a 409). */
async function placeLabel(h: ApiHarness, label: string, version: number): Promise<void> {
  const res = await h.call('PUT', `/v1/library/greeting/labels/${label}`, ADMIN, { version, reason: 'reset' });
  expect([200, 409]).toContain(res.status);
}

/**
 * Every route of the API, keyed as the router knows it ("METHOD /path/:param"), with one or more cases
 * whose request is valid for the route, so only the caller decides the outcome.
 */
const MATRIX: Record<string, Case[]> = {
  'GET /healthz': [{ title: 'health', request: () => ({ path: '/healthz' }), expected: PUBLIC }],
  'GET /openapi.json': [{ title: 'OpenAPI', request: () => ({ path: '/openapi.json' }), expected: PUBLIC }],
  'GET /v1/changes': [
    { title: 'label feed', request: () => ({ path: '/v1/changes?since=0&wait=0' }), expected: needs('reader', 200) },
  ],
  'GET /v1/resolve/:name': [
    { title: 'resolve', request: () => ({ path: '/v1/resolve/greeting' }), expected: needs('reader', 200) },
  ],
  'GET /v1/library': [
    { title: 'search', request: () => ({ path: '/v1/library?q=greet' }), expected: needs('reader', 200) },
  ],
  'POST /v1/library': [
    {
      title: 'create item',
      request: () => ({ path: '/v1/library', body: { name: `p-${unique()}`, kind: 'prompt' } }),
      expected: needs('owner', 201),
    },
  ],
  'GET /v1/library/:name': [
    { title: 'describe item', request: () => ({ path: '/v1/library/greeting' }), expected: needs('reader', 200) },
  ],
  'PATCH /v1/library/:name': [
    {
      title: 'update item',
      request: () => ({ path: '/v1/library/greeting', body: { description: `d ${unique()}` } }),
      expected: itemOwner(200),
    },
  ],
  'POST /v1/library/:name/versions': [
    {
      title: 'add version',
      request: () => ({
        path: '/v1/library/greeting/versions',
        body: { content: { type: 'text', text: `t ${unique()}` }, rationale: 'r' },
      }),
      expected: needs('writer', 201),
    },
  ],
  'GET /v1/library/:name/versions/:version': [
    {
      title: 'get version',
      request: () => ({ path: '/v1/library/greeting/versions/1' }),
      expected: needs('reader', 200),
    },
  ],
  'PUT /v1/library/:name/blobs/:hash': [
    {
      // Past the role check, a prompt holds no files: 400 for every caller allowed to write.
      title: 'upload a binary file',
      request: () => ({ path: `/v1/library/greeting/blobs/${'a'.repeat(64)}`, body: {} }),
      expected: needs('writer', 400),
    },
  ],
  'GET /v1/library/:name/versions/:version/blobs/:hash': [
    {
      title: 'read a binary file',
      request: () => ({ path: `/v1/library/greeting/versions/1/blobs/${'a'.repeat(64)}` }),
      expected: needs('reader', 404),
    },
  ],
  'GET /v1/library/:name/labels': [
    { title: 'labels', request: () => ({ path: '/v1/library/greeting/labels' }), expected: needs('reader', 200) },
  ],
  'PUT /v1/library/:name/labels/:label': [
    {
      title: 'move staging',
      // A permitted move always has work to do: a move to the version a label already holds is a 409.
      request: async (h) => {
        await placeLabel(h, 'staging', 1);
        return { path: '/v1/library/greeting/labels/staging', body: { version: 2, reason: 'try' } };
      },
      expected: needs('writer', 200),
    },
    {
      title: 'move production',
      request: async (h) => {
        await placeLabel(h, 'production', 1);
        return { path: '/v1/library/greeting/labels/production', body: { version: 2, reason: 'ship' } };
      },
      expected: itemOwner(200),
    },
  ],
  'POST /v1/library/:name/rollback': [
    {
      title: 'rollback',
      // Keep production away from the rollback target so a permitted rollback always has work to do.
      request: async (h) => {
        await placeLabel(h, 'production', 2);
        return { path: '/v1/library/greeting/rollback', body: { to: 1, reason: 'undo' } };
      },
      expected: itemOwner(200),
    },
  ],
  'POST /v1/library/:name/emergency-rollback': [
    {
      title: 'emergency rollback',
      request: () => ({ path: '/v1/library/greeting/emergency-rollback', body: { reason: 'drill' } }),
      expected: itemOwner(200),
    },
  ],
  'POST /v1/runs': [
    {
      title: 'record runs',
      request: () => ({ path: '/v1/runs', body: { runs: [{ id: unique(), name: 'greeting', version: 1 }] } }),
      expected: needs('writer', 202),
    },
  ],
  'POST /v1/traces': [
    {
      title: 'export OTLP spans',
      request: () => ({ path: '/v1/traces', body: { resourceSpans: [] } }),
      expected: needs('writer', 200),
    },
  ],
  'POST /v1/feedback': [
    {
      title: 'record feedback',
      request: () => ({
        path: '/v1/feedback',
        body: { feedback: [{ id: unique(), name: 'greeting', version: 1, thumbs: 'up' }] },
      }),
      expected: needs('writer', 202),
    },
  ],
  'GET /v1/feedback/:id': [
    {
      title: 'feedback and its resolution',
      request: async (h) => {
        const id = `fb-${unique()}`;
        await recordFeedback(h.db, [{ id, name: 'greeting', version: 1, thumbs: 'down' }]);
        return { path: `/v1/feedback/${id}` };
      },
      expected: needs('reader', 200),
    },
  ],
  'POST /v1/admin/import/runs': [
    {
      title: 'import runs',
      request: () => ({
        path: '/v1/admin/import/runs',
        body: { runs: [{ id: unique(), name: 'greeting', version: 1, at: '2020-01-01T00:00:00.000Z' }] },
      }),
      expected: needs('admin', 202),
    },
  ],
  'POST /v1/admin/import/feedback': [
    {
      title: 'import feedback',
      request: () => ({
        path: '/v1/admin/import/feedback',
        body: {
          feedback: [{ id: unique(), name: 'greeting', version: 1, thumbs: 'up', at: '2020-01-01T00:00:00.000Z' }],
        },
      }),
      expected: needs('admin', 202),
    },
  ],
  'GET /v1/alerts': [{ title: 'alerts', request: () => ({ path: '/v1/alerts' }), expected: needs('reader', 200) }],
  'POST /v1/alerts/:id/ack': [
    {
      title: 'ack alert',
      request: async (h) => ({ path: `/v1/alerts/${await freshAlert(h)}/ack` }),
      expected: needs('writer', 200),
    },
  ],
  'POST /v1/alerts/:id/resolve': [
    {
      title: 'resolve alert',
      request: async (h) => ({
        path: `/v1/alerts/${await freshAlert(h)}/resolve`,
        body: { as: 'false-positive', note: 'seasonal traffic' },
      }),
      expected: needs('writer', 200),
    },
  ],
  'GET /v1/incidents': [
    { title: 'incidents', request: () => ({ path: '/v1/incidents' }), expected: needs('reader', 200) },
  ],
  'GET /v1/post-run-evals': [
    { title: 'post-run evals', request: () => ({ path: '/v1/post-run-evals' }), expected: needs('reader', 200) },
  ],
  'POST /v1/post-run-evals': [
    {
      title: 'record post-run eval',
      request: () => ({
        path: '/v1/post-run-evals',
        body: { kind: 'rollout', subject: 'ro-greeting-0001', effective: true, better: 'a smaller first step' },
      }),
      expected: needs('writer', 201),
    },
  ],
  'GET /dashboard': [{ title: 'dashboard', request: () => ({ path: '/dashboard' }), expected: needs('reader', 200) }],
  'GET /metrics': [{ title: 'metrics', request: () => ({ path: '/metrics' }), expected: needs('reader', 200) }],
  'GET /v1/tokens': [{ title: 'list tokens', request: () => ({ path: '/v1/tokens' }), expected: needs('admin', 200) }],
  'POST /v1/tokens': [
    {
      title: 'issue token',
      request: () => ({ path: '/v1/tokens', body: { subject: `s-${unique()}`, role: 'reader', expires: '1h' } }),
      expected: needs('admin', 201),
    },
  ],
  // The matrix's server has no Temporal connection: a caller who gets past auth and ownership meets a 503.
  'POST /v1/rollouts/:name': [
    {
      title: 'start rollout',
      request: () => ({ path: '/v1/rollouts/greeting', body: { version: 2, gate: false } }),
      expected: itemOwner(503),
    },
  ],
  'GET /v1/rollouts/:name': [
    { title: 'rollout status', request: () => ({ path: '/v1/rollouts/greeting' }), expected: needs('reader', 503) },
  ],
  'POST /v1/rollouts/:name/approve': [
    {
      title: 'approve rollout',
      request: () => ({ path: '/v1/rollouts/greeting/approve', body: { decision: 'approve' } }),
      expected: itemOwner(503),
    },
  ],
  'POST /v1/rollouts/:name/control': [
    {
      title: 'pause rollout',
      request: () => ({ path: '/v1/rollouts/greeting/control', body: { action: 'pause' } }),
      expected: itemOwner(503),
    },
  ],
  'POST /v1/tunes/:id/decide': [
    {
      title: 'decide tune',
      request: () => ({ path: '/v1/tunes/tune-x/decide', body: { action: 'accept' } }),
      expected: needs('writer', 503),
    },
  ],
  'GET /v1/cases/:name': [
    { title: 'review queue', request: () => ({ path: '/v1/cases/greeting' }), expected: needs('reader', 200) },
  ],
  'POST /v1/cases/:name/harvest': [
    {
      title: 'harvest',
      request: () => ({ path: '/v1/cases/greeting/harvest?limit=10' }),
      expected: needs('writer', 200),
    },
  ],
  'GET /v1/cases/:name/:caseId': [
    {
      title: 'show case',
      request: async (h) => ({ path: `/v1/cases/greeting/${await freshCase(h)}` }),
      expected: needs('reader', 200),
    },
  ],
  'POST /v1/cases/:name/:caseId/accept': [
    {
      title: 'accept case',
      request: async (h) => ({ path: `/v1/cases/greeting/${await freshCase(h)}/accept`, body: {} }),
      expected: itemOwner(200),
    },
  ],
  'POST /v1/cases/:name/:caseId/reject': [
    {
      title: 'reject case',
      request: async (h) => ({ path: `/v1/cases/greeting/${await freshCase(h)}/reject`, body: { reason: 'noise' } }),
      expected: itemOwner(200),
    },
  ],
  'POST /v1/cases/:name/:caseId/skip': [
    {
      title: 'skip case',
      request: async (h) => ({ path: `/v1/cases/greeting/${await freshCase(h)}/skip` }),
      expected: itemOwner(200),
    },
  ],
  'POST /v1/tokens/:id/revoke': [
    {
      title: 'revoke token',
      request: async (h) => {
        const { record } = await issueToken(h.db, { subject: `s-${unique()}`, role: 'reader' });
        return { path: `/v1/tokens/${record.id}/revoke` };
      },
      expected: needs('admin', 200),
    },
  ],
};

const routeKeys = ROUTE_LIST.map((r) => `${r.method} ${r.path}`);

describe('the role matrix covers the API', () => {
  test('every route the server answers has a row, and every row is a route', () => {
    const missing = routeKeys.filter((k) => !(k in MATRIX));
    const stale = Object.keys(MATRIX).filter((k) => !routeKeys.includes(k));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  test('each row says what every caller gets, and public routes are the ones the router leaves open', () => {
    for (const r of ROUTE_LIST) {
      for (const c of MATRIX[`${r.method} ${r.path}`] ?? []) {
        expect(Object.keys(c.expected).sort()).toEqual([...CALLERS].sort());
        expect(c.expected.none === 401).toBe(r.role !== undefined);
      }
    }
  });
});

describeEachStore('role × endpoint matrix', (backend) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness(() => backend.open());
    // production starts at v1 so rollback has somewhere to go; a finished rollout for post-run evals
    const moved = await h.call('PUT', '/v1/library/greeting/labels/production', h.tokens.owner, {
      version: 1,
      reason: 'launch',
    });
    expect(moved.status).toBe(200);
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

  const tokenOf = (caller: Caller): string | undefined =>
    caller === 'none' ? undefined : caller === 'bootstrap' ? ADMIN : h.tokens[caller];

  const cases = ROUTE_LIST.flatMap((r) =>
    (MATRIX[`${r.method} ${r.path}`] ?? []).flatMap((c) =>
      CALLERS.map((caller) => [`${r.method} ${r.path}`, c.title, caller, c.expected[caller]] as const),
    ),
  );

  test.each(cases)('%s (%s) as %s → %i', async (key, title, caller, status) => {
    const c = MATRIX[key]!.find((x) => x.title === title)!;
    const { path, body } = await c.request(h);
    const res = await h.call(key.split(' ')[0]!, path, tokenOf(caller), body);
    expect(res.status).toBe(status);
    if (status === 401) {
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.detail).toMatch(/Authorization: Bearer/);
    }
    if (status === 403) {
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.detail).toMatch(/role|owner/);
    }
  });

  test('an unknown token → 401', async () => {
    expect((await h.call('GET', '/v1/resolve/greeting', 'rfy_not-a-real-token')).status).toBe(401);
  });

  test('the audit records who moved production', async () => {
    const res = await h.call('GET', '/v1/library/greeting/labels', h.tokens.reader);
    const actors = [...new Set((res.body.history as { actor: string }[]).map((m) => m.actor))];
    // Every caller that was allowed to move a label is named by its token's subject; the reader never is.
    expect(actors).toEqual(expect.arrayContaining(['olga', 'adam', 'will', 'oscar', 'admin']));
    expect(actors).not.toContain('rita');
  });
});
