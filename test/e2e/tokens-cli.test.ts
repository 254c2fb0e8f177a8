import path from 'node:path';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { getToken, listTokens } from '../../src/library/token-store';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { cli, runCli } from '../support/cli';
import { tempDir } from '../support/temporal';

/** Runs the CLI and keeps its stdout apart: `tokens create` prints the token there and nothing else. */
async function runSplit(args: string[], env: Record<string, string>) {
  const run = cli(args, env);
  let stdout = '';
  run.child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await run.exited;
  return { code, stdout, out: run.output() };
}

describe('refinery tokens create, list, revoke', () => {
  const url = `sqlite:${path.join(tempDir('tokens-cli'), 'r.db')}`;
  const env = { REFINERY_DATABASE_URL: url, REFINERY_USER: 'ana' };
  let db: Db;
  let api: ApiServer;
  beforeAll(async () => {
    db = await openStore(url);
    api = await startApiServer(db, { port: 0 });
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
  });
  const get = (token: string) =>
    fetch(`${api.url}/v1/library`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  let id = '';
  let token = '';

  test('create prints the token alone on stdout, with a 90-day expiry by default; the API accepts it', async () => {
    const r = await runSplit(['tokens', 'create', '--subject', 'ci-bot', '--role', 'writer'], env);
    expect(r.code).toBe(0);
    token = r.stdout.trim();
    expect(token).toMatch(/^rfy_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
    id = token.slice(4, 16);
    expect(r.out).toMatch(
      new RegExp(`token ${id} for ci-bot \\(writer\\), expires \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`),
    );
    const stored = (await getToken(db, id))!;
    expect(stored).toMatchObject({ subject: 'ci-bot', role: 'writer', createdBy: 'ana', revokedAt: null });
    const days = (Date.parse(stored.expiresAt!) - Date.parse(stored.createdAt)) / 86_400_000;
    expect(days).toBe(90);
    expect(await get(token)).toBe(200);
  });

  test('--expires never is taken only when said, and other lengths are honoured', async () => {
    const never = await runSplit(
      ['tokens', 'create', '--subject', 'svc', '--role', 'reader', '--expires', 'never'],
      env,
    );
    expect(never.code).toBe(0);
    expect(never.out).toContain('never expires');
    const week = await runSplit(['tokens', 'create', '--subject', 'tmp', '--role', 'reader', '--expires', '1w'], env);
    expect(week.code).toBe(0);
    const byId = new Map((await listTokens(db)).map((t) => [t.subject, t]));
    expect(byId.get('svc')!.expiresAt).toBeNull();
    const tmp = byId.get('tmp')!;
    expect(Date.parse(tmp.expiresAt!) - Date.parse(tmp.createdAt)).toBe(7 * 86_400_000);
  });

  test.each([
    [
      ['--expires', '90'],
      /--expires: "90" is not an expiry: write a whole number of hours, days or weeks .* or "never"/,
    ],
    [['--expires', '9999d'], /--expires: "9999d" is longer than 5 years/],
    [['--role', 'root'], /--role must be one of reader, writer, owner, admin/],
  ])('a bad value (%j) exits 2 with a clear message and issues nothing', async (extra, message) => {
    const before = (await listTokens(db)).length;
    const args = ['tokens', 'create', '--subject', 'x', '--role', 'reader', ...extra];
    const r = await runCli(args, env);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(message);
    expect(r.out).not.toMatch(/rfy_/);
    expect(await listTokens(db)).toHaveLength(before);
  });

  test('list shows id, subject, role, status, created, last used and expiry, never the token', async () => {
    const r = await runCli(['tokens', 'list'], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ID +SUBJECT +ROLE +STATUS +CREATED +LAST USED +EXPIRES$/m);
    expect(r.out).toMatch(new RegExp(`^${id} +ci-bot +writer +active +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +\\S+`, 'm'));
    expect(r.out).toMatch(/svc +reader +active .* never$/m);
    expect(r.out).not.toContain(token.slice(17));
    const json = await runCli(['tokens', 'list', '--json'], env);
    const parsed = JSON.parse(json.out) as { id: string; status: string }[];
    expect(parsed.find((t) => t.id === id)).toMatchObject({ status: 'active' });
    expect(json.out).not.toContain(token.slice(17));
  });

  test('revoke: the running API refuses the token within 1 s; again says so; an unknown id exits 2', async () => {
    expect(await get(token)).toBe(200);
    const r = await runCli(['tokens', 'revoke', id], env);
    const revokedAt = Date.now();
    expect(r.code).toBe(0);
    expect(r.out).toContain(`revoked token ${id} (ci-bot, writer)`);
    let status = 200;
    while (status !== 401 && Date.now() <= revokedAt + 1000) status = await get(token);
    expect(status).toBe(401);

    const again = await runCli(['tokens', 'revoke', id], env);
    expect(again.code).toBe(0);
    expect(again.out).toContain('was already revoked');
    expect((await runCli(['tokens', 'list'], env)).out).toMatch(new RegExp(`^${id} +ci-bot +writer +revoked`, 'm'));

    const unknown = await runCli(['tokens', 'revoke', '0123456789ab'], env);
    expect(unknown).toMatchObject({ code: 2, out: expect.stringContaining('no token "0123456789ab"') });
    expect((await runCli(['tokens', 'frobnicate'], env)).code).toBe(2);
  });
});
