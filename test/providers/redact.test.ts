import { redact, registerSecret } from '../../src/providers';

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

  it('ignores secrets too short to be keys, which would otherwise mangle ordinary words', () => {
    registerSecret('abc');

    expect(redact('abcdef', ['the'])).toBe('abcdef');
  });
});
