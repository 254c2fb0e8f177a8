import { ErrorCode, OpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import { RefineryProvider } from '../../src/openfeature';
import { label, push, recordingFetch, resetOpenFeature, startHarness, text, TOKEN, type Harness } from './harness';

const SKILL = { type: 'skill' as const, files: { 'SKILL.md': '# Triage\nSort the tickets.' } };
const CHAT = {
  type: 'chat' as const,
  messages: [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: 'Summarise {{text}}' },
  ],
  variables: ['text'],
};

describe('RefineryProvider evaluations', () => {
  let h: Harness;
  let provider: RefineryProvider;
  let recorded: ReturnType<typeof recordingFetch>;

  beforeAll(async () => {
    h = await startHarness();
    // Production on v2 of three: the provider must serve the label, not the latest version.
    await push(h.db, 'summary', [text('v1: {{text}}'), text('v2: {{text}}'), text('v3: {{text}}')]);
    await label(h.db, 'summary', 2);
    await label(h.db, 'summary', 3, 'staging');
    await push(h.db, 'chatty', [CHAT]);
    await label(h.db, 'chatty', 1);
    await push(h.db, 'triage', [SKILL]);
    await label(h.db, 'triage', 1);
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    recorded = recordingFetch();
    provider = new RefineryProvider({ baseUrl: h.url, token: TOKEN, fetch: recorded.fetch, warm: ['summary'] });
    await OpenFeature.setProviderAndWait(provider);
  });
  afterEach(resetOpenFeature);

  it('serves the production version as a number, its text as a string and the whole version as an object', async () => {
    const client = OpenFeature.getClient();
    expect(provider.metadata.name).toBe('refinery');
    expect(await client.getNumberValue('summary', 0)).toBe(2);
    expect(await client.getStringValue('summary', 'default')).toBe('v2: {{text}}');

    const details = await client.getObjectDetails('summary', {});
    expect(details.value).toMatchObject({
      name: 'summary',
      version: 2,
      content: { type: 'text', text: 'v2: {{text}}' },
    });
    const value = details.value as { hash: string; link: string; content: { text: string } };
    expect(value.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(value.link).toContain('summary');
    expect(details.variant).toBe('v2');
    expect(details.reason).toBe(StandardResolutionReasons.STATIC);
    expect(details.errorCode).toBeUndefined();
    // Warmed by initialize(): answered from memory, with what hooks and logs need to name the version.
    expect(details.flagMetadata).toEqual({
      version: 2,
      hash: value.hash,
      link: value.link,
      source: 'cache',
      label: 'production',
    });
    // The object is the caller's own: changing it does not reach the resolver's shared copy.
    value.content.text = 'changed';
    expect(await client.getStringValue('summary', 'default')).toBe('v2: {{text}}');
  });

  it('gives chat prompts as the JSON of their messages and skills as their version hash', async () => {
    const client = OpenFeature.getClient();
    expect(JSON.parse(await client.getStringValue('chatty', ''))).toEqual(CHAT.messages);
    const skill = await client.getStringDetails('triage', '');
    expect(skill.value).toMatch(/^[0-9a-f]{64}$/);
    expect(skill.value).toBe(skill.flagMetadata.hash);
    expect(skill.flagMetadata.source).toBe('api');
  });

  it('passes targetingKey through as the unit and reports a targeting match', async () => {
    const details = await OpenFeature.getClient().getNumberDetails('summary', 0, { targetingKey: 'user-42' });
    expect(details).toMatchObject({ value: 2, variant: 'v2', reason: StandardResolutionReasons.TARGETING_MATCH });
    expect(typeof details.flagMetadata.bucket).toBe('number');
    const resolves = recorded.urls.filter((u) => u.includes('/v1/resolve/summary'));
    expect(resolves.some((u) => new URL(u).searchParams.get('unit') === 'user-42')).toBe(true);

    // A client-level context works the same way (the SDK merges it into each evaluation).
    const client = OpenFeature.getClient();
    client.setContext({ targetingKey: 'tenant-7' });
    expect(await client.getNumberValue('summary', 0)).toBe(2);
    expect(recorded.urls.some((u) => new URL(u).searchParams.get('unit') === 'tenant-7')).toBe(true);
  });

  it('picks another label with the "label" attribute', async () => {
    const details = await OpenFeature.getClient().getStringDetails('summary', '', { label: 'staging' });
    expect(details).toMatchObject({ value: 'v3: {{text}}', variant: 'v3', flagMetadata: { label: 'staging' } });
  });

  it('answers an unknown flag with the default and FLAG_NOT_FOUND', async () => {
    const client = OpenFeature.getClient();
    const details = await client.getNumberDetails('no-such-prompt', 7);
    expect(details).toMatchObject({ value: 7, errorCode: ErrorCode.FLAG_NOT_FOUND, reason: 'ERROR' });
    expect(details.errorMessage).toContain('no-such-prompt');
    const unknownLabel = await client.getStringDetails('summary', 'dflt', { label: 'canary' });
    expect(unknownLabel).toMatchObject({ value: 'dflt', errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it('answers a boolean evaluation with the default and TYPE_MISMATCH', async () => {
    const details = await OpenFeature.getClient().getBooleanDetails('summary', true);
    expect(details).toMatchObject({ value: true, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(details.errorMessage).toMatch(/number, string or object/);
  });

  it('answers a malformed context with the default and INVALID_CONTEXT', async () => {
    const details = await OpenFeature.getClient().getNumberDetails('summary', -1, { label: 42 });
    expect(details).toMatchObject({ value: -1, errorCode: ErrorCode.INVALID_CONTEXT });
  });
});
