import { runCli } from '../support/cli';
import { mcpSession, type McpSession } from '../support/mcp';
import { describeEachStore } from '../support/store-backends';
import { getLabels, labelHistory, moveLabel } from '../../src/library/label-store';
import { recordFeedback, recordRuns } from '../../src/library/records';
import { issueToken } from '../../src/library/tokens';
import { revokeToken } from '../../src/library/token-store';
import { listVersions, recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';

const owner = { subject: 'ana', admin: false, ownerRole: true };

/** A prompt with two versions (v1 in production), runs of v1, and feedback from good to bad. */
async function seed(db: Db) {
  const text = (t: string) => ({ type: 'text' as const, text: t, variables: ['q'] });
  await recordVersion(db, 'support-reply', text('Answer {{q}} politely.\n'), {
    rationale: 'first',
    author: 'ana',
    item: { tags: ['support'], description: 'Replies to support tickets' },
  });
  await recordVersion(db, 'support-reply', text('Answer {{q}} politely.\nCite the docs.\n'), {
    rationale: 'cite docs',
    author: 'ana',
  });
  await recordVersion(db, 'release-notes', text('Write notes for {{q}}'), { rationale: 'first', author: 'bo' });
  await moveLabel(db, { name: 'support-reply', label: 'production', version: 1, actor: owner, reason: 'ship' });
  await recordRuns(db, [
    {
      id: 'run-good-0001',
      name: 'support-reply',
      version: 1,
      input: 'reset password',
      corrected: false,
      regenerated: false,
    },
    {
      id: 'run-bad-00001',
      name: 'support-reply',
      version: 1,
      input: 'refund please',
      corrected: true,
      regenerated: false,
      error: undefined,
    },
    {
      id: 'run-bad-00002',
      name: 'support-reply',
      version: 1,
      input: 'cancel order',
      corrected: false,
      regenerated: true,
    },
  ]);
  await recordFeedback(db, [
    { id: 'fb-good-0001', runId: 'run-good-0001', thumbs: 'up', rating: 5, at: '2026-01-01T00:00:00.000Z' },
    {
      id: 'fb-bad-00001',
      runId: 'run-bad-00001',
      thumbs: 'down',
      comment: 'ignored the refund policy',
      at: '2026-01-02T00:00:00.000Z',
    },
    {
      id: 'fb-bad-00002',
      runId: 'run-bad-00002',
      rating: 2,
      correction: 'Cancel it via Orders.',
      at: '2026-01-03T00:00:00.000Z',
    },
    { id: 'fb-meh-00003', runId: 'run-good-0001', rating: 3, at: '2026-01-04T00:00:00.000Z' },
  ]);
}

describeEachStore('refinery mcp over stdio: the library tools', (backend) => {
  let db: Db;
  let env: Record<string, string>;
  const sessions: McpSession[] = [];
  const open = async (extra: Record<string, string> = {}, args: string[] = []) => {
    const s = await mcpSession({ ...env, ...extra }, args);
    sessions.push(s);
    return s;
  };

  beforeAll(async () => {
    const url = await backend.freshUrl();
    db = await openStore(url);
    await seed(db);
    env = { REFINERY_DATABASE_URL: url, REFINERY_USER: 'ana', REFINERY_MCP_TOKEN: '' };
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) {
      // Nothing but protocol messages came on stdout.
      expect(s.transportErrors).toEqual([]);
      await s.close();
    }
  });
  afterAll(async () => {
    await db.close();
  });

  test('read tools: search, a version, a diff, low-rated runs with their feedback', async () => {
    const s = await open();
    const tools = (await s.client.listTools()).tools;
    expect(tools.map((t) => t.name).sort()).toEqual([
      'decide_tune',
      'diff_versions',
      'eval_result',
      'low_rated_runs',
      'propose_version',
      'read_version',
      'search_library',
      'start_eval',
      'tune_status',
    ]);
    expect(tools.find((t) => t.name === 'read_version')?.annotations?.readOnlyHint).toBe(true);
    // Logs go to stderr; stdout carries only protocol messages (checked after each test: no transport errors).
    expect(s.stderr()).toContain('refinery mcp: serving on stdio (read-only: no token)');
    expect(tools.find((t) => t.name === 'propose_version')?.annotations?.readOnlyHint).toBe(false);

    const found = await s.call('search_library', { query: 'ticket' });
    expect(found.isError).toBe(false);
    expect(found.json.items.map((i: { name: string }) => i.name)).toEqual(['support-reply']);
    const hit = found.json.items[0];
    expect(hit.labels).toEqual({ latest: 2, production: 1 });
    expect(hit.versions[0].usage).toMatchObject({ version: 1, runs: 3, thumbsUp: 1, thumbsDown: 1 });
    expect((await s.call('search_library', { tag: 'support' })).json.items).toHaveLength(1);
    expect((await s.call('search_library', {})).json.items).toHaveLength(2);

    const prod = await s.call('read_version', { name: 'support-reply' });
    expect(prod.json).toMatchObject({ version: 1, labels: ['production'], rationale: 'first', author: 'ana' });
    expect(prod.json.content).toEqual({ type: 'text', text: 'Answer {{q}} politely.\n', variables: ['q'] });
    const latest = await s.call('read_version', { name: 'support-reply', label: 'latest' });
    expect(latest.json).toMatchObject({ version: 2, parentVersion: 1, rationale: 'cite docs' });

    const diff = await s.call('diff_versions', { name: 'support-reply', fromLabel: 'production' });
    expect(diff.json).toMatchObject({ from: 1, to: 2, identical: false });
    expect(diff.json.diff).toContain('+Cite the docs.');
    expect(diff.json.diff).toContain(' Answer {{q}} politely.');

    const low = await s.call('low_rated_runs', { name: 'support-reply' });
    expect(low.json.runs.map((r: { feedbackId: string }) => r.feedbackId)).toEqual(['fb-bad-00002', 'fb-bad-00001']);
    expect(low.json.runs[0]).toMatchObject({
      rating: 2,
      correction: 'Cancel it via Orders.',
      run: { id: 'run-bad-00002', input: 'cancel order', regenerated: true },
    });
    expect(low.json.runs[1]).toMatchObject({
      thumbs: 'down',
      comment: 'ignored the refund policy',
      run: { id: 'run-bad-00001', input: 'refund please', corrected: true },
    });
    // A looser bound takes in the rating of 3; version 2 has no feedback at all.
    expect((await s.call('low_rated_runs', { name: 'support-reply', maxRating: 3 })).json.runs).toHaveLength(3);
    expect((await s.call('low_rated_runs', { name: 'support-reply', version: 2 })).json.runs).toEqual([]);
  });

  test('bad input is refused with the problem named: zod validation and the store', async () => {
    const s = await open();
    const badName = await s.call('read_version', { name: 'Not A Name' });
    expect(badName.isError).toBe(true);
    expect(badName.text).toContain('a library name');
    const missing = await s.call('read_version', { name: 'nope' });
    expect(missing).toMatchObject({ isError: true, text: 'no prompt or skill named "nope" in the library' });
    const noVersion = await s.call('diff_versions', { name: 'support-reply', from: 9 });
    expect(noVersion.isError).toBe(true);
    expect(noVersion.text).toMatch(/version 9/);
    const both = await s.call('read_version', { name: 'support-reply', version: 1, label: 'production' });
    expect(both).toMatchObject({ isError: true, text: 'give version or its label, not both' });
  });

  test('read-only without a token, and with a reader token: propose_version refuses, naming the role', async () => {
    const before = await listVersions(db, 'support-reply');
    const proposal = {
      name: 'support-reply',
      content: { type: 'text', text: 'Answer {{q}}. Quote the refund policy.' },
      rationale: 'low-rated refunds',
    };
    const anonymous = await open();
    const refused = await anonymous.call('propose_version', proposal);
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('propose_version needs the writer role (or above)');
    expect(refused.text).toContain('started without a token and is read-only');
    expect(refused.text).toContain('REFINERY_MCP_TOKEN');

    const reader = (await issueToken(db, { subject: 'rita', role: 'reader' })).token;
    const asReader = await open({ REFINERY_MCP_TOKEN: reader });
    const again = await asReader.call('propose_version', proposal);
    expect(again.isError).toBe(true);
    expect(again.text).toContain("this server's token (rita) has the reader role");
    const decide = await asReader.call('decide_tune', { workflowId: 'tune-x', action: 'accept' });
    expect(decide.isError).toBe(true);
    expect(decide.text).toContain('decide_tune needs the writer role');
    expect(await listVersions(db, 'support-reply')).toEqual(before);
    expect((await getLabels(db, 'support-reply')).candidate).toBeUndefined();
  });

  test('a writer token proposes a version: labelled candidate, audited, production untouched', async () => {
    const writerToken = (await issueToken(db, { subject: 'wes', role: 'writer' })).token;
    const s = await open({}, ['--token', writerToken]);
    const r = await s.call('propose_version', {
      name: 'support-reply',
      content: { type: 'text', text: 'Answer {{q}} politely.\nQuote the refund policy for {{topic}}.\n' },
      rationale: 'two low-rated refunds',
    });
    expect(r.isError).toBe(false);
    expect(r.json).toMatchObject({ name: 'support-reply', version: 3, created: true, label: 'candidate', by: 'wes' });
    const labels = await getLabels(db, 'support-reply');
    expect(labels).toMatchObject({ production: 1, candidate: 3, latest: 3 });
    const v3 = (await listVersions(db, 'support-reply'))[2]!;
    expect(v3).toMatchObject({ author: 'wes', rationale: 'two low-rated refunds', parentVersion: 2 });
    const moves = await labelHistory(db, 'support-reply', 'candidate');
    expect(moves).toMatchObject([
      { toVersion: 3, actor: 'wes', reason: 'proposed through MCP: two low-rated refunds' },
    ]);
    const read = await s.call('read_version', { name: 'support-reply', label: 'candidate' });
    expect(read.json.content.variables).toEqual(['q', 'topic']);
    expect(read.json.labels).toEqual(['candidate', 'latest']);

    // The same content again is the same version; nothing moves twice.
    const again = await s.call('propose_version', {
      name: 'support-reply',
      content: { type: 'text', text: 'Answer {{q}} politely.\nQuote the refund policy for {{topic}}.\n' },
      rationale: 'retry',
    });
    expect(again.json).toMatchObject({ version: 3, created: false, labelMoved: false });
    // Proposals go to existing items only, and a skill is not a prompt.
    const unknown = await s.call('propose_version', {
      name: 'brand-new',
      content: { type: 'text', text: 'x' },
      rationale: 'new',
    });
    expect(unknown).toMatchObject({ isError: true, text: 'no prompt or skill named "brand-new" in the library' });
    const wrongKind = await s.call('propose_version', {
      name: 'release-notes',
      content: { type: 'skill', files: { 'SKILL.md': '# x' } },
      rationale: 'kind',
    });
    expect(wrongKind.isError).toBe(true);
    expect(wrongKind.text).toContain('"release-notes" is a prompt');
    const empty = await s.call('propose_version', {
      name: 'support-reply',
      content: { type: 'text', text: 'y' },
      rationale: '   ',
    });
    expect(empty.isError).toBe(true);
    expect(empty.text).toContain('say why this version exists');
    expect((await getLabels(db, 'support-reply')).production).toBe(1);
    expect(await labelHistory(db, 'support-reply', 'production')).toHaveLength(1);
  });

  test('a token the store does not accept stops the server at once (exit 2), naming the problem', async () => {
    const { token, record } = await issueToken(db, { subject: 'old', role: 'writer' });
    await revokeToken(db, record.id, new Date().toISOString());
    const revoked = await runCli(['mcp', '--token', token], env);
    expect(revoked.code).toBe(2);
    expect(revoked.out).toContain(`the MCP token (${record.id}) is revoked`);
    expect(revoked.out).not.toContain(token);
    const unknown = await runCli(['mcp'], { ...env, REFINERY_MCP_TOKEN: 'rfy_000000000000_not-a-real-token-value' });
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('the MCP token is not known in this store');
    const remote = await runCli(['mcp'], { ...env, REFINERY_API_URL: 'http://127.0.0.1:9', REFINERY_API_TOKEN: token });
    expect(remote.code).toBe(2);
    expect(remote.out).toContain('the MCP server works on the store and Temporal directly');
  });
});
