import { AnthropicProvider, GeminiProvider, OpenAIProvider, type Provider } from '../../src/providers';
import { OfflineProvider } from '../../src/offline/offline-provider';
import { parseTriggerAnswer, triggerRequest } from '../../src/skills/trigger';
import type { FakeServer, FakeServerOptions } from '../fakes/fake-server-core';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeGemini } from '../fakes/fake-gemini';
import { startFakeOpenAI } from '../fakes/fake-openai';
import { MARKER_KEY } from '../providers/provider-cases';
import { keywordAgent } from '../support/trigger-fakes';

// The trigger question over every provider: the real SDKs against the fakes (which answer like a model that loads
// the skill sharing words with the request), and the offline provider. Each asks for a structured answer.

const cards = [
  { name: 'slides', description: 'Makes slide decks.' },
  { name: 'pdf-forms', description: 'Fills in PDF forms.' },
];
const request = triggerRequest(cards, 'please fill these PDF forms');

const remotes: [string, (o: FakeServerOptions) => Promise<FakeServer>, (url: string) => Provider, string][] = [
  [
    'anthropic',
    startFakeAnthropic,
    (url) => new AnthropicProvider({ apiKey: MARKER_KEY, baseUrl: url }),
    'claude-haiku-4-5',
  ],
  ['gemini', startFakeGemini, (url) => new GeminiProvider({ apiKey: MARKER_KEY, baseUrl: url }), 'gemini-2.5-flash'],
  ['openai', startFakeOpenAI, (url) => new OpenAIProvider({ apiKey: MARKER_KEY, baseUrl: url }), 'gpt-4.1-mini'],
];

describe.each(remotes)('the trigger question over %s', (name, start, make, model) => {
  let fake: FakeServer;
  beforeAll(async () => (fake = await start({ respond: keywordAgent() })));
  afterAll(() => fake.close());

  test('asks for JSON and reads which skills the model loads', async () => {
    const r = await make(fake.baseUrl).complete(model, request);
    expect(parseTriggerAnswer(r.text)).toEqual(['pdf-forms']);
    const body = fake.requests[0]!.body as Record<string, unknown>;
    if (name === 'openai')
      // OpenAI enforces the answer's shape (strict JSON schema).
      expect(body.response_format).toMatchObject({
        type: 'json_schema',
        json_schema: { name: 'skills_to_load', strict: true },
      });
    if (name === 'gemini') expect(body.generationConfig).toMatchObject({ responseMimeType: 'application/json' });
    if (name === 'anthropic') expect(JSON.stringify(body.system)).toMatch(/JSON/);
  });
});

test('the offline provider answers the trigger question in the same shape', async () => {
  const r = await new OfflineProvider().complete('offline', request);
  expect(parseTriggerAnswer(r.text)).toEqual(['pdf-forms']);
});
