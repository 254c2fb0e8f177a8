import { ErrorCode, OpenFeature } from '@openfeature/server-sdk';
import { startApiServer } from '../../src/api/server';
import { RefineryProvider } from '../../src/openfeature';
import { createResolver } from '../../src/resolver';
import { deadPort, label, push, resetOpenFeature, startHarness, text, TOKEN, waitFor, type Harness } from './harness';

describe('RefineryProvider when the API is away, and at close', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await push(h.db, 'summary', [text('v1: {{text}}')]);
    await label(h.db, 'summary', 1);
  });
  afterAll(() => h.close());
  afterEach(resetOpenFeature);

  it('keeps serving the cached value (source stale) when the API goes down after warm-up', async () => {
    // Its own API server: this test stops it.
    const api = await startApiServer(h.db, { port: 0, bootstrapToken: TOKEN, pollMs: 50 });
    const warnings: string[] = [];
    const provider = new RefineryProvider({
      baseUrl: api.url,
      token: TOKEN,
      warm: ['summary'],
      onError: (err) => warnings.push(err.message),
    });
    try {
      await OpenFeature.setProviderAndWait(provider);
      await waitFor(() => provider.resolver.stats().changes === 'connected');
      await api.close();

      const client = OpenFeature.getClient();
      const stale = await waitFor(async () => {
        const d = await client.getStringDetails('summary', 'default');
        return d.flagMetadata.source === 'stale' ? d : undefined;
      });
      expect(stale).toMatchObject({ value: 'v1: {{text}}', variant: 'v1', flagMetadata: { version: 1 } });
      expect(stale.errorCode).toBeUndefined();
      expect(await client.getNumberValue('summary', -1)).toBe(1);
      expect(warnings.join('\n')).toMatch(/serving cached values as stale/);

      // Never resolved before the outage, no fallback: the default, with a message naming the fix.
      const missing = await client.getNumberDetails('other', -1);
      expect(missing).toMatchObject({ value: -1, errorCode: ErrorCode.GENERAL });
      expect(missing.errorMessage).toMatch(/"other".*did not answer; check baseUrl/);
    } finally {
      await api.close().catch(() => undefined);
    }
  });

  it('answers GENERAL with a clear message when the API is unreachable and nothing is cached', async () => {
    const baseUrl = `http://127.0.0.1:${await deadPort()}`;
    const provider = new RefineryProvider({ baseUrl, token: TOKEN, onError: () => undefined });
    await OpenFeature.setProviderAndWait(provider);
    const details = await OpenFeature.getClient().getObjectDetails('summary', { none: true });
    expect(details).toMatchObject({ value: { none: true }, errorCode: ErrorCode.GENERAL, reason: 'ERROR' });
    expect(details.errorMessage).toContain(`the Refinery API at ${baseUrl} did not answer`);
    expect(details.errorMessage).toMatch(/pass fallback/);
  });

  it('serves a configured fallback while the API is unreachable', async () => {
    const provider = new RefineryProvider({
      baseUrl: `http://127.0.0.1:${await deadPort()}`,
      token: TOKEN,
      fallback: {
        summary: { version: 1, content: { type: 'text', text: 'Summarise: {{text}}', variables: ['text'] } },
      },
      onError: () => undefined,
    });
    await OpenFeature.setProviderAndWait(provider);
    const details = await OpenFeature.getClient().getStringDetails('summary', '');
    expect(details).toMatchObject({
      value: 'Summarise: {{text}}',
      variant: 'v1',
      flagMetadata: { source: 'fallback' },
    });
  });

  it('rejects setProviderAndWait naming a warm-up flag that does not exist', async () => {
    const provider = new RefineryProvider({ baseUrl: h.url, token: TOKEN, warm: ['summary', 'nope'] });
    await expect(OpenFeature.setProviderAndWait(provider)).rejects.toThrow(/warm-up failed for 1 flag\(s\).*"nope"/);
    // The provider still evaluates (the SDK reports ERROR status but keeps calling it).
    expect(await OpenFeature.getClient().getNumberValue('summary', -1)).toBe(1);
  });

  it('closes the resolver it owns at OpenFeature.close(), and not one it was given', async () => {
    const owned = new RefineryProvider({ baseUrl: h.url, token: TOKEN, warm: ['summary'] });
    const given = createResolver({ baseUrl: h.url, token: TOKEN });
    const sharing = new RefineryProvider({ resolver: given, warm: ['summary'] });
    try {
      await OpenFeature.setProviderAndWait(owned);
      await OpenFeature.setProviderAndWait('shared', sharing);
      expect(await OpenFeature.getClient('shared').getNumberValue('summary', -1)).toBe(1);
      expect(sharing.resolver).toBe(given);
      await waitFor(() => owned.resolver.stats().changes === 'connected');
      await waitFor(() => given.stats().changes === 'connected');

      await OpenFeature.close();
      expect(owned.resolver.stats().changes).toBe('stopped');
      expect(given.stats().changes).toBe('connected');
      expect((await given.get('summary')).version).toBe(1);

      // close() leaves providers registered (serving the closed resolver's memory, as stale). Cleared and
      // registered again, the provider builds a fresh resolver.
      expect((await OpenFeature.getClient().getNumberDetails('summary', -1)).flagMetadata.source).toBe('stale');
      await OpenFeature.clearProviders();
      await OpenFeature.setProviderAndWait(owned);
      const again = await OpenFeature.getClient().getNumberDetails('summary', -1);
      expect(again).toMatchObject({ value: 1, flagMetadata: { source: 'cache' } });
      expect(owned.resolver.stats().changes).not.toBe('stopped');
    } finally {
      await given.close();
    }
  });
});
