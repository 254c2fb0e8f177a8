import { startFakeAnthropic } from '../fakes/fake-anthropic';
import type { FakeServer, FakeServerOptions } from '../fakes/fake-server-core';
import { startFakeGemini } from '../fakes/fake-gemini';
import { startFakeOpenAI } from '../fakes/fake-openai';
import { createProvider, ProviderError, type Provider } from '../../src/providers';

export const MARKER_KEY = 'sk-marker-KEY-123';

/** What the provider contract tests need to know to run the same scenarios against either provider. */
export interface ProviderCase {
  name: 'anthropic' | 'gemini' | 'openai';
  model: string;
  /** A base URL without a key is a local OpenAI-compatible server, which needs none (OpenAI only). */
  keylessWithBaseUrl?: boolean;
  keyEnv: string;
  startFake(options?: FakeServerOptions): Promise<FakeServer>;
  /** The header in which the SDK sends the API key. */
  sentKey(headers: FakeServer['requests'][number]['headers']): string | undefined;
}

export const PROVIDER_CASES: readonly ProviderCase[] = [
  {
    name: 'anthropic',
    // Not claude-sonnet-4-5: the SDK logs a deprecation warning for it on every call.
    model: 'claude-haiku-4-5',
    keyEnv: 'ANTHROPIC_API_KEY',
    startFake: startFakeAnthropic,
    // SDK 1.12 sends API keys as a bearer token; older versions used x-api-key.
    sentKey: (headers) => headers.authorization?.replace(/^Bearer /, '') ?? stringHeader(headers['x-api-key']),
  },
  {
    name: 'gemini',
    model: 'gemini-2.5-flash',
    keyEnv: 'GEMINI_API_KEY',
    startFake: startFakeGemini,
    sentKey: (headers) => stringHeader(headers['x-goog-api-key']),
  },
  {
    name: 'openai',
    model: 'gpt-4.1-mini',
    keyEnv: 'OPENAI_API_KEY',
    startFake: startFakeOpenAI,
    sentKey: (headers) => headers.authorization?.replace(/^Bearer /, ''),
    keylessWithBaseUrl: true,
  },
];

export function providerFor(testCase: ProviderCase, baseUrl: string, apiKey = MARKER_KEY): Provider {
  return createProvider(testCase.name, { apiKey, baseUrl });
}

/** Awaits a call that must fail and returns its ProviderError, failing the test on anything else. */
export async function providerErrorOf(call: Promise<unknown>): Promise<ProviderError> {
  const outcome = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (outcome === undefined) throw new Error('expected the call to fail, but it succeeded');
  if (!(outcome instanceof ProviderError)) throw new Error('expected a ProviderError', { cause: outcome });
  return outcome;
}

function stringHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
