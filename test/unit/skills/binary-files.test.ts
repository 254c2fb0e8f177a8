import { renderBinaries, renderRequest } from '../../../src/eval/render';
import { contentHash, type SkillContent } from '../../../src/library/content';
import { applyDocumentEdits, ProposalRefused } from '../../../src/optimizer/document-edits';
import { fromDocuments, toDocuments } from '../../../src/optimizer/documents';
import { describeBinary, isBinaryContent, mediaTypeOf } from '../../../src/skills/media-types';
import { applyEdits, EditRejected } from '../../../src/tune/edits';

const FONT = { blob: 'f'.repeat(64), size: 301_234, mediaType: 'font/ttf' };
const PDF = { blob: 'e'.repeat(64), size: 812, mediaType: 'application/pdf' };
const skill: SkillContent = {
  type: 'skill',
  files: { 'SKILL.md': '# Report\nUse assets/Sans.ttf.\n', 'scripts/run.sh': '#!/bin/sh\n' },
  binaries: { 'assets/Sans.ttf': FONT, 'assets/form.pdf': PDF },
  executable: ['scripts/run.sh'],
};

describe('binary files are told by content and labelled by name', () => {
  test('content, not extension, decides', () => {
    expect(isBinaryContent(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe(false);
    expect(isBinaryContent(Buffer.from('caf\u00e9', 'latin1'))).toBe(true);
    expect(isBinaryContent(Buffer.from('a\u0000b'))).toBe(true);
  });

  test.each([
    ['fonts/a.TTF', 'font/ttf'],
    ['x.pdf', 'application/pdf'],
    ['bundle.tar.gz', 'application/gzip'],
    ['img.png', 'image/png'],
    ['data.unknown', 'application/octet-stream'],
  ])('%s is %s', (name, type) => expect(mediaTypeOf(name)).toBe(type));

  test('a model is shown `path (size, media type)`', () => {
    expect(describeBinary('assets/Sans.ttf', FONT)).toBe('assets/Sans.ttf (294.2 KiB, font/ttf)');
    expect(describeBinary('assets/form.pdf', PDF)).toBe('assets/form.pdf (812 bytes, application/pdf)');
    expect(renderBinaries(skill)).toBe(
      '\n<binary-files>\nassets/Sans.ttf (294.2 KiB, font/ttf)\nassets/form.pdf (812 bytes, application/pdf)\n</binary-files>',
    );
    const { prompt } = renderRequest(skill, { input: 'q' });
    expect(prompt).toContain('assets/form.pdf (812 bytes, application/pdf)');
    expect(renderBinaries({ binaries: undefined })).toBe('');
  });

  test('binary entries and executable bits are part of the hash; without them the hash is the old one', () => {
    const textOnly = contentHash({ type: 'skill', files: skill.files });
    expect(contentHash({ ...skill, binaries: {}, executable: [] })).toBe(textOnly);
    expect(contentHash({ type: 'skill', files: skill.files, executable: ['scripts/run.sh'] })).not.toBe(textOnly);
    const other = { ...skill, binaries: { ...skill.binaries, 'assets/Sans.ttf': { ...FONT, blob: 'a'.repeat(64) } } };
    expect(contentHash(other)).not.toBe(contentHash(skill));
  });
});

describe('improver edits may not touch binary files', () => {
  test.each(['replace', 'create', 'delete'] as const)('the tune improver: %s', (action) => {
    const edit = { path: 'assets/Sans.ttf', action, content: action === 'delete' ? undefined : 'text' };
    expect(() => applyEdits(skill.files, [edit], skill.binaries)).toThrow(EditRejected);
    expect(() => applyEdits(skill.files, [edit], skill.binaries)).toThrow(
      'edit refused: assets/Sans.ttf (294.2 KiB, font/ttf) is a binary file of the skill; improver edits touch text files only',
    );
  });

  test.each([
    { path: 'assets/form.pdf', action: 'create_file' as const, text: 'x' },
    { path: 'assets/form.pdf', action: 'delete_file' as const },
    { path: 'assets/form.pdf', action: 'append' as const, text: 'x' },
  ])('the optimizer: $action', (edit) => {
    expect(() => applyDocumentEdits(toDocuments(skill), [edit], 'skill', skill.binaries)).toThrow(ProposalRefused);
    expect(() => applyDocumentEdits(toDocuments(skill), [edit], 'skill', skill.binaries)).toThrow(
      /assets\/form\.pdf \(812 bytes, application\/pdf\) is a binary file of the skill; improver edits touch text files only/,
    );
  });

  test("the optimizer's documents are the text files; binaries and modes travel from the parent", () => {
    const docs = toDocuments(skill);
    expect(docs.map((d) => d.path)).toEqual(['SKILL.md', 'scripts/run.sh']);
    const edited = applyDocumentEdits(docs, [{ path: 'SKILL.md', action: 'append', text: 'More.\n' }], 'skill');
    expect(fromDocuments(skill, edited)).toEqual({
      type: 'skill',
      files: { 'SKILL.md': '# Report\nUse assets/Sans.ttf.\nMore.\n', 'scripts/run.sh': '#!/bin/sh\n' },
      binaries: skill.binaries,
      executable: ['scripts/run.sh'],
    });
    // A deleted executable file drops its bit.
    const without = applyDocumentEdits(docs, [{ path: 'scripts/run.sh', action: 'delete_file' }], 'skill');
    expect(fromDocuments(skill, without)).not.toHaveProperty('executable');
  });
});
