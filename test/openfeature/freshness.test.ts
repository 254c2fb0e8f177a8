import { OpenFeature, type Client } from '@openfeature/server-sdk';
import { RefineryProvider } from '../../src/openfeature';
import { label, push, resetOpenFeature, startHarness, text, TOKEN, waitFor, type Harness } from './harness';

const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** Evaluates every 10 ms until the flag serves `version` (deadline 5 s); returns the ms from `since`. */
async function msUntilServed(client: Client, version: number, since: number, targetingKey?: string): Promise<number> {
  await waitFor(
    async () => (await client.getNumberValue('summary', -1, targetingKey ? { targetingKey } : {})) === version,
    5000,
    10,
  );
  return Date.now() - since;
}

describe('RefineryProvider freshness', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await push(h.db, 'summary', [text('v1: {{text}}'), text('v2: {{text}}')]);
    await label(h.db, 'summary', 1);
  });
  afterAll(() => h.close());
  afterEach(resetOpenFeature);

  it('sees a label move and a rollback in its next evaluations, for every unit', async () => {
    const provider = new RefineryProvider({
      baseUrl: h.url,
      token: TOKEN,
      warm: ['summary', { name: 'summary', unit: 'u-1' }],
    });
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();
    expect(await client.getNumberValue('summary', -1)).toBe(1);
    expect(await client.getNumberValue('summary', -1, { targetingKey: 'u-1' })).toBe(1);
    await waitFor(() => provider.resolver.stats().changes === 'connected');

    const move = await fetch(`${h.url}/v1/library/summary/labels/production`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ version: 2, reason: 'ship v2' }),
    });
    expect(move.status).toBe(200);
    const movedAt = Date.now();
    const moveMs = await msUntilServed(client, 2, movedAt);
    const moveUnitMs = await msUntilServed(client, 2, movedAt, 'u-1');
    expect(await client.getStringValue('summary', '')).toBe('v2: {{text}}');

    const rollback = await fetch(`${h.url}/v1/library/summary/rollback`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ reason: 'v2 regressed' }),
    });
    expect(rollback.status).toBe(200);
    const rolledAt = Date.now();
    const rollbackMs = await msUntilServed(client, 1, rolledAt);
    const rollbackUnitMs = await msUntilServed(client, 1, rolledAt, 'u-1');

    console.log(
      `openfeature: label move seen after ${moveMs} ms (unit: ${moveUnitMs} ms), rollback after ${rollbackMs} ms (unit: ${rollbackUnitMs} ms)`,
    );
    // How fast is measured in `npm run bench` (docs/testing.md), not asserted: each wait's deadline bounds it.
    const details = await client.getNumberDetails('summary', -1);
    expect(details).toMatchObject({ value: 1, variant: 'v1', flagMetadata: { version: 1, source: 'cache' } });
  });
});
