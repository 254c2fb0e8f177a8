import { SKILL_LIMITS, type SkillFiles } from '../../../src/skills/limits';
import { applyEdits, checkEditPath, EditRejected, type SkillEdit } from '../../../src/tune/edits';

const KiB = 1024;
const base = (): SkillFiles => ({ 'SKILL.md': '# Skill\n\nDo the thing.\n', 'ref/notes.md': 'notes\n' });

function rejection(fn: () => unknown): EditRejected {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EditRejected);
    expect((err as Error).name).toBe('EditRejected');
    return err as EditRejected;
  }
  throw new Error('expected an EditRejected, nothing was thrown');
}

describe('limits', () => {
  test('the documented caps', () => {
    expect(SKILL_LIMITS).toEqual({
      maxFileBytes: KiB * KiB,
      maxTotalBytes: 2 * KiB * KiB,
      maxFiles: 200,
      maxPathLength: 200,
      maxSegmentBytes: 255,
      maxBinaryFileBytes: 16 * KiB * KiB,
      maxSkillBytes: 64 * KiB * KiB,
    });
  });
});

describe('checkEditPath', () => {
  test.each([
    ['', /path rule "empty"/],
    ['a'.repeat(201), /path rule "too-long"/],
    ['/etc/passwd', /path rule "absolute"/],
    ['/SKILL.md', /path rule "absolute"/],
    ['C:/x.md', /path rule "drive"/],
    ['c:x.md', /path rule "drive"/],
    ['..', /leaves the skill folder/],
    ['../x.md', /leaves the skill folder/],
    ['a/../../x.md', /leaves the skill folder/],
    ['a/..', /leaves the skill folder/],
    ['.', /not normalised/],
    ['./SKILL.md', /not normalised/],
    ['a/./b.md', /not normalised/],
    ['a//b.md', /not normalised/],
    ['a/', /not normalised/],
    ['a\\b.md', /path rule "backslash"/],
    ['..\\x.md', /path rule "backslash"/],
    ['a\nb.md', /path rule "control-character"/],
    ['a\u0000.md', /path rule "control-character"/],
    ['tab\there.md', /path rule "control-character"/],
    ['esc\u001b.md', /path rule "control-character"/],
  ])('rejects %j', (p, message) => {
    const err = rejection(() => checkEditPath(p));
    expect(err.message).toMatch(message);
  });

  test.each(['SKILL.md', 'a/b/c.md', 'a'.repeat(200), '.hidden.md', 'a/..b/c.md', 'x..y.md', 'with space.md', 'ü.md'])(
    'accepts %j',
    (p) => {
      expect(() => checkEditPath(p)).not.toThrow();
    },
  );
});

describe('applyEdits', () => {
  test.each<[string, SkillEdit[], SkillFiles]>([
    [
      'replace SKILL.md',
      [{ path: 'SKILL.md', action: 'replace', content: 'new' }],
      { 'SKILL.md': 'new', 'ref/notes.md': 'notes\n' },
    ],
    [
      'create a nested file',
      [{ path: 'examples/one.md', action: 'create', content: 'ex' }],
      { ...base(), 'examples/one.md': 'ex' },
    ],
    ['delete a file', [{ path: 'ref/notes.md', action: 'delete' }], { 'SKILL.md': '# Skill\n\nDo the thing.\n' }],
    [
      'several edits in order',
      [
        { path: 'a.md', action: 'create', content: '1' },
        { path: 'a.md', action: 'replace', content: '2' },
        { path: 'ref/notes.md', action: 'delete' },
      ],
      { 'SKILL.md': '# Skill\n\nDo the thing.\n', 'a.md': '2' },
    ],
    [
      'create then delete',
      [
        { path: 'tmp.md', action: 'create', content: 'x' },
        { path: 'tmp.md', action: 'delete' },
      ],
      base(),
    ],
    ['empty content is content', [{ path: 'empty.md', action: 'create', content: '' }], { ...base(), 'empty.md': '' }],
  ])('%s', (_name, edits, expected) => {
    const files = base();
    const snapshot = JSON.stringify(files);
    expect(applyEdits(files, edits)).toEqual(expected);
    expect(JSON.stringify(files)).toBe(snapshot);
  });

  test.each<[string, SkillFiles, SkillEdit[], RegExp]>([
    ['no edits', base(), [], /proposed no edits/],
    ['deleting SKILL.md', base(), [{ path: 'SKILL.md', action: 'delete' }], /may not delete SKILL\.md/],
    [
      'replace of a missing file',
      base(),
      [{ path: 'nope.md', action: 'replace', content: 'x' }],
      /replace of nope\.md: no such file/,
    ],
    ['delete of a missing file', base(), [{ path: 'nope.md', action: 'delete' }], /delete of nope\.md: no such file/],
    ['create without content', base(), [{ path: 'a.md', action: 'create' }], /create of a\.md has no content/],
    [
      'replace without content',
      base(),
      [{ path: 'SKILL.md', action: 'replace' }],
      /replace of SKILL\.md has no content/,
    ],
    ['absolute path', base(), [{ path: '/tmp/x', action: 'create', content: 'x' }], /path rule "absolute"/],
    ['parent path', base(), [{ path: '../x.md', action: 'create', content: 'x' }], /leaves the skill folder/],
    ['dot segment', base(), [{ path: './x.md', action: 'create', content: 'x' }], /not normalised/],
    ['empty segment', base(), [{ path: 'a//x.md', action: 'create', content: 'x' }], /path rule "empty-segment"/],
    ['backslash', base(), [{ path: 'a\\x.md', action: 'create', content: 'x' }], /backslash/],
    ['control character', base(), [{ path: 'a\rx.md', action: 'create', content: 'x' }], /control character/],
    [
      'a file one byte over the cap',
      base(),
      [{ path: 'big.md', action: 'create', content: 'x'.repeat(SKILL_LIMITS.maxFileBytes + 1) }],
      /big\.md would exceed the 1048576-byte cap per file/,
    ],
    [
      'the cap counts bytes, not characters',
      base(),
      [{ path: 'big.md', action: 'create', content: 'é'.repeat(SKILL_LIMITS.maxFileBytes / 2 + 1) }],
      /1048576-byte cap per file/,
    ],
    [
      'total over the cap',
      base(),
      Array.from({ length: 8 }, (_, i) => ({
        path: `part${i}.md`,
        action: 'create' as const,
        content: 'x'.repeat(SKILL_LIMITS.maxFileBytes),
      })),
      /the skill would exceed 2097152 bytes/,
    ],
    [
      'more than 200 files',
      base(),
      Array.from({ length: 199 }, (_, i) => ({ path: `f/${i}.md`, action: 'create' as const, content: 'x' })),
      /the skill would exceed 200 files/,
    ],
  ])('rejects %s', (_name, files, edits, message) => {
    const snapshot = JSON.stringify(files);
    const err = rejection(() => applyEdits(files, edits));
    expect(err.message).toMatch(message);
    expect(JSON.stringify(files)).toBe(snapshot);
  });

  test('a file exactly at the cap is accepted', () => {
    const content = 'x'.repeat(SKILL_LIMITS.maxFileBytes);
    expect(applyEdits(base(), [{ path: 'big.md', action: 'create', content }])['big.md']).toHaveLength(
      SKILL_LIMITS.maxFileBytes,
    );
  });

  test('exactly 200 files and exactly the total cap are accepted', () => {
    const files: SkillFiles = { 'SKILL.md': 's' };
    const edits: SkillEdit[] = Array.from({ length: 199 }, (_, i) => ({
      path: `f/${i}.md`,
      action: 'create',
      content: 'x',
    }));
    expect(Object.keys(applyEdits(files, edits))).toHaveLength(200);

    const big: SkillEdit[] = Array.from({ length: SKILL_LIMITS.maxTotalBytes / SKILL_LIMITS.maxFileBytes }, (_, i) => ({
      path: `p${i}.md`,
      action: 'create',
      content: 'x'.repeat(SKILL_LIMITS.maxFileBytes),
    }));
    const at = applyEdits({ 'SKILL.md': '' }, big);
    expect(Object.values(at).reduce((n, c) => n + c.length, 0)).toBe(SKILL_LIMITS.maxTotalBytes);
  });

  test('a bad edit after good ones changes nothing in the input', () => {
    const files = base();
    const snapshot = JSON.stringify(files);
    expect(() =>
      applyEdits(files, [
        { path: 'SKILL.md', action: 'replace', content: 'changed' },
        { path: 'ref/notes.md', action: 'delete' },
        { path: '../escape.md', action: 'create', content: 'x' },
      ]),
    ).toThrow(EditRejected);
    expect(JSON.stringify(files)).toBe(snapshot);
  });

  test('deleting files brings a skill back under the total cap', () => {
    const big = 'x'.repeat(SKILL_LIMITS.maxFileBytes - 1000);
    const files: SkillFiles = { 'SKILL.md': 's' };
    for (let i = 0; i <= SKILL_LIMITS.maxTotalBytes / SKILL_LIMITS.maxFileBytes; i++) files[`p${i}.md`] = big;
    const next = applyEdits(files, [
      { path: 'p0.md', action: 'delete' },
      { path: 'extra.md', action: 'create', content: 'small' },
    ]);
    expect(Object.keys(next)).toHaveLength(SKILL_LIMITS.maxTotalBytes / SKILL_LIMITS.maxFileBytes + 2);
    expect(next['p0.md']).toBeUndefined();
  });

  test.each<[string, SkillEdit]>([
    ['replace of a missing file named toString', { path: 'toString', action: 'replace', content: 'x' }],
    ['delete of a missing file named constructor', { path: 'constructor', action: 'delete' }],
    ['replace of a missing file named __proto__', { path: '__proto__', action: 'replace', content: 'x' }],
  ])('%s is rejected as a missing file', (_name, edit) => {
    expect(() => applyEdits(base(), [edit])).toThrow(/no such file/);
  });

  test('a created file named __proto__ is kept', () => {
    expect(Object.keys(applyEdits(base(), [{ path: '__proto__', action: 'create', content: 'x' }]))).toContain(
      '__proto__',
    );
  });
});
