import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { labelHistory } from '../../src/library/label-store';
import { createToken } from '../../src/library/tokens';
import { listVersions, recordVersion } from '../../src/library/versions';
import type { RolloutStatus } from '../../src/rollout/types';
import { approveSignal, decideSignal, rolloutStatusQuery, tuneStatusQuery } from '../../src/shared';
import { SIGNAL_MARK } from '../../src/user-identity';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { runBinding } from '../../src/temporal/store-binding';
import { runCli } from '../support/cli';
import { eventually, tempDir, testClient, uniqueId, withWorker } from '../support/temporal';
import { judgeJson, tuneHarness } from '../support/tune-harness';

/*
 * Remote mode end to end: the real CLI (its own process) talks to a real API server on 127.0.0.1, which
 * reaches a real Temporal server and worker. The CLI's own REFINERY_DATABASE_URL points at a file that
 * must never be created: every command goes through the API, as the token's subject.
 */

let client: Client;
let closeClient: () => Promise<void>;
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterAll(() => closeClient());

interface Rig {
  db: Db;
  api: ApiServer;
  taskQueue: string;
  tokens: { olga: string; rita: string; will: string; adam: string };
  env(token: string): Record<string, string>;
  untouched: string;
  close(): Promise<void>;
}

async function rig(db?: Db): Promise<Rig> {
  const dir = tempDir('remote');
  db ??= await openStore(`sqlite:${path.join(dir, 'server.db')}`);
  const taskQueue = uniqueId('tq');
  const api = await startApiServer(db, {
    port: 0,
    bootstrapToken: 'remote-bootstrap',
    pollMs: 50,
    // The API's rollouts carry this store's id and go to the test worker's queue.
    temporal: {
      client,
      binding: await runBinding({ temporal: { address: '', namespace: 'default', taskQueue } }, db),
      admins: [],
    },
  });
  const tokens = {
    olga: await createToken(db, 'olga', 'owner'),
    rita: await createToken(db, 'rita', 'reader'),
    will: await createToken(db, 'will', 'writer'),
    adam: await createToken(db, 'adam', 'admin'),
  };
  const untouched = path.join(dir, 'cli-side', 'never.db');
  return {
    db: db,
    api,
    taskQueue,
    tokens,
    untouched,
    env: (token) => ({
      REFINERY_API_URL: api.url,
      REFINERY_API_TOKEN: token,
      REFINERY_DATABASE_URL: `sqlite:${untouched}`,
      // Typed identities that remote mode must ignore: the token decides.
      REFINERY_USER: 'mallory',
      REFINERY_ADMINS: 'mallory',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    }),
    async close() {
      await api.close();
      await db.close();
    },
  };
}

describe('refinery in remote mode (REFINERY_API_URL + REFINERY_API_TOKEN)', () => {
  let r: Rig;
  let promptFile: string;
  beforeAll(async () => {
    r = await rig();
    promptFile = path.join(tempDir('remote-prompt'), 'welcome.md');
  });
  afterAll(() => r.close());

  test('push, label and rollback go through the API, and the audit names the token subject', async () => {
    fs.writeFileSync(promptFile, 'Welcome, {{name}}.');
    let res = await runCli(['push', promptFile, '--why', 'first'], r.env(r.tokens.olga));
    expect(res).toMatchObject({ code: 0 });
    expect(res.out).toContain('welcome: created version 1');
    fs.writeFileSync(promptFile, 'Welcome aboard, {{name}}!');
    expect((await runCli(['push', promptFile, '--why', 'warmer'], r.env(r.tokens.olga))).code).toBe(0);
    expect((await runCli(['label', 'welcome', 'production', '1', '--why', 'launch'], r.env(r.tokens.olga))).code).toBe(
      0,
    );
    res = await runCli(['label', 'welcome', 'production', '2', '--why', 'ship'], r.env(r.tokens.adam));
    expect(res.code).toBe(0);
    expect(res.out).toContain('production v1 → v2 by adam');
    res = await runCli(['rollback', 'welcome', '--why', 'too warm'], r.env(r.tokens.olga));
    expect(res.code).toBe(0);
    expect(res.out).toContain('production rolled back v2 → v1');

    const versions = await listVersions(r.db, 'welcome');
    expect(versions.map((v) => v.author)).toEqual(['olga', 'olga']);
    const history = await labelHistory(r.db, 'welcome');
    expect(history.filter((m) => m.label === 'production').map((m) => [m.toVersion, m.actor])).toEqual(
      expect.arrayContaining([
        [1, 'olga'],
        [2, 'adam'],
      ]),
    );
    expect(history.map((m) => m.actor)).not.toContain('mallory');
    expect(fs.existsSync(r.untouched)).toBe(false);

    res = await runCli(['rollback', 'welcome', '--emergency', '--why', 'drill'], r.env(r.tokens.rita));
    expect(res.code).toBe(2);
    expect(res.out).toMatch(/403 Forbidden/);
    res = await runCli(['rollback', 'welcome', '--emergency', '--why', 'drill'], r.env(r.tokens.olga));
    expect(res.code).toBe(0);
    expect(res.out).toContain('welcome: emergency rollback through the API');

    // Reads go through the API too.
    res = await runCli(['labels', 'welcome'], r.env(r.tokens.rita));
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/v2 → v1 {2}by olga: rollback: too warm/);
    const pulled = path.join(tempDir('remote-pull'), 'out');
    res = await runCli(['pull', 'welcome', '--version', '2', pulled], r.env(r.tokens.rita));
    expect(res.code).toBe(0);
    expect(fs.readFileSync(path.join(pulled, 'welcome.md'), 'utf8')).toBe('Welcome aboard, {{name}}!');
  });

  test('--as and --by are refused: the token decides who you are (exit 2, nothing changed)', async () => {
    const before = (await labelHistory(r.db, 'welcome')).length;
    let res = await runCli(['label', 'welcome', 'staging', '2', '--why', 'x', '--as', 'adam'], r.env(r.tokens.will));
    expect(res.code).toBe(2);
    expect(res.out).toMatch(/--as is refused in remote mode: the API token \(REFINERY_API_TOKEN\) decides who you are/);
    res = await runCli(['push', promptFile, '--why', 'x', '--as', 'adam'], r.env(r.tokens.will));
    expect(res.code).toBe(2);
    res = await runCli(['rollout', 'approve', 'welcome', '--by', 'olga'], r.env(r.tokens.will));
    expect(res.code).toBe(2);
    expect(res.out).toMatch(/--by is refused in remote mode/);
    res = await runCli(['decide', 'tune-x', '--action', 'accept', '--by', 'olga'], r.env(r.tokens.will));
    expect(res.code).toBe(2);
    expect((await labelHistory(r.db, 'welcome')).length).toBe(before);
  });

  test('a reader token moving a label is refused with 403, a clear message and a non-zero exit', async () => {
    const before = (await labelHistory(r.db, 'welcome')).length;
    const res = await runCli(['label', 'welcome', 'staging', '2', '--why', 'try'], r.env(r.tokens.rita));
    expect(res.code).toBe(2);
    expect(res.out).toMatch(/the API refused PUT \/v1\/library\/welcome\/labels\/staging: 403 Forbidden/);
    expect(res.out).toMatch(/needs the writer role; the token's role is reader/);
    expect(res.out).not.toContain(r.tokens.rita);
    expect((await labelHistory(r.db, 'welcome')).length).toBe(before);
  });

  test('REFINERY_API_URL without REFINERY_API_TOKEN is a configuration error', async () => {
    const env = { ...r.env(''), REFINERY_API_TOKEN: '' };
    const res = await runCli(['labels', 'welcome'], env);
    expect(res.code).toBe(2);
    expect(res.out).toMatch(/REFINERY_API_URL is set but REFINERY_API_TOKEN is not/);
  });

  test('a rollout started and approved through the API records the token subject; a signal approval is marked', async () => {
    await recordVersion(
      r.db,
      'welcome',
      { type: 'text', text: 'Hello there, {{name}}', variables: ['name'] },
      { rationale: 'third', author: 'olga' },
    );
    await withWorker(r.taskQueue, { db: r.db }, async () => {
      const handle = client.workflow.getHandle('rollout-welcome');
      const awaiting = () =>
        eventually(
          async () => (await handle.query(rolloutStatusQuery).catch(() => undefined))?.phase === 'awaiting-approval',
          30_000,
          'awaiting approval',
        );
      // 1. Through the API: started and approved by olga (the owner), then aborted by adam (an admin token).
      let res = await runCli(
        ['rollout', 'welcome', '--version', '3', '--no-gate', '--steps', '50,100'],
        r.env(r.tokens.olga),
      );
      expect(res.code).toBe(0);
      await awaiting();
      // rita (reader) may not approve; will (writer) neither.
      res = await runCli(['rollout', 'approve', 'welcome'], r.env(r.tokens.will));
      expect(res.code).toBe(2);
      expect(res.out).toMatch(/403 Forbidden/);
      // A body that names who approves is refused: the token decides.
      const typed = await fetch(`${r.api.url}/v1/rollouts/welcome/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${r.tokens.olga}`, 'content-type': 'application/json' },
        body: JSON.stringify({ decision: 'approve', by: 'adam' }),
      });
      expect(typed.status).toBe(400);
      expect(await typed.json()).toMatchObject({
        field: 'by',
        detail: expect.stringMatching(/token decides who acts/),
      });
      res = await runCli(['rollout', 'approve', 'welcome', '--note', 'looks right'], r.env(r.tokens.olga));
      expect(res.code).toBe(0);
      expect(res.out).toContain('approve recorded (by olga)');
      await eventually(async () => (await handle.query(rolloutStatusQuery)).phase === 'baking', 30_000, 'baking');
      res = await runCli(['rollout', 'abort', 'welcome', '--reason', 'drill over'], r.env(r.tokens.adam));
      expect(res.code).toBe(0);
      let status = (await handle.result()) as RolloutStatus;
      expect(status.phase).toBe('aborted');
      const details = status.events.map((e) => `${e.kind}: ${e.detail}`);
      expect(details).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^approved: by olga: looks right$/),
          expect.stringMatching(/^aborted: aborted by adam: drill over$/),
        ]),
      );
      expect(details.join('\n')).not.toContain('unauthenticated');
      const rows = await r.db.all<{ detail: string }>(
        'SELECT detail FROM rollout_events WHERE rollout_id = ? ORDER BY seq',
        [status.rolloutId],
      );
      expect(rows.map((x) => x.detail)).toContain('by olga: looks right');

      // 2. The same approval as a Temporal signal (what the Web UI sends): kept, but marked unauthenticated.
      res = await runCli(['rollout', 'welcome', '--version', '3', '--no-gate'], r.env(r.tokens.olga));
      expect(res.code).toBe(0);
      await awaiting();
      await handle.signal(approveSignal, { decision: 'reject', by: 'olga', note: 'not now' });
      status = (await handle.result()) as RolloutStatus;
      expect(status.phase).toBe('rejected');
      expect(status.outcome).toBe(`rejected by olga (${SIGNAL_MARK}): not now`);
      res = await runCli(['rollout', 'status', 'welcome'], r.env(r.tokens.rita));
      expect(res.out).toContain(`olga (${SIGNAL_MARK})`);
    });
  });
});

describe('tune decisions: through the API as the token subject, through a signal marked unauthenticated', () => {
  test('both are recorded in the status and the report', async () => {
    const h = await tuneHarness({ judge: () => ({ text: judgeJson(60) }) });
    const r = await rig(h.db);
    try {
      await withWorker(r.taskQueue, { db: h.db, providers: h.providers }, async () => {
        const decided = [];
        for (const via of ['api', 'signal'] as const) {
          const [run] = await h.start([h.makeSkill(`skill-${via}`)], { threshold: '90' }, client, r.taskQueue);
          await eventually(
            async () => (await run!.handle.query(tuneStatusQuery)).phase === 'awaiting-decision',
            60_000,
            'stall',
          );
          if (via === 'api') {
            const res = await runCli(
              ['decide', run!.workflowId, '--action', 'accept', '--note', 'good enough'],
              r.env(r.tokens.will),
            );
            expect(res.out).toContain('accepted: accept (by will)');
            expect(res.code).toBe(0);
          } else {
            await run!.handle.signal(decideSignal, { action: 'accept', by: 'will', note: 'from the Web UI' });
          }
          decided.push(await h.finish(run!.handle));
        }
        const [api, signal] = decided;
        expect(api!.decisions[0]).toMatchObject({ action: 'accept', by: 'will', authenticated: true });
        expect(signal!.decisions[0]).toMatchObject({
          action: 'accept',
          by: `will (${SIGNAL_MARK})`,
          authenticated: false,
        });
        const apiReport = fs.readFileSync(api!.outcome!.reportPaths[0]!, 'utf8');
        const signalReport = fs.readFileSync(signal!.outcome!.reportPaths[0]!, 'utf8');
        expect(apiReport).toMatch(/\*\*accept\*\* by will on/);
        expect(apiReport).not.toContain('unauthenticated');
        expect(signalReport).toContain(`**accept** by will (${SIGNAL_MARK}) on`);
      });
    } finally {
      await r.api.close();
      await h.close();
    }
  });
});
