import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeFetch } from '../../src/providers/node-fetch';

describe('nodeFetch (the Anthropic client’s fetch over node:http)', () => {
  let server: http.Server;
  let base: string;
  const held: http.ServerResponse[] = [];
  const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/hold') return void held.push(res);
        if (req.url === '/empty') return void res.writeHead(204).end();
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7', 'x-two': ['a', 'b'] });
        res.end(JSON.stringify({ echo: body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and body, and answers with status, every header and the body', async () => {
    const res = await nodeFetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', 'x-api-key': 'k' }),
      body: '{"q":1}',
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-two')).toBe('a, b');
    expect(await res.json()).toEqual({ echo: '{"q":1}' });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', body: '{"q":1}' });
    expect(last.headers['x-api-key']).toBe('k');
  });

  it('reads a buffered answer once, as fetch does: a second read, or a clone after it, fails', async () => {
    const res = await nodeFetch(`${base}/v1/messages`, { method: 'POST', body: '{"q":2}' });
    const copy = res.clone();
    expect(res.bodyUsed).toBe(false);
    expect(await res.text()).toBe(JSON.stringify({ echo: '{"q":2}' }));
    expect(res.bodyUsed).toBe(true);
    await expect(res.json()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    // The clone taken before the read has its own copy, readable in any form.
    expect(new TextDecoder().decode(await copy.arrayBuffer())).toBe(JSON.stringify({ echo: '{"q":2}' }));
    expect(res).toBeInstanceOf(Response);
  });

  it('rejects json() of a body that is not JSON with the SyntaxError fetch gives', async () => {
    const res = await nodeFetch(`${base}/v1/messages`, { method: 'POST', body: 'x' });
    const text = await res.clone().text();
    expect(text).toBe(JSON.stringify({ echo: 'x' }));
    const notJson = await nodeFetch(`${base}/empty`, { method: 'DELETE' });
    await expect(notJson.json()).rejects.toThrow(SyntaxError);
  });

  it('answers a bodiless status with a null body', async () => {
    const res = await nodeFetch(`${base}/empty`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });

  it('rejects with an AbortError when the signal aborts a call in flight', async () => {
    const controller = new AbortController();
    const before = held.length;
    const pending = nodeFetch(`${base}/hold`, { method: 'POST', body: 'x', signal: controller.signal });
    // The request has reached the server (polled, not slept) before the abort.
    for (const deadline = Date.now() + 5000; held.length === before && Date.now() < deadline;)
      await new Promise((resolve) => setImmediate(resolve));
    expect(held.length).toBe(before + 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('hands bodies it does not buffer (form data) to the built-in fetch', async () => {
    const form = new FormData();
    form.append('file', new Blob(['line']), 'batch.jsonl');
    const res = await nodeFetch(`${base}/upload`, { method: 'POST', body: form });
    expect(res.status).toBe(429);
    expect(seen.at(-1)!.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(seen.at(-1)!.body).toContain('line');
  });
});
