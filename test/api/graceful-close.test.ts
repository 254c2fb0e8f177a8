import http from 'node:http';
import net from 'node:net';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { lastMoveSeq } from '../../src/library/label-store';
import { createToken } from '../../src/library/tokens';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { describeEachStore } from '../support/store-backends';
import { eventually } from '../support/temporal';

/** A store whose next transaction waits for the test to open a gate: a handler made slow on purpose. */
function gatedStore(db: Db) {
  let next: { entered: () => void; wait: Promise<void> } | undefined;
  const store: Db = {
    dialect: db.dialect,
    all: db.all.bind(db),
    get: db.get.bind(db),
    run: db.run.bind(db),
    exec: db.exec.bind(db),
    close: db.close.bind(db),
    async transaction(fn) {
      const gate = next;
      next = undefined;
      if (gate) {
        gate.entered();
        await gate.wait;
      }
      return db.transaction(fn);
    },
  };
  return {
    store,
    /** Holds the next transaction: `entered` resolves once a handler waits on it, release lets it go on. */
    hold() {
      let release!: () => void;
      let entered!: () => void;
      const wait = new Promise<void>((r) => (release = r));
      const reached = new Promise<void>((r) => (entered = r));
      next = { entered, wait };
      return { entered: reached, release };
    },
  };
}

describeEachStore('closing the API lets requests being handled finish', (backend) => {
  let db: Db;
  let gated: ReturnType<typeof gatedStore>;
  let writer: string;
  let reader: string;
  let api: ApiServer | undefined;
  let n = 0;
  beforeAll(async () => {
    db = await backend.open();
    gated = gatedStore(db);
    writer = await createToken(db, 'will', 'writer');
    reader = await createToken(db, 'rita', 'reader');
    await recordVersion(db, 'greeting', { type: 'text', text: 'Hi', variables: [] }, { rationale: 'r', author: 'o' });
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const start = (drainMs: number) => startApiServer(gated.store, { port: 0, pollMs: 50, drainMs });
  const runId = () => `drain-${backend.name}-${Date.now()}-${++n}`;
  const postRun = (url: string, id: string) =>
    fetch(`${url}/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ runs: [{ id, name: 'greeting', version: 1 }] }),
    });
  const storedRun = async (id: string) => (await db.get('SELECT id FROM prompt_runs WHERE id = ?', [id])) !== undefined;

  test('a write in flight when close begins is answered and stored before close resolves', async () => {
    api = await start(60_000);
    const events: string[] = [];
    api.server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) =>
      res.on('finish', () => events.push(`answered ${res.statusCode}`)),
    );
    const id = runId();
    const gate = gated.hold();
    const posting = postRun(api.url, id);
    await gate.entered;

    const closing = api.close().then((outcome) => {
      events.push('closed');
      return outcome;
    });
    // New connections are refused at once, while the write is still held.
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
    expect(await storedRun(id)).toBe(false);
    events.push('released');
    gate.release();

    const res = await posting;
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ stored: 1, duplicates: 0 });
    // The answer tells the client not to reuse the connection.
    expect(res.headers.get('connection')).toBe('close');
    expect(await closing).toEqual({ drained: true, cutOff: 0 });
    expect(events).toEqual(['released', 'answered 202', 'closed']);
    expect(await storedRun(id)).toBe(true);
  });

  test('a handler that never finishes does not hold close past the drain deadline', async () => {
    const server = await start(200);
    api = server;
    const id = runId();
    const gate = gated.hold();
    const posting = postRun(server.url, id).then(
      (res) => `answered ${res.status}`,
      () => 'connection cut',
    );
    await gate.entered;
    // The gate stays shut until close has resolved: only the deadline can end this drain.
    expect(await server.close()).toEqual({ drained: false, cutOff: 1 });
    expect(await posting).toBe('connection cut');
    gate.release();
    // The store stays open until the abandoned handler has ended, so this test leaves nothing running.
    await eventually(() => server.inFlight === 0, 10_000, 'the held handler to end');
  });

  test('an idle keep-alive connection is closed at once and does not hold close', async () => {
    api = await start(60_000);
    const agent = new http.Agent({ keepAlive: true });
    const socketClosed = new Promise<string>((resolve) => {
      const req = http.get(`${api!.url}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', () => undefined);
      });
      req.on('socket', (socket) => socket.once('close', () => resolve('socket closed')));
    });
    // The answer came and the socket went back to the agent's pool, idle and open.
    await eventually(() => Object.keys(agent.freeSockets).length === 1, 10_000, 'an idle pooled socket');
    expect(await api.close()).toEqual({ drained: true, cutOff: 0 });
    expect(await socketClosed).toBe('socket closed');
    agent.destroy();
  });

  test('a connection that never sent a request does not hold close', async () => {
    api = await start(60_000);
    let accepted = false;
    api.server.on('connection', () => (accepted = true));
    const socket = net.connect(Number(new URL(api.url).port), '127.0.0.1');
    const ended = new Promise<string>((resolve) => socket.once('close', () => resolve('socket closed')));
    await eventually(() => accepted, 10_000, 'the server to accept the connection');
    expect(await api.close()).toEqual({ drained: true, cutOff: 0 });
    expect(await ended).toBe('socket closed');
  });

  test('a long poll on the label feed answers at close instead of holding it', async () => {
    // The deadline is shorter than the poll's wait: a poll that held the drain would end it cut off.
    api = await start(20_000);
    const since = await lastMoveSeq(db);
    const polling = fetch(`${api.url}/v1/changes?since=${since}&wait=30`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    await eventually(() => api!.inFlight === 1, 10_000, 'the long poll to be waiting');
    expect(await api.close()).toEqual({ drained: true, cutOff: 0 });
    const res = await polling;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ seq: since, moves: [] });
  });

  test('a request sent on a busy connection after close began is refused, not left hanging', async () => {
    api = await start(60_000);
    // What the server answered, seen on its side: the client may not read it all (below).
    const answered: string[] = [];
    api.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) =>
      res.on('finish', () =>
        answered.push(`${req.method} ${req.url} ${res.statusCode} ${String(res.getHeader('connection'))}`),
      ),
    );
    const { port } = new URL(api.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    // The server closes with the late request unread in its buffer, which the kernel may answer with a reset
    // (Node 24 surfaces it as ECONNRESET): an ending, not a hang.
    socket.on('error', () => undefined);
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const id = runId();
    const body = JSON.stringify({ runs: [{ id, name: 'greeting', version: 1 }] });
    const gate = gated.hold();
    socket.write(
      `POST /v1/runs HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${writer}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await gate.entered;
    const closing = api.close();
    socket.write(`GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n`);
    gate.release();
    await ended;
    expect(await closing).toEqual({ drained: true, cutOff: 0 });
    // The write is answered, says the connection ends, and is stored; the late request gets a 503 or no answer,
    // never a 200.
    expect(answered[0]).toBe('POST /v1/runs 202 close');
    expect(answered.slice(1).every((a) => a.startsWith('GET /healthz 503'))).toBe(true);
    expect(await storedRun(id)).toBe(true);
    const statuses = [...received.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => m[1]);
    expect(statuses.every((s, i) => s === (i === 0 ? '202' : '503'))).toBe(true);
  });

  test('a request whose headers complete after close began is answered 503 with connection: close', async () => {
    api = await start(60_000);
    const serverSockets: net.Socket[] = [];
    api.server.on('connection', (s: net.Socket) => serverSockets.push(s));
    const { port } = new URL(api.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Half a request: the connection is busy (not idle) when close begins, so close does not end it.
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n');
    await eventually(() => serverSockets[0] && serverSockets[0].bytesRead > 0, 10_000, 'the server to read it');
    const closing = api.close();
    socket.write('\r\n');
    await ended;
    expect(await closing).toEqual({ drained: true, cutOff: 0 });
    expect(received).toMatch(/^HTTP\/1\.1 503 /);
    expect(received).toMatch(/^connection: close\r$/im);
    expect(received).toMatch(/^retry-after: 1\r$/im);
    expect(received).toContain('the server is shutting down');
  });
});
