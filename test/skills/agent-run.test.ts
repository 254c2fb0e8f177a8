import {
  AnthropicProvider,
  GeminiProvider,
  OpenAIProvider,
  type Provider,
  type ToolProvider,
} from '../../src/providers';
import { AgentCapError, filesRead, runSkillAgent, type AgentRunInput } from '../../src/skills/agent-run';
import {
  agentToolCalls,
  recordAgentToolCalls,
  skillFileUsage,
  versionFileUsage,
} from '../../src/skills/tool-call-store';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeGemini } from '../fakes/fake-gemini';
import { startFakeOpenAI } from '../fakes/fake-openai';
import type { FakeServer } from '../fakes/fake-server-core';
import { MARKER_KEY } from '../providers/provider-cases';
import { searchLibrary } from '../../src/library/search';
import { recordVersion } from '../../src/library/versions';
import { describeEachStore } from '../support/store-backends';

/** A skill with five reference files; each reference holds a marker so the test can see which were sent. */
const FILES: Record<string, string> = {
  'SKILL.md': '---\nname: pdf-forms\ndescription: Fills PDF forms.\n---\n# PDF forms\n\nSee references/*.md.',
  ...Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((n) => [`references/${n}.md`, `marker-${n}: guidance ${n}.`])),
};

const DIALECTS = [
  {
    name: 'anthropic tool use',
    model: 'claude-haiku-4-5',
    start: startFakeAnthropic,
    provider: (baseUrl: string) => new AnthropicProvider({ apiKey: MARKER_KEY, baseUrl }),
  },
  {
    name: 'gemini function calling',
    model: 'gemini-2.5-flash',
    start: startFakeGemini,
    provider: (baseUrl: string) => new GeminiProvider({ apiKey: MARKER_KEY, baseUrl }),
  },
  {
    name: 'openai function calling',
    model: 'gpt-4.1-mini',
    start: startFakeOpenAI,
    provider: (baseUrl: string) => new OpenAIProvider({ apiKey: MARKER_KEY, baseUrl }),
  },
] as const;

function agentInput(
  provider: Provider & ToolProvider,
  model: string,
  over: Partial<AgentRunInput> = {},
): AgentRunInput {
  return {
    skill: {
      name: 'pdf-forms',
      files: FILES,
      unreadable: [{ path: 'fonts/a.ttf', size: 1234, mediaType: 'font/ttf' }],
    },
    system: '[refinery:executor] Carry out the skill.',
    task: '<scenario>\nfill the tax form\n</scenario>',
    maxOutputTokens: 512,
    caps: { maxTurns: 6, maxTokens: 100_000 },
    turn: (req) => provider.turn(model, req),
    ...over,
  };
}

describe.each(DIALECTS)('agent execution over $name (real SDK, fake server)', (d) => {
  let fake: FakeServer;
  let provider: Provider & ToolProvider;
  beforeAll(async () => {
    fake = await d.start();
    provider = d.provider(fake.baseUrl);
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('reads two of five reference files and answers; only those two are sent', async () => {
    fake.enqueue([
      { text: '', toolCalls: [{ id: 'c1', name: 'list_files', input: {} }] },
      {
        text: 'I need b and d.',
        toolCalls: [
          { id: 'c2', name: 'read_file', input: { path: 'references/b.md' } },
          { id: 'c3', name: 'read_file', input: { path: 'references/d.md' } },
        ],
      },
      { text: 'The filled form.' },
    ]);

    const run = await runSkillAgent(agentInput(provider, d.model));

    expect(run).toMatchObject({ text: 'The filled form.', turns: 3 });
    expect(filesRead(run.calls)).toEqual(['references/b.md', 'references/d.md']);
    expect(run.calls.map((c) => c.outcome)).toEqual(['listed', 'read', 'read']);
    expect(Object.keys(run.filesSeen).sort()).toEqual(['SKILL.md', 'references/b.md', 'references/d.md']);
    expect(fake.requests).toHaveLength(3);
    const [first, second, third] = fake.requests;
    // The opening holds name, description and SKILL.md's body, never a reference file.
    expect(first!.text).toContain('Fills PDF forms.');
    expect(first!.text).toContain('# PDF forms');
    expect(first!.text).not.toMatch(/marker-/);
    // list_files shows every file, the binary with its size and media type.
    expect(second!.text).toContain('references/e.md (');
    expect(second!.text).toContain('fonts/a.ttf (1234 bytes, font/ttf; binary, not readable)');
    expect(third!.text).toContain('marker-b');
    expect(third!.text).toContain('marker-d');
    expect(third!.text).not.toMatch(/marker-[ace]/);
    // Both tools were declared in the vendor's own shape.
    expect(JSON.stringify(first!.body)).toContain('read_file');
  });

  it('refuses a read outside the skill, and a binary, and says why', async () => {
    fake.enqueue([
      {
        text: '',
        toolCalls: [
          { id: 'c1', name: 'read_file', input: { path: '../../etc/passwd' } },
          { id: 'c2', name: 'read_file', input: { path: '/etc/passwd' } },
          { id: 'c3', name: 'read_file', input: { path: 'fonts/a.ttf' } },
          { id: 'c4', name: 'read_file', input: { path: 'references/zz.md' } },
        ],
      },
      { text: 'done' },
    ]);

    const run = await runSkillAgent(agentInput(provider, d.model));

    expect(run.calls.map((c) => [c.path, c.outcome])).toEqual([
      ['../../etc/passwd', 'refused'],
      ['/etc/passwd', 'refused'],
      ['fonts/a.ttf', 'binary'],
      ['references/zz.md', 'missing'],
    ]);
    expect(filesRead(run.calls)).toEqual([]);
    const answered = fake.requests[1]!.text;
    expect(answered).toContain('refused by the path rule "parent-segment"');
    expect(answered).toContain('refused by the path rule "absolute"');
    expect(answered).toContain('is a binary file: it is never sent to a model');
    expect(answered).not.toContain('root:');
  });

  it('stops at the turn cap with a clear error, having sent exactly that many turns', async () => {
    fake.enqueue(Array.from({ length: 5 }, () => ({ text: '', toolCalls: [{ name: 'list_files', input: {} }] })));

    const err = await runSkillAgent(agentInput(provider, d.model, { caps: { maxTurns: 3, maxTokens: 100_000 } })).catch(
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(AgentCapError);
    expect(err).toMatchObject({ cap: 'turns' });
    expect((err as Error).message).toContain('reached its cap of 3 turns');
    expect((err as AgentCapError).calls).toHaveLength(3);
    expect(fake.requests).toHaveLength(3);
  });

  it('stops at the token cap, counting every turn the provider reports', async () => {
    fake.enqueue(
      Array.from({ length: 4 }, () => ({
        text: '',
        inputTokens: 40_000,
        outputTokens: 100,
        toolCalls: [{ name: 'read_file', input: { path: 'references/a.md' } }],
      })),
    );

    const err = await runSkillAgent(
      agentInput(provider, d.model, { caps: { maxTurns: 10, maxTokens: 100_000 } }),
    ).catch((e: unknown) => e);

    expect(err).toMatchObject({ cap: 'tokens' });
    expect((err as Error).message).toContain('over its cap of 100000');
    // 40,100 then 80,200 fit; the third turn's 120,300 crosses the cap.
    expect(fake.requests).toHaveLength(3);
  });
});

describe('gemini function calling with a thinking model', () => {
  it("sends each call's thoughtSignature back with it on the next turn", async () => {
    const fake = await startFakeGemini();
    try {
      const provider = new GeminiProvider({ apiKey: MARKER_KEY, baseUrl: fake.baseUrl });
      fake.enqueue([
        { text: '', toolCalls: [{ name: 'list_files', input: {}, signature: 'sig-opaque-1' }] },
        { text: 'done' },
      ]);
      await runSkillAgent(agentInput(provider, 'gemini-3-pro-preview'));
      const body = fake.requests[1]!.body as { contents: { role: string; parts: Record<string, unknown>[] }[] };
      const modelTurn = body.contents.find((c) => c.role === 'model')!;
      expect(modelTurn.parts[0]).toMatchObject({
        functionCall: { name: 'list_files' },
        thoughtSignature: 'sig-opaque-1',
      });
      const answer = body.contents[2]!.parts[0]!;
      expect(answer).toMatchObject({ functionResponse: { name: 'list_files' } });
    } finally {
      await fake.close();
    }
  });
});

describeEachStore('recorded tool calls and per-file usage', (backend) => {
  it('keeps every call of a run, replaces a retried run, and counts reads per file', async () => {
    const db = await backend.open();
    const read = (path: string) => ({ tool: 'read_file', path, outcome: 'read' as const, bytes: 10 });
    const listed = { tool: 'list_files', path: null, outcome: 'listed' as const, bytes: 40 };
    await recordAgentToolCalls(db, { runKey: 'run-1:1:scenario:s', skill: 's', skillHash: 'h1' }, [
      listed,
      read('b.md'),
    ]);
    // A retry of run-1's step writes its calls again: they replace the first attempt's.
    await recordAgentToolCalls(db, { runKey: 'run-1:1:scenario:s', skill: 's', skillHash: 'h1' }, [
      listed,
      read('b.md'),
      read('d.md'),
    ]);
    await recordAgentToolCalls(db, { runKey: 'run-2:1:scenario:s', skill: 's', skillHash: 'h2' }, [
      read('b.md'),
      read('b.md'),
      { tool: 'read_file', path: '../x', outcome: 'refused', bytes: 0 },
    ]);

    expect(await agentToolCalls(db, 'run-1:1:scenario:s')).toEqual([listed, read('b.md'), read('d.md')]);
    expect(await skillFileUsage(db, 's')).toEqual({
      agentRuns: 2,
      files: [
        { path: 'b.md', runs: 2, reads: 3 },
        { path: 'd.md', runs: 1, reads: 1 },
      ],
    });
    // By version alone (the improver's view of a candidate, whatever item it ran as).
    expect(await versionFileUsage(db, 'h2')).toEqual({ agentRuns: 1, files: [{ path: 'b.md', runs: 1, reads: 2 }] });
    expect(await skillFileUsage(db, 's', 'h1')).toEqual({
      agentRuns: 1,
      files: [
        { path: 'b.md', runs: 1, reads: 1 },
        { path: 'd.md', runs: 1, reads: 1 },
      ],
    });
  });

  it('shows per-file usage in the library search output of a skill', async () => {
    const db = await backend.open();
    await recordVersion(db, 'forms', { type: 'skill', files: FILES }, { rationale: 'first', author: 'test' });
    await recordAgentToolCalls(db, { runKey: 'r1', skill: 'forms', skillHash: 'h' }, [
      { tool: 'read_file', path: 'references/b.md', outcome: 'read', bytes: 5 },
    ]);
    const [hit] = await searchLibrary(db, { name: 'forms' });
    // The files no run read are named: candidates for merging or removal (SKILL.md is loaded by every run).
    expect(hit?.fileUsage).toEqual({
      agentRuns: 1,
      files: [{ path: 'references/b.md', runs: 1, reads: 1 }],
      unread: ['references/a.md', 'references/c.md', 'references/d.md', 'references/e.md'],
    });
    // Before any agent run there is no evidence: nothing is called unread.
    await recordVersion(db, 'fresh', { type: 'skill', files: FILES }, { rationale: 'first', author: 'test' });
    const [fresh] = await searchLibrary(db, { name: 'fresh' });
    expect(fresh?.fileUsage).toEqual({ agentRuns: 0, files: [], unread: [] });
  });
});
