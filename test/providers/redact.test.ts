import { redact, registerSecret } from '../../src/providers';
import { redactUrl, registerConfigSecrets, webhookOrigin } from '../../src/providers/redact';

describe('redact', () => {
  it('replaces registered secrets, also URL-encoded', () => {
    registerSecret('s3cret/key+registered');

    expect(redact('key s3cret/key+registered and s3cret%2Fkey%2Bregistered')).toBe('key [redacted] and [redacted]');
  });

  it('replaces secrets passed in, whether or not they were registered', () => {
    expect(redact('x-api-key: one-off-secret-value', ['one-off-secret-value'])).toBe('x-api-key: [redacted]');
  });

  it('replaces well-known key shapes that nobody registered', () => {
    const anthropicLike = `sk-ant-api03-${'a'.repeat(40)}`;
    const googleLike = `AIza${'B'.repeat(35)}`;

    expect(redact(`keys ${anthropicLike} ${googleLike}`)).toBe('keys [redacted] [redacted]');
  });

  it('replaces OpenAI key shapes and bearer credentials that nobody registered', () => {
    const legacy = `sk-${'a1'.repeat(24)}`;
    const project = `sk-proj-${'Xy_9-'.repeat(20)}`;

    expect(redact(`keys ${legacy} and ${project}`)).toBe('keys [redacted] and [redacted]');
    expect(redact('{"Authorization":"Bearer local-token-123"}')).toBe('{"Authorization":"[redacted]"}');
    expect(redact('authorization: Bearer abc.def-123')).toBe('authorization: [redacted]');
    expect(redact('sent Bearer eyJhbGciOi.J9-x2 upstream')).toBe('sent Bearer [redacted] upstream');
    expect(redact('skill risk-assessment-guidelines-for-teams')).toBe('skill risk-assessment-guidelines-for-teams');
    // Prose about the scheme, and the placeholder in help text, survive.
    expect(redact('send Authorization: Bearer <token> (create one)')).toBe(
      'send Authorization: Bearer <token> (create one)',
    );
    expect(redact('Bearer authentication failed; check the Authorization header')).toBe(
      'Bearer authentication failed; check the Authorization header',
    );
  });

  it('ignores secrets too short to be keys, which would otherwise mangle ordinary words', () => {
    registerSecret('abc');

    expect(redact('abcdef', ['the'])).toBe('abcdef');
  });
});

describe('redactUrl and webhookOrigin', () => {
  it('drops user info, password, query string and fragment from a URL', () => {
    expect(redactUrl('postgres://app:db-pass-123@db.internal:5432/refinery?sslmode=require&password=x#f')).toBe(
      'postgres://db.internal:5432/refinery',
    );
    expect(redactUrl('https://user@api.example.com/v1?token=abc')).toBe('https://api.example.com/v1');
    expect(redactUrl('sqlite:/var/lib/refinery/refinery.db')).toBe('sqlite:/var/lib/refinery/refinery.db');
  });

  it('cuts the same parts from a URL it cannot parse', () => {
    const shown = redactUrl('postgres://app:db-pass-123@db internal:notaport/x?key=secret-q');
    expect(shown).not.toContain('db-pass-123');
    expect(shown).not.toContain('secret-q');
    expect(shown).toContain('db internal');
  });

  it('shows a webhook as scheme and host only', () => {
    expect(webhookOrigin('https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe('https://hooks.slack.com');
    expect(webhookOrigin('http://u:p@127.0.0.1:9999/hook?k=v')).toBe('http://127.0.0.1:9999');
    expect(webhookOrigin('not a url')).toBe('(an unparseable URL)');
  });

  it('registers the config secrets, so redact scrubs them from any text', () => {
    registerConfigSecrets({
      anthropic: { apiKey: 'anthropic-config-key-1' },
      gemini: {},
      openai: { apiKey: 'openai-config-key-1' },
      api: { token: 'api-config-token-1' },
      webhook: { url: 'https://hooks.example.com/services/webhook-config-path-1', secret: 'webhook-config-secret-1' },
    });
    expect(
      redact(
        'o openai-config-key-1 a anthropic-config-key-1 b api-config-token-1 c https://hooks.example.com/services/webhook-config-path-1 d /services/webhook-config-path-1 e webhook-config-secret-1',
      ),
    ).toBe('o [redacted] a [redacted] b [redacted] c [redacted] d [redacted] e [redacted]');
  });
});
