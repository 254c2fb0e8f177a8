import {
  applyDocumentEdits,
  parseImproverAnswer,
  ProposalRefused,
  type DocumentEdit,
} from '../../../src/optimizer/document-edits';
import type { Document } from '../../../src/optimizer/documents';

const prompt: Document[] = [{ path: 'prompt.md', text: 'Be brief.\nAnswer {{q}}.\nBe brief.\n' }];
const skill: Document[] = [
  { path: 'SKILL.md', text: '# Skill\n\nDo it.\n' },
  { path: 'ref/notes.md', text: 'notes\n' },
];

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProposalRefused);
    return (err as Error).message;
  }
  throw new Error('expected a refusal, nothing was thrown');
}

describe('applyDocumentEdits', () => {
  test('replace, insert_after, delete and append change exactly the quoted text, in order', () => {
    const edits: DocumentEdit[] = [
      { path: 'prompt.md', action: 'replace', find: 'Answer {{q}}.', text: 'Answer {{q}} in one line.' },
      { path: 'prompt.md', action: 'insert_after', find: 'in one line.', text: '\nCite a source.' },
      { path: 'prompt.md', action: 'delete', find: 'Be brief.\nAnswer' },
      { path: 'prompt.md', action: 'append', text: 'Done.\n' },
    ];
    expect(applyDocumentEdits(prompt, edits, 'prompt')).toEqual([
      { path: 'prompt.md', text: ' {{q}} in one line.\nCite a source.\nBe brief.\nDone.\n' },
    ]);
  });

  test('a missing or ambiguous find refuses the proposal with the edit named', () => {
    expect(
      refusal(() =>
        applyDocumentEdits(prompt, [{ path: 'prompt.md', action: 'replace', find: 'Be long.', text: 'x' }], 'prompt'),
      ),
    ).toBe('edit 1 (replace in prompt.md): the text to find is not in the document');
    expect(
      refusal(() => applyDocumentEdits(prompt, [{ path: 'prompt.md', action: 'delete', find: 'Be brief.' }], 'prompt')),
    ).toBe('edit 1 (delete in prompt.md): the text to find occurs 2 times; it must occur exactly once');
    // Overlapping occurrences count too.
    expect(
      refusal(() =>
        applyDocumentEdits([{ path: 'p', text: 'aaa' }], [{ path: 'p', action: 'delete', find: 'aa' }], 'prompt'),
      ),
    ).toMatch(/occurs 2 times/);
  });

  test('an edit of an unknown document, or a file created in a prompt, is refused; no edits at all too', () => {
    expect(
      refusal(() => applyDocumentEdits(prompt, [{ path: 'x.md', action: 'append', text: 'x' }], 'prompt')),
    ).toMatch(/no such document \(there are prompt.md\)/);
    expect(
      refusal(() => applyDocumentEdits(prompt, [{ path: 'x.md', action: 'create_file', text: 'x' }], 'prompt')),
    ).toMatch(/cannot be created or deleted/);
    expect(refusal(() => applyDocumentEdits(prompt, [], 'prompt'))).toMatch(/^no edit/);
  });

  test('skills: whole files created and deleted, names through the path policy, SKILL.md kept', () => {
    const next = applyDocumentEdits(
      skill,
      [
        { path: 'ref/new.md', action: 'create_file', text: 'new\n' },
        { path: 'ref/notes.md', action: 'delete_file' },
      ],
      'skill',
    );
    expect(next).toEqual([
      { path: 'SKILL.md', text: '# Skill\n\nDo it.\n' },
      { path: 'ref/new.md', text: 'new\n' },
    ]);
    expect(
      refusal(() => applyDocumentEdits(skill, [{ path: '../evil.md', action: 'create_file', text: 'x' }], 'skill')),
    ).toMatch(/parent-segment/);
    expect(refusal(() => applyDocumentEdits(skill, [{ path: 'SKILL.md', action: 'delete_file' }], 'skill'))).toMatch(
      /SKILL.md cannot be deleted/,
    );
    expect(
      refusal(() => applyDocumentEdits(skill, [{ path: 'SKILL.md', action: 'create_file', text: 'x' }], 'skill')),
    ).toMatch(/exists already/);
    expect(
      refusal(() => applyDocumentEdits(skill, [{ path: 'skill.md', action: 'create_file', text: 'x' }], 'skill')),
    ).toMatch(/name-collision/);
  });
});

describe('parseImproverAnswer', () => {
  test('reads fenced JSON and keeps the summary to one line', () => {
    const answer = parseImproverAnswer(
      'Here:\n```json\n{"summary": "Add a rule\\nabout units", "edits": [{"path": "prompt.md", "action": "append", "text": "x"}]}\n```',
    );
    expect(answer).toEqual({
      summary: 'Add a rule about units',
      edits: [{ path: 'prompt.md', action: 'append', text: 'x' }],
    });
  });

  test('an unusable answer is a refusal saying why', () => {
    expect(refusal(() => parseImproverAnswer('I would rather not.'))).toMatch(/^unusable answer: no JSON object/);
    expect(refusal(() => parseImproverAnswer('{"edits": [{"path": "p", "action": "rewrite"}]}'))).toMatch(
      /^unusable answer: edits.0.action/,
    );
    expect(
      refusal(() => parseImproverAnswer('{"edits": [{"path": "p", "action": "replace", "find": "", "text": "x"}]}')),
    ).toMatch(/empty "find"/);
  });
});
