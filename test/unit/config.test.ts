import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  test('defaults give the embedded stack', () => {
    const c = loadConfig({}, '/srv/app');
    // No task queue configured: each store derives its own (storeTaskQueue).
    expect(c.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: undefined });
    expect(loadConfig({ REFINERY_TASK_QUEUE: 'shared' }, '/srv/app').temporal.taskQueue).toBe('shared');
    expect(c.databaseUrl).toBe('sqlite:/srv/app/.refinery/refinery.db');
    expect(c.dev).toEqual({ host: '127.0.0.1', port: 7233, uiPort: 8233 });
    expect(c.provider).toBe('auto');
  });

  test.each([
    [{ TEMPORAL_ADDRESS: 'nohost' }, 'TEMPORAL_ADDRESS'],
    [{ REFINERY_PROVIDER: 'azure' }, 'REFINERY_PROVIDER'],
    [{ OPENAI_BASE_URL: 'http:// not a url' }, 'OPENAI_BASE_URL'],
    [{ ANTHROPIC_BASE_URL: 'not a url' }, 'ANTHROPIC_BASE_URL'],
    [{ REFINERY_DATABASE_URL: 'mysql://x' }, 'REFINERY_DATABASE_URL'],
    [{ REFINERY_API_PORT: '70000' }, 'REFINERY_API_PORT'],
  ])('a bad value is a one-line error naming the variable: %j', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      const message = (err as Error).message;
      expect(message.startsWith(`${name}=`)).toBe(true);
      expect(message).toContain(`unset ${name}`);
      expect(message.includes('\n')).toBe(false);
    }
  });

  test('OPENAI_API_KEY and OPENAI_BASE_URL configure OpenAI; a base URL alone (a local server) is accepted', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'sk-openai-key-1', REFINERY_PROVIDER: 'openai' })).toMatchObject({
      provider: 'openai',
      openai: { apiKey: 'sk-openai-key-1', baseUrl: undefined },
    });
    expect(loadConfig({ OPENAI_BASE_URL: 'http://localhost:11434/v1' }).openai).toEqual({
      apiKey: undefined,
      baseUrl: 'http://localhost:11434/v1',
    });
  });

  test('a secret is never echoed in the error', () => {
    // A key with surrounding whitespace is accepted; a bad token value is reported as hidden.
    expect(() => loadConfig({ REFINERY_API_PORT: 'x', ANTHROPIC_API_KEY: 'sk-secret' })).toThrow(/REFINERY_API_PORT/);
  });

  describe('marker secrets never reach a config error', () => {
    const MARKERS = {
      ANTHROPIC_API_KEY: 'anthropic-key-MARKER-c1',
      GEMINI_API_KEY: 'gemini-key-MARKER-c2',
      OPENAI_API_KEY: 'openai-key-MARKER-c7',
      REFINERY_API_TOKEN: 'api-token-MARKER-c3',
    };
    const DB_PASSWORD = 'db-password-MARKER-c4';
    const DB_QUERY = 'db-query-MARKER-c5';
    const WEBHOOK_PATH = 'webhook-path-MARKER-c6';
    const all = [...Object.values(MARKERS), DB_PASSWORD, DB_QUERY, WEBHOOK_PATH];
    const good = {
      ...MARKERS,
      REFINERY_DATABASE_URL: `postgres://app:${DB_PASSWORD}@db.internal:5432/refinery?application_name=${DB_QUERY}`,
      REFINERY_WEBHOOK_URL: `https://hooks.example.com/services/${WEBHOOK_PATH}`,
    };

    test.each([
      ['another variable is bad', { REFINERY_API_PORT: 'x' }, 'REFINERY_API_PORT'],
      [
        'the database URL is bad',
        { REFINERY_DATABASE_URL: `mysql://app:${DB_PASSWORD}@db.internal/refinery?x=${DB_QUERY}` },
        'REFINERY_DATABASE_URL="mysql://db.internal/refinery"',
      ],
      [
        'the database URL cannot be parsed',
        { REFINERY_DATABASE_URL: `mysql://app:${DB_PASSWORD}@db internal/refinery?x=${DB_QUERY}` },
        'REFINERY_DATABASE_URL="mysql://db internal/refinery"',
      ],
      [
        'the webhook URL is bad',
        { REFINERY_WEBHOOK_URL: `hooks.example.com/services/${WEBHOOK_PATH}` },
        'REFINERY_WEBHOOK_URL="(an unparseable URL)"',
      ],
      [
        'a key is bad',
        { REFINERY_PROVIDER: 'x', ANTHROPIC_BASE_URL: `nope ${MARKERS.ANTHROPIC_API_KEY}` },
        'REFINERY_PROVIDER',
      ],
      [
        'the OpenAI base URL is bad and carries the key',
        { OPENAI_BASE_URL: `nope ${MARKERS.OPENAI_API_KEY}` },
        'OPENAI_BASE_URL',
      ],
      [
        'a public URL is bad',
        { REFINERY_PUBLIC_URL: `https://user:${DB_PASSWORD}@exa mple.com/?t=${DB_QUERY}` },
        'REFINERY_PUBLIC_URL="https://exa mple.com/"',
      ],
    ])('%s', (_what, bad, shown) => {
      let message = '';
      try {
        loadConfig({ ...good, ...bad });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toContain(shown);
      for (const marker of all) expect(message).not.toContain(marker);
    });

    test('a public URL loses its user info and query string before any link is built on it', () => {
      const c = loadConfig({ REFINERY_PUBLIC_URL: `https://ops:${DB_PASSWORD}@refinery.example.com/?t=${DB_QUERY}` });
      expect(c.api.publicUrl).toBe('https://refinery.example.com');
    });
  });

  test('remote mode needs both REFINERY_API_URL and REFINERY_API_TOKEN; the token alone is the server bootstrap', () => {
    expect(
      loadConfig({ REFINERY_API_URL: 'https://refinery.example.test/', REFINERY_API_TOKEN: 'rfy_x' }).remote,
    ).toEqual({
      url: 'https://refinery.example.test',
      token: 'rfy_x',
    });
    expect(loadConfig({ REFINERY_API_TOKEN: 'rfy_x' }).remote).toBeUndefined();
    expect(loadConfig({}).remote).toBeUndefined();
    expect(() => loadConfig({ REFINERY_API_URL: 'https://refinery.example.test' })).toThrow(
      /REFINERY_API_URL is set but REFINERY_API_TOKEN is not/,
    );
  });

  test('REFINERY_WEBHOOK_SECRET signs the webhook: 16 characters at least, and only beside a webhook URL', () => {
    const url = 'https://hooks.example.test/services/x';
    expect(loadConfig({ REFINERY_WEBHOOK_URL: url }).webhook).toEqual({ url, secret: undefined });
    expect(loadConfig({ REFINERY_WEBHOOK_URL: url, REFINERY_WEBHOOK_SECRET: 'sixteen-chars-ok' }).webhook).toEqual({
      url,
      secret: 'sixteen-chars-ok',
    });
    expect(loadConfig({}).webhook).toBeUndefined();
    expect(() => loadConfig({ REFINERY_WEBHOOK_URL: url, REFINERY_WEBHOOK_SECRET: 'too-short' })).toThrow(
      'REFINERY_WEBHOOK_SECRET=(hidden) is invalid: at least 16 characters (e.g. `openssl rand -hex 32`). Fix or unset REFINERY_WEBHOOK_SECRET.',
    );
    expect(() => loadConfig({ REFINERY_WEBHOOK_SECRET: 'sixteen-chars-ok' })).toThrow(
      "REFINERY_WEBHOOK_SECRET is set but REFINERY_WEBHOOK_URL is not: the secret signs the webhook's POSTs. Set REFINERY_WEBHOOK_URL, or unset REFINERY_WEBHOOK_SECRET.",
    );
  });
});
