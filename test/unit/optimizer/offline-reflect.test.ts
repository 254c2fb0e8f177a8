import type { LibraryContent } from '../../../src/library/content';
import { renderRequest } from '../../../src/eval/render';
import { toDocuments } from '../../../src/optimizer/documents';
import { proposalFromAnswer } from '../../../src/optimizer/proposal';
import { reflectionPrompt } from '../../../src/optimizer/reflection';
import { requiredVariables } from '../../../src/optimizer/variables';
import { OfflineProvider } from '../../../src/offline/offline-provider';
import type { CaseEvidence } from '../../../src/optimizer/activity-types';

const miss = (id: string, expected: string, score = 0): CaseEvidence => ({
  caseId: id,
  vars: { q: id },
  output: `Offline answer: ${id}`,
  expected,
  score,
  passed: false,
  assertions: [{ type: 'rubric', pass: false, score, reason: 'misses the expectation' }],
});

async function offlineProposal(content: LibraryContent, evidence: CaseEvidence[]) {
  const req = reflectionPrompt({
    kind: content.type,
    documents: toDocuments(content),
    evidence,
    lineage: [],
    changeBudget: { lines: 20, bytes: 2000 },
    variables: requiredVariables(content),
    reflectionTokens: 20_000,
  });
  const reply = await new OfflineProvider().complete('offline', { ...req, maxTokens: 1000 });
  return proposalFromAnswer(content, reply.text, { lines: 20, bytes: 2000 });
}

describe('the offline reflective improver', () => {
  test("adds the worst failing case's expected text, so the offline echo then holds it", async () => {
    const content: LibraryContent = { type: 'text', text: 'Answer {{q}}.', variables: ['q'] };
    const out = await offlineProposal(content, [miss('b', 'Units: metres', 0.4), miss('a', 'Always cite a source', 0)]);
    expect(out).toMatchObject({
      child: { type: 'text', text: 'Answer {{q}}.\nAlways cite a source' },
      summary: 'Adds what case a expected: "Always cite a source"',
    });
    const child = (out as { child: LibraryContent }).child;
    const echo = await new OfflineProvider().complete('offline', {
      ...renderRequest(child, { q: 'a' }),
      maxTokens: 100,
    });
    expect(echo.text).toContain('Always cite a source');
  });

  test("without an expected text, a failing contains assertion's value is the line added", async () => {
    const content: LibraryContent = { type: 'text', text: 'Answer {{q}}.', variables: ['q'] };
    const { expected: _none, ...noExpected } = miss('a', '');
    const out = await offlineProposal(content, [
      {
        ...noExpected,
        assertions: [
          { type: 'contains', pass: false, score: 0, reason: 'output does not contain "Sources: \\"cited\\""' },
          { type: 'contains', pass: false, score: 0, reason: `output does not contain "${'x'.repeat(60)}…"` },
        ],
      },
    ]);
    expect(out).toMatchObject({ child: { text: 'Answer {{q}}.\nSources: "cited"' } });
  });

  test('skips what the prompt already holds; chat: into the last non-system message; nothing left: no edit', async () => {
    const chat: LibraryContent = {
      type: 'chat',
      messages: [
        { role: 'system', content: 'Always cite a source' },
        { role: 'user', content: '{{q}}' },
      ],
      variables: [],
    };
    const out = await offlineProposal(chat, [miss('a', 'Always cite a source'), miss('b', 'Units: metres', 0.5)]);
    expect(out).toMatchObject({
      child: { messages: [{ content: 'Always cite a source' }, { content: '{{q}}\nUnits: metres' }] },
    });
    expect(await offlineProposal(chat, [miss('a', 'Always cite a source')])).toEqual({
      refused: 'no edit: the improver proposed nothing',
      summary: 'nothing to add: every expectation is in the prompt',
    });
  });
});
