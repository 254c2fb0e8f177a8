import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../src/temporal/probe';
import { cli } from '../support/cli';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, tempDir } from '../support/temporal';

const TOKEN = 'api-shutdown-bootstrap-token';

/** `refinery api` on SIGTERM: a request being handled is answered before the process closes its store and exits. */
test('SIGTERM lets a long poll in flight answer, then refinery api exits 0', async () => {
  const home = tempDir('api-shutdown');
  const port = await freePort();
  const api = cli(['api'], {
    REFINERY_HOME: home,
    REFINERY_DATABASE_URL: `sqlite:${path.join(home, 'r.db')}`,
    REFINERY_API_PORT: String(port),
    REFINERY_API_TOKEN: TOKEN,
    TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
  });
  try {
    await eventually(() => api.output().includes('listening on'), 60_000, 'the API to start');
    const url = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const { seq } = (await (await fetch(`${url}/v1/changes?since=0`, { headers: auth })).json()) as { seq: number };

    // A long poll with nothing to report: it waits up to 30 s unless the server ends it.
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`GET /v1/changes?since=${seq}&wait=30 HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\n\r\n`);
    // The server reads connections in the order they came: once a later request is answered, the poll is in.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    api.child.kill('SIGTERM');
    await ended;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toMatch(/^connection: close\r$/im);
    expect(received).toContain(`{"seq":${seq},"moves":[]}`);
    expect(await api.exited).toBe(0);
    expect(api.output()).toContain('SIGTERM: finishing the requests being handled');
    expect(api.output()).not.toContain('cut off');
  } finally {
    api.child.kill('SIGKILL');
  }
});
