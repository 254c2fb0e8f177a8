import { outputCall, runCase, type CaseRunDeps } from '../../src/activities/eval/case-runner';
import { DEFAULT_EVAL_SETTINGS } from '../../src/eval/defaults';
import { AdaptiveLimiter } from '../../src/eval/limiter';
import type { EvalCase } from '../../src/eval/types';
import { contentHash, type LibraryContent } from '../../src/library/content';
import {
  AnthropicProvider,
  checkContextBudget,
  ContextBudgetError,
  contextWindowFor,
  UNKNOWN_CONTEXT_WINDOW,
} from '../../src/providers';
import { agentToolCalls } from '../../src/skills/tool-call-store';
import { agentRunKey } from '../../src/activities/eval/agent-output';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import type { FakeServer } from '../fakes/fake-server-core';
import { MARKER_KEY } from '../providers/provider-cases';
import { storeBackend } from '../support/store-backends';

const MODEL = 'claude-sonnet-4-6';
const KIB = 1024;
/** A 1 MiB skill: SKILL.md pointing at five references of about 200 KiB each, the task needing one of them. */
const SKILL: Record<string, string> = {
  'SKILL.md':
    '---\nname: big\ndescription: Answers from its references.\n---\n# Big\n\nFor invoices read references/r3.md.',
  ...Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`references/r${n}.md`, `r${n} `.repeat((205 * KIB) / 3)])),
};

describe('context budgets', () => {
  it('knows the windows beside the price table; an unknown model gets the smallest', () => {
    expect(contextWindowFor('anthropic', 'claude-sonnet-4-6-20260101')).toBe(200_000);
    expect(contextWindowFor('gemini', 'models/gemini-2.5-pro')).toBe(1_048_576);
    expect(contextWindowFor('anthropic', 'claude-nova-9')).toBe(UNKNOWN_CONTEXT_WINDOW);
    expect(contextWindowFor('offline', 'anything')).toBe(Infinity);
  });

  it('refuses a prompt over the window, naming the fewest largest files that push it over', () => {
    const files = {
      'SKILL.md': 'short',
      'a.md': 'a'.repeat(400_000),
      'b.md': 'b'.repeat(300_000),
      'c.md': 'c'.repeat(1000),
    };
    const check = (f: Record<string, string>) => () =>
      checkContextBudget({
        provider: 'anthropic',
        model: MODEL,
        what: 'the executor prompt',
        text: Object.values(f).join('\n'),
        maxOutputTokens: 4096,
        files: f,
      });
    // About 175,300 tokens and 4,096 reserved: it fits the 200,000 window.
    expect(check(files)).not.toThrow();

    const big = { ...files, 'd.md': 'd'.repeat(200_000) };
    let refused: unknown;
    try {
      check(big)();
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(ContextBudgetError);
    const err = refused as ContextBudgetError;
    // About 29,400 tokens over: a.md alone (100,000 tokens) frees enough, so it alone is named.
    expect(err.files).toEqual(['a.md']);
    expect(err.message).toContain("over claude-sonnet-4-6's context window of 200,000; nothing was sent");
    expect(err.message).toContain('a.md (~100,000 tokens)');
    expect(err.message).toContain('--execution agent');
    expect(err).toMatchObject({ retryable: false, kind: 'bad_request' });
  });

  it('names no file when the prompt is too long without any', () => {
    expect(() =>
      checkContextBudget({
        provider: 'anthropic',
        model: MODEL,
        what: 'the judge prompt',
        text: 'x'.repeat(900_000),
        maxOutputTokens: 10,
        files: { 'SKILL.md': 'hi' },
      }),
    ).toThrow('too long even without its files');
  });
});

describe('a 1 MiB skill evaluated through the real Anthropic SDK (fake server)', () => {
  const backend = storeBackend('sqlite');
  let fake: FakeServer;
  const content: LibraryContent = { type: 'skill', files: SKILL };
  const kase: EvalCase = { id: 'inv', vars: { input: 'an invoice' }, assertions: [] } as unknown as EvalCase;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  async function deps(execution: 'inline' | 'agent'): Promise<CaseRunDeps> {
    const provider = new AnthropicProvider({ apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
    return {
      db: await backend.open(),
      limiter: new AdaptiveLimiter(2),
      model: { provider, name: MODEL, providerName: 'anthropic' },
      judge: { provider, name: MODEL, providerName: 'anthropic' },
      settings: { ...DEFAULT_EVAL_SETTINGS, provider: 'anthropic', model: MODEL, execution },
      content,
      contentHash: contentHash(content),
      itemName: 'big',
      cacheResponse: () => undefined,
    };
  }

  it('inline: refused before any call, the message naming the files that push it over', async () => {
    const result = await runCase(await deps('inline'), kase, 1);

    expect(fake.requests).toHaveLength(0);
    expect(result.status).toBe('error');
    expect(result.error).toContain("over claude-sonnet-4-6's context window of 200,000");
    expect(result.error).toMatch(/The files that push it over: references\/r\d\.md \(~\d[\d,]* tokens\)/);
  });

  it('agent: reads the one reference it needs and answers, the read recorded', async () => {
    fake.enqueue([
      { text: '', toolCalls: [{ name: 'read_file', input: { path: 'references/r3.md' } }] },
      { text: 'invoice handled' },
    ]);
    const d = await deps('agent');
    const result = await runCase(d, kase, 1);

    expect(result).toMatchObject({ status: 'pass', output: 'invoice handled' });
    expect(fake.requests).toHaveLength(2);
    const calls = await agentToolCalls(d.db, agentRunKey(fakeKey(d)));
    expect(calls.map((c) => [c.path, c.outcome])).toEqual([['references/r3.md', 'read']]);
  });
});

/** The response-cache key of the sample, as runCase computes it: the agent run's calls are recorded under it. */
function fakeKey(d: CaseRunDeps): string {
  return outputCall(d, { id: 'inv', vars: { input: 'an invoice' }, assertions: [] } as unknown as EvalCase, 1).cacheKey;
}
