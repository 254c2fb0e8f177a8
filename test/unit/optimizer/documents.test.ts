import { contentHash, type LibraryContent } from '../../../src/library/content';
import { fromDocuments, toDocuments, TEXT_DOCUMENT } from '../../../src/optimizer/documents';

describe('documents', () => {
  const contents: LibraryContent[] = [
    { type: 'text', text: 'Answer {{q}} briefly.\n', variables: ['q', 'unused'] },
    {
      type: 'chat',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi {{name}}' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'Now {{q}}' },
      ],
      variables: ['name', 'q'],
    },
    { type: 'skill', files: { 'SKILL.md': '# S\n', 'ref/b.md': 'b', 'a.md': 'a\n' } },
  ];

  test.each(contents.map((c) => [c.type, c] as const))('%s content round-trips exactly', (_kind, content) => {
    const back = fromDocuments(content, toDocuments(content));
    expect(back).toEqual(content);
    expect(contentHash(back)).toBe(contentHash(content));
  });

  test('a text prompt is one document; a chat prompt one per message, named by order and role; a skill its files', () => {
    expect(toDocuments(contents[0]!).map((d) => d.path)).toEqual([TEXT_DOCUMENT]);
    expect(toDocuments(contents[1]!).map((d) => d.path)).toEqual([
      'messages/001-system.md',
      'messages/002-user.md',
      'messages/003-assistant.md',
      'messages/004-user.md',
    ]);
    expect(toDocuments(contents[2]!).map((d) => d.path)).toEqual(['SKILL.md', 'a.md', 'ref/b.md']);
  });

  test('edited texts come back in place, with the roles and the variable list kept', () => {
    const docs = toDocuments(contents[1]!).map((d) =>
      d.path === 'messages/004-user.md' ? { ...d, text: 'Then {{q}}' } : d,
    );
    expect(fromDocuments(contents[1]!, docs)).toEqual({
      ...contents[1],
      messages: [
        ...(contents[1] as { messages: unknown[] }).messages.slice(0, 3),
        { role: 'user', content: 'Then {{q}}' },
      ],
    });
  });

  test("a prompt's documents cannot change in number or name", () => {
    const docs = toDocuments(contents[1]!);
    expect(() => fromDocuments(contents[1]!, docs.slice(1))).toThrow(/must be messages\/001-system.md/);
    expect(() => fromDocuments(contents[0]!, [{ path: 'other.md', text: 'x' }])).toThrow(/must be prompt.md/);
  });
});
