import type { LibraryContent } from '../../../src/library/content';
import type { DocumentEdit } from '../../../src/optimizer/document-edits';
import { proposalFromAnswer } from '../../../src/optimizer/proposal';

const parent: LibraryContent = { type: 'text', text: 'Answer {{q}}.\nBe brief.\n', variables: ['q'] };
const answer = (edits: DocumentEdit[], summary = 'a change') => JSON.stringify({ summary, edits });
const budget = { lines: 4, bytes: 200 };

describe('proposalFromAnswer', () => {
  test('a good answer gives the child, its summary and its size', () => {
    const out = proposalFromAnswer(
      parent,
      answer([{ path: 'prompt.md', action: 'insert_after', find: 'Be brief.', text: ' Give units.' }], 'units'),
      budget,
    );
    expect(out).toEqual({
      child: { type: 'text', text: 'Answer {{q}}.\nBe brief. Give units.\n', variables: ['q'] },
      summary: 'units',
      size: { lines: 2, bytes: 12 },
    });
  });

  test('each refusal names its reason', () => {
    const refused = (a: string) => (proposalFromAnswer(parent, a, budget) as { refused: string }).refused;
    expect(refused('no json here')).toMatch(/^unusable answer/);
    expect(refused(answer([{ path: 'prompt.md', action: 'delete', find: 'Be long.' }]))).toMatch(/not in the document/);
    expect(refused(answer([{ path: 'prompt.md', action: 'replace', find: '{{q}}', text: 'the question' }]))).toBe(
      'drops {{q}}',
    );
    expect(refused(answer([{ path: 'prompt.md', action: 'append', text: 'a\nb\nc\nd\ne\n' }]))).toBe(
      'over the change budget: changes 5 lines (budget 4) and 10 bytes (budget 200)',
    );
    expect(refused(answer([{ path: 'prompt.md', action: 'append', text: 'x'.repeat(201) }]))).toBe(
      'over the change budget: changes 2 lines (budget 4) and 201 bytes (budget 200)',
    );
    expect(refused(answer([{ path: 'prompt.md', action: 'replace', find: 'brief', text: 'brief' }]))).toMatch(
      /^no change/,
    );
    expect(
      refused(answer([{ path: 'prompt.md', action: 'replace', find: 'Answer {{q}}.\nBe brief.\n', text: '' }])),
    ).toMatch(/^the edited content is not valid: text:/);
  });

  test('a chat prompt keeps its roles; a skill may gain a file', () => {
    const chat: LibraryContent = {
      type: 'chat',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: '{{q}}' },
      ],
      variables: [],
    };
    const out = proposalFromAnswer(
      chat,
      answer([{ path: 'messages/001-system.md', action: 'append', text: ' Cite sources.' }]),
      budget,
    );
    expect(out).toMatchObject({
      child: {
        messages: [
          { role: 'system', content: 'Be terse. Cite sources.' },
          { role: 'user', content: '{{q}}' },
        ],
      },
    });
    const skill: LibraryContent = { type: 'skill', files: { 'SKILL.md': '# S\n' } };
    expect(
      proposalFromAnswer(skill, answer([{ path: 'ref/a.md', action: 'create_file', text: 'a\n' }]), budget),
    ).toMatchObject({ child: { files: { 'SKILL.md': '# S\n', 'ref/a.md': 'a\n' } }, size: { lines: 2, bytes: 2 } });
  });
});
