import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook } from '../../src/webhook';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  webhookSignatureHeaders,
  webhookSignatureProblem,
} from '../../src/webhook-signature';

const SECRET = 'a-webhook-secret-for-tests';
const BODY = JSON.stringify({ text: 'Refinery rollout r1 of qa: rolled-back — error rate 12% > 5%' });
const NOW = 1_800_000_000;

describe('webhook signatures', () => {
  test('a signed body checks out with the secret, at the time it was signed and within the tolerance', () => {
    const headers = webhookSignatureHeaders(SECRET, BODY, NOW);
    expect(headers[TIMESTAMP_HEADER]).toBe(String(NOW));
    expect(headers[SIGNATURE_HEADER]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(webhookSignatureProblem(SECRET, headers, BODY, { nowS: NOW })).toBeUndefined();
    expect(webhookSignatureProblem(SECRET, headers, BODY, { nowS: NOW + 300 })).toBeUndefined();
  });

  test('each way a request can be wrong is named', () => {
    const headers = webhookSignatureHeaders(SECRET, BODY, NOW);
    const at = { nowS: NOW };
    expect(webhookSignatureProblem(SECRET, headers, BODY.replace('12%', '2%'), at)).toBe(
      'the signature does not match the body: another secret, or a body changed on the way',
    );
    expect(webhookSignatureProblem('another-secret-of-16+', headers, BODY, at)).toMatch(/does not match/);
    expect(webhookSignatureProblem(SECRET, headers, BODY, { nowS: NOW + 301 })).toBe(
      'signed 301 s ago, outside the 300 s tolerance: a replay, or a clock off',
    );
    expect(webhookSignatureProblem(SECRET, headers, BODY, { nowS: NOW + 30, toleranceS: 10 })).toMatch(
      /outside the 10 s tolerance/,
    );
    expect(webhookSignatureProblem(SECRET, headers, BODY, { nowS: NOW - 400 })).toBe(
      'signed 400 s in the future, outside the 300 s tolerance: a replay, or a clock off',
    );
    expect(webhookSignatureProblem(SECRET, {}, BODY, at)).toBe(
      'no x-refinery-timestamp and x-refinery-signature headers: the POST is not signed',
    );
    expect(webhookSignatureProblem(SECRET, { ...headers, [TIMESTAMP_HEADER]: '1.8e9' }, BODY, at)).toBe(
      'x-refinery-timestamp is not unix seconds',
    );
    // Replaying the signature with a new timestamp breaks it: the timestamp is signed too.
    expect(webhookSignatureProblem(SECRET, { ...headers, [TIMESTAMP_HEADER]: String(NOW + 60) }, BODY, at)).toMatch(
      /does not match/,
    );
    expect(webhookSignatureProblem(SECRET, { ...headers, [SIGNATURE_HEADER]: 'v1=00' }, BODY, at)).toMatch(
      /does not match/,
    );
  });

  test('postWebhook signs what it sends when the webhook has a secret, and sends no signature headers without one', async () => {
    const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await postWebhook({ url, secret: SECRET }, { text: 'signed' });
      await postWebhook({ url }, { text: 'plain' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(got.map((g) => JSON.parse(g.body) as unknown)).toEqual([{ text: 'signed' }, { text: 'plain' }]);
    expect(webhookSignatureProblem(SECRET, got[0]!.headers, got[0]!.body)).toBeUndefined();
    expect(got[1]!.headers[SIGNATURE_HEADER]).toBeUndefined();
    expect(got[1]!.headers[TIMESTAMP_HEADER]).toBeUndefined();
  });
});
