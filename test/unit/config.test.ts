import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  test('defaults give the embedded stack', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'refinery' });
    expect(c.databaseUrl).toBe('sqlite:/srv/app/.refinery/refinery.db');
    expect(c.dev).toEqual({ host: '127.0.0.1', port: 7233, uiPort: 8233 });
    expect(c.provider).toBe('auto');
  });

  test.each([
    [{ TEMPORAL_ADDRESS: 'nohost' }, 'TEMPORAL_ADDRESS'],
    [{ REFINERY_PROVIDER: 'openai' }, 'REFINERY_PROVIDER'],
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

  test('a secret is never echoed in the error', () => {
    // A key with surrounding whitespace is accepted; a bad token value is reported as hidden.
    expect(() => loadConfig({ REFINERY_API_PORT: 'x', ANTHROPIC_API_KEY: 'sk-secret' })).toThrow(/REFINERY_API_PORT/);
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
});
