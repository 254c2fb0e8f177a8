import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DEFAULT_EVAL_SETTINGS, startEval } from '../../src/clients/eval';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import type { RolloutInput, RolloutStatus } from '../../src/rollout/types';
import { controlUpdate, rolloutStatusQuery } from '../../src/shared';
import { addDatasetVersion } from '../../src/store/evals';
import { freePort } from '../../src/temporal/probe';
import { postWebhook } from '../../src/webhook';
import { webhookSignatureProblem } from '../../src/webhook-signature';
import type { RecordedRequest } from '../fakes/fake-server-core';
import { cli, runCli } from '../support/cli';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, spawnWorkerProcess, testClient, uniqueId } from '../support/temporal';
import { judgeJson, tuneHarness, type TuneHarness } from '../support/tune-harness';

/**
 * Marker values in every secret (the API keys, the database password, the webhook URL's path, the API
 * token), then a search for them in everything Refinery prints or keeps: config errors, CLI output, the
 * worker's and the API's logs (debug level), the Temporal histories of a tune, an eval and a rollout (with
 * its gate's eval), and everything stored (every table, the report files). None may contain a marker.
 * The markers are shaped unlike real keys, so the key-pattern fallback of redact() cannot hide a leak.
 */
const MARK = {
  anthropic: 'anthropic-key-MARKER-4b1e9c',
  gemini: 'gemini-key-MARKER-7d2f0a',
  token: 'api-token-MARKER-3c8e5b',
  dbPassword: 'db-password-MARKER-9a6d2e',
  webhookPath: 'webhook-path-MARKER-1f7c4d',
  webhookSecret: 'webhook-secret-MARKER-6e0b3a',
  /** Too short to be accepted: the config error must not print it either. */
  shortSecret: 'whsec-MRK-9c',
};
const MARKERS = Object.values(MARK);

/** Which markers a text contains, in any of the forms a value is printed or stored in. */
function leaks(text: string): string[] {
  return MARKERS.filter(
    (m) => text.includes(m) || text.includes(encodeURIComponent(m)) || text.includes(Buffer.from(m).toString('base64')),
  );
}
const clean = (what: string, text: string) => expect({ what, leaks: leaks(text) }).toEqual({ what, leaks: [] });

/** A webhook receiver that records the paths it is sent to and fails every call, so failure paths run. */
async function failingWebhook(): Promise<{
  url: string;
  paths: string[];
  /** What each POST's signature check said with the marker secret (undefined: good). */
  signatures: (string | undefined)[];
  close(): Promise<void>;
}> {
  const paths: string[] = [];
  const signatures: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      signatures.push(webhookSignatureProblem(MARK.webhookSecret, req.headers, body));
      res.writeHead(500).end('receiver down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/services/T0/B0/${MARK.webhookPath}`,
    paths,
    signatures,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Every row of every table, Buffers as text. */
async function dumpStore(h: TuneHarness): Promise<string> {
  const tables = await h.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'");
  const out: string[] = [];
  for (const { name } of tables) {
    const rows = await h.db.all(`SELECT * FROM "${name}"`);
    out.push(JSON.stringify(rows, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)));
  }
  return out.join('\n');
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !/\.db(-wal|-shm)?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

let client: Client;
let closeClient: () => Promise<void>;
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterAll(() => closeClient());

describe('marker-secret scan', () => {
  test('config errors and store connection failures print no secret (CLI and worker)', async () => {
    const pg = new URL(sharedTestEnv().postgresUrl);
    const env = {
      ANTHROPIC_API_KEY: MARK.anthropic,
      GEMINI_API_KEY: MARK.gemini,
      REFINERY_API_TOKEN: MARK.token,
      REFINERY_WEBHOOK_URL: `https://hooks.example.com/services/${MARK.webhookPath}`,
    };
    const badUrl = await runCli(['dataset', 'list'], {
      ...env,
      REFINERY_DATABASE_URL: `mysql://app:${MARK.dbPassword}@db.internal/refinery?password=${MARK.dbPassword}`,
    });
    expect(badUrl.code).toBe(2);
    expect(badUrl.out).toContain('REFINERY_DATABASE_URL="mysql://db.internal/refinery" is invalid');
    clean('a bad database URL', badUrl.out);

    const badWebhook = await runCli(['dataset', 'list'], {
      ...env,
      REFINERY_WEBHOOK_URL: `hooks.example.com/services/${MARK.webhookPath}`,
    });
    expect(badWebhook.code).toBe(2);
    expect(badWebhook.out).toContain('REFINERY_WEBHOOK_URL');
    clean('a bad webhook URL', badWebhook.out);

    const shortSecret = await runCli(['dataset', 'list'], { ...env, REFINERY_WEBHOOK_SECRET: MARK.shortSecret });
    expect(shortSecret.code).toBe(2);
    expect(shortSecret.out).toContain('REFINERY_WEBHOOK_SECRET=(hidden) is invalid: at least 16 characters');
    clean('a webhook secret too short', shortSecret.out);

    // A well-formed URL with the wrong password: the driver's refusal is printed, the password is not.
    const wrongPassword = `postgres://refinery:${MARK.dbPassword}@${pg.host}/refinery?application_name=${MARK.dbPassword}`;
    const refused = await runCli(['dataset', 'list'], { ...env, REFINERY_DATABASE_URL: wrongPassword });
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`cannot connect to PostgreSQL at postgres://${pg.host}/refinery:`);
    clean('a refused database connection (CLI)', refused.out);

    const worker = spawnWorkerProcess({ ...env, REFINERY_DATABASE_URL: wrongPassword, REFINERY_LOG_LEVEL: 'debug' });
    expect(await worker.exited).not.toBe(0);
    expect(worker.output()).toContain('cannot connect to PostgreSQL');
    clean('a refused database connection (worker)', worker.output());
  }, 60_000);

  test('webhook failures name the webhook by scheme and host only', async () => {
    const hook = await failingWebhook();
    try {
      const answered = await postWebhook({ url: hook.url, secret: MARK.webhookSecret }, { text: 'x' }).catch(
        (err: Error) => err.message,
      );
      expect(answered).toMatch(/^the webhook at http:\/\/127\.0\.0\.1:\d+ answered 500/);
      clean('a webhook that answers 500', String(answered));
    } finally {
      await hook.close();
    }
    const port = await freePort();
    const unreachable = await postWebhook(
      { url: `http://127.0.0.1:${port}/services/${MARK.webhookPath}`, secret: MARK.webhookSecret },
      {},
    ).catch((err: Error) => err.message);
    expect(unreachable).toMatch(/could not be reached \(ECONNREFUSED\)/);
    clean('an unreachable webhook', String(unreachable));
  });

  test('a tune, an eval and a rollout: logs, CLI output, histories and stored reports hold no secret', async () => {
    const hook = await failingWebhook();
    // The executor answers eval questions too; one case makes the provider echo its request headers (the key
    // among them) in its error.
    const h = await tuneHarness({
      judge: () => ({ text: judgeJson(90) }),
      executor: (req: RecordedRequest) => {
        if (req.text.includes('LEAK-CASE'))
          return {
            status: 400,
            errorType: 'invalid_request_error',
            message: `request refused, headers ${JSON.stringify(req.headers)}`,
          };
        const q = /Question: (\S+)/.exec(req.text)?.[1];
        return { text: q ? `ANSWER(${q})` : 'artifact' };
      },
    });
    const taskQueue = uniqueId('tq');
    const apiPort = await freePort();
    const env = {
      ...h.workerEnv,
      ANTHROPIC_API_KEY: MARK.anthropic,
      GEMINI_API_KEY: MARK.gemini,
      REFINERY_API_TOKEN: MARK.token,
      REFINERY_WEBHOOK_URL: hook.url,
      REFINERY_WEBHOOK_SECRET: MARK.webhookSecret,
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_HOME: h.dir,
      REFINERY_API_PORT: String(apiPort),
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_USER: 'ana',
    };
    const worker = spawnWorkerProcess({ ...env, REFINERY_LOG_LEVEL: 'debug' });
    const api = cli(['api'], { ...env, REFINERY_LOG_LEVEL: 'debug' });
    try {
      await eventually(() => worker.output().includes('polling task queue'), 60_000, 'the worker to start');
      await eventually(() => api.output().includes('listening on'), 60_000, 'the API to start');

      // A tune.
      const skill = h.makeSkill('notes');
      const [tune] = await h.start([skill], { threshold: '80', 'max-iterations': '2' }, client, taskQueue);
      // As `tune --wait` does: the waiting client writes the outcome and the report on its own machine.
      const tuned = await h.finish(tune!.handle);
      expect(tuned.outcome?.reportPaths.length).toBeGreaterThan(0);

      // An eval, with one case whose provider error echoes the key.
      const actor = { subject: 'ana', admin: true, ownerRole: true };
      for (const tag of ['v1', 'v2'])
        await recordVersion(
          h.db,
          'qa',
          { type: 'text', text: `Question: {{q}} [${tag}]`, variables: [] },
          { rationale: tag, author: 'ana' },
        );
      await moveLabel(h.db, { name: 'qa', label: 'production', version: 1, actor, reason: 'launch' });
      const cases = ['alpha', 'beta', 'LEAK-CASE'].map((q) => ({
        id: q.toLowerCase(),
        vars: { q },
        assertions: [{ type: 'contains' as const, value: `ANSWER(${q})` }],
        tags: [],
        required: false,
      }));
      const ds = await addDatasetVersion(h.db, { name: 'qa-set', cases, source: 'qa-set.jsonl', author: 'ana' });
      const evalRun = await startEval(client, taskQueue, {
        target: { name: 'qa', version: 1 },
        dataset: { name: 'qa-set', version: ds.version },
        settings: { ...DEFAULT_EVAL_SETTINGS },
      });
      const evaluated = await evalRun.handle.result();
      const gateSet = await addDatasetVersion(h.db, {
        name: 'qa-gate',
        cases: cases.slice(0, 2),
        source: 'qa-gate.jsonl',
        author: 'ana',
      });
      expect(evaluated).toMatchObject({ cases: 3, passed: 2 });

      // A rollout with its staging gate (another eval), stopped by an emergency rollback, which notifies the
      // (failing) webhook.
      const rollout: RolloutInput = {
        rolloutId: uniqueId('ro'),
        name: 'qa',
        candidateVersion: 2,
        steps: [50, 100],
        bakeMs: 10 * 60_000,
        evaluationIntervalMs: 60_000,
        approval: { required: false, timeoutMs: 60_000, approvers: ['ana'] },
        gate: { dataset: 'qa-gate', datasetVersion: gateSet.version, passRateThreshold: 0.5 },
        startedBy: 'test',
      };
      const handle = await client.workflow.start('rolloutWorkflow', {
        taskQueue,
        workflowId: rollout.rolloutId,
        args: [rollout],
      });
      const stepped = await eventually(
        async () => {
          const q = await handle.query(rolloutStatusQuery);
          return q.step >= 1 || ['promoted', 'rolled-back', 'rejected', 'aborted'].includes(q.phase) ? q : undefined;
        },
        60_000,
        'the first step',
      );
      expect(stepped).toMatchObject({ phase: 'baking', step: 1 });
      await handle.executeUpdate(controlUpdate, {
        args: [{ action: 'emergency-rollback', by: 'ana', reason: 'scan' }],
      });
      const rolled = (await handle.result()) as RolloutStatus;
      expect(rolled.phase).toBe('rolled-back');
      await eventually(() => hook.paths.length > 0, 30_000, 'the webhook to be called');

      // The API, with the marker token: accepted, and a failing request for its log.
      const apiUrl = `http://127.0.0.1:${apiPort}`;
      const posted = await fetch(`${apiUrl}/v1/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MARK.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ runs: [{ id: 'scan-run-0001', name: 'qa', version: 1 }] }),
      });
      expect(posted.status).toBe(202);
      const refused = await fetch(`${apiUrl}/v1/runs?token=${MARK.token}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MARK.gemini}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(refused.status).toBe(401);
      clean('an API refusal', await refused.text());

      // The markers really were in use: the providers saw the keys, the webhook its path.
      expect(h.anthropic.requests.some((r) => JSON.stringify(r.headers).includes(MARK.anthropic))).toBe(true);
      expect(h.gemini.requests.some((r) => JSON.stringify(r.headers).includes(MARK.gemini))).toBe(true);
      expect(hook.paths.every((p) => p.includes(MARK.webhookPath))).toBe(true);
      expect(hook.signatures.length).toBeGreaterThan(0);
      expect(hook.signatures).toEqual(hook.signatures.map(() => undefined));

      // CLI output.
      for (const args of [
        ['status', tune!.workflowId],
        ['rollout', 'status', 'qa'],
        ['eval', 'list'],
      ]) {
        const r = await runCli(args, env);
        clean(`refinery ${args.join(' ')}`, r.out);
      }

      // Histories: every workflow the task queue ran, payloads decoded.
      const ids = await eventually(
        async () => {
          const found: { workflowId: string; runId: string; type: string }[] = [];
          for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
            found.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type });
          const types = new Set(found.map((f) => f.type));
          return ['tuneWorkflow', 'evalRunWorkflow', 'rolloutWorkflow'].every((t) => types.has(t)) &&
            found.filter((f) => f.type === 'evalRunWorkflow').length >= 2
            ? found
            : undefined;
        },
        30_000,
        'the workflows to be listed',
      );
      for (const wf of ids) {
        const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
        const text = JSON.stringify(history, (_k, v: unknown) =>
          v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v,
        );
        expect(text.length).toBeGreaterThan(1000);
        clean(`the history of ${wf.type} ${wf.workflowId}`, text);
      }

      // Everything stored, and every file written (reports included).
      const stored = await dumpStore(h);
      clean('the store', stored);
      expect(stored.includes('[redacted]')).toBe(true); // the echoed key was cut out of the stored case result
      const files = filesUnder(h.dir);
      expect(files.some((f) => tuned.outcome!.reportPaths.includes(f))).toBe(true);
      for (const f of files) clean(f, fs.readFileSync(f, 'utf8'));
    } finally {
      worker.child.kill('SIGTERM');
      api.child.kill('SIGTERM');
      await Promise.all([worker.exited, api.exited]);
      await hook.close();
      await h.close();
    }
    // Logs, read once the processes have ended and flushed.
    expect(worker.output()).toMatch(/\[(DEBUG|INFO|WARN)\]/); // the worker really logged at debug level
    clean('the worker log', worker.output());
    clean('the API log', api.output());
  }, 240_000);
});
