import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unifiedDiff } from '../../src/text/unified-diff';

/** Applies a unified diff with the system's `patch` and returns the result: the diff must be valid. */
function applyWithPatch(a: string, diff: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-'));
  fs.writeFileSync(path.join(dir, 'f.txt'), a);
  fs.writeFileSync(
    path.join(dir, 'd.patch'),
    diff.replace(/^--- .*$/m, '--- f.txt').replace(/^\+\+\+ .*$/m, '+++ f.txt'),
  );
  execFileSync('patch', ['-s', 'f.txt', 'd.patch'], { cwd: dir });
  return fs.readFileSync(path.join(dir, 'f.txt'), 'utf8');
}

describe('unifiedDiff', () => {
  test('identical texts give no diff', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', { from: 'a', to: 'b' })).toBe('');
  });

  const cases: [string, string, string][] = [
    ['append', 'one\ntwo\nthree\n', 'one\ntwo\nthree\nfour\nfive\n'],
    ['prepend', 'x\ny\n', 'new\nx\ny\n'],
    [
      'far-apart edits',
      Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n'),
      Array.from({ length: 30 }, (_, i) => (i === 2 || i === 25 ? `L${i}` : `l${i}`)).join('\n'),
    ],
    ['near edits merge', 'a\nb\nc\nd\ne\nf\ng\n', 'a\nB\nc\nd\nE\nf\ng\n'],
    ['delete all', 'a\nb\n', ''],
    [
      'skill section added',
      '# T\n\nbody\n\n## Steps\n\n1. x\n',
      '# T\n\nbody\n\n## Steps\n\n1. x\n\n## Inputs\n\n- y\n\n## Output\n\nz\n',
    ],
  ];
  test.each(cases)('%s: patch(1) turns a into b', (_name, a, b) => {
    const diff = unifiedDiff(a, b, { from: 'a/f', to: 'b/f' });
    expect(applyWithPatch(a, diff)).toBe(b);
  });

  test('far-apart edits make two hunks', () => {
    const a = Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n');
    const b = a.replace('l2\n', 'L2\n').replace('l25\n', 'L25\n');
    expect(unifiedDiff(a, b, { from: 'a', to: 'b' }).match(/^@@/gm)).toHaveLength(2);
  });
});
