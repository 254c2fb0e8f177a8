import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SKILL_LIMITS } from '../../../src/skills/limits';
import {
  checkSkillPath,
  PathPolicyError,
  showName,
  skillFilesProblem,
  skillPathProblem,
} from '../../../src/skills/path-policy';
import { replaceFile, writeNewFolder } from '../../../src/skills/safe-write';
import { SkillError } from '../../../src/skills/skill-error';
import { HOSTILE_NAMES, hostileFiles, snapshotTree } from '../../support/hostile-names';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'refinery-policy-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the path policy', () => {
  test('the corpus is at least 25 names, each refused by its rule, naming the file, the rule and a fix', () => {
    expect(HOSTILE_NAMES.length).toBeGreaterThanOrEqual(25);
    for (const [name, rule] of HOSTILE_NAMES) {
      const problem = skillFilesProblem(hostileFiles(name));
      expect({ name, rule: problem?.rule, file: problem?.file }).toEqual({ name, rule, file: name });
      expect(problem).toBeInstanceOf(PathPolicyError);
      expect(problem).toBeInstanceOf(SkillError);
      expect(problem!.message).toContain(`skill file ${showName(name)} refused by the path rule "${rule}": `);
      // why; fix — the fix follows the last "; "
      expect(problem!.message.split('; ').at(-1)!.length).toBeGreaterThan(5);
    }
  });

  test('a refusal never prints a control, invisible or lookalike character as it is', () => {
    for (const [name] of HOSTILE_NAMES) {
      const message = skillFilesProblem(hostileFiles(name))!.message;
      // eslint-disable-next-line no-control-regex
      expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b\u202e\u2215\uff0f\ud800]/);
    }
    expect(showName('esc\u001b[31m')).toBe('"esc\\u001b[31m"');
    expect(showName('x'.repeat(300))).toBe(`"${'x'.repeat(80)}…" (300 characters)`);
  });

  test.each([
    'SKILL.md',
    'a/b/c.md',
    'refs/labels.md',
    '.hidden.md',
    'a/..b/c.md',
    'x..y.md',
    'with space.md',
    'ü.md',
    '日本語/メモ.md',
    '~/.bashrc',
    'a'.repeat(200),
    `a/${'é'.repeat(127)}`,
    '__proto__',
  ])('accepts %j', (name) => {
    expect(skillPathProblem(name)).toBeUndefined();
    expect(() => checkSkillPath(name)).not.toThrow();
  });

  test('the size caps come from SKILL_LIMITS', () => {
    const many = Object.fromEntries(Array.from({ length: SKILL_LIMITS.maxFiles + 1 }, (_, i) => [`f${i}.md`, 'x']));
    expect(skillFilesProblem(many)?.rule).toBe('too-many-files');
    expect(skillFilesProblem({ 'big.md': 'x'.repeat(SKILL_LIMITS.maxFileBytes + 1) })?.rule).toBe('file-too-large');
    const half = 'x'.repeat(SKILL_LIMITS.maxFileBytes);
    const total = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`p${i}.md`, half]));
    expect(skillFilesProblem(total)?.rule).toBe('text-too-large');
    // Binary files have their own cap, and the whole skill its own.
    const blob = 'a'.repeat(64);
    const bin = (size: number) => ({ blob, size, mediaType: 'font/ttf' });
    expect(skillFilesProblem({ 'SKILL.md': 's' }, { 'f.ttf': bin(SKILL_LIMITS.maxBinaryFileBytes) })).toBeUndefined();
    expect(skillFilesProblem({ 'SKILL.md': 's' }, { 'f.ttf': bin(SKILL_LIMITS.maxBinaryFileBytes + 1) })?.rule).toBe(
      'binary-too-large',
    );
    const fonts = Object.fromEntries(
      Array.from({ length: 4 }, (_, i) => [`f${i}.ttf`, bin(SKILL_LIMITS.maxBinaryFileBytes)]),
    );
    expect(skillFilesProblem({ 'SKILL.md': 's' }, fonts)?.rule).toBe('skill-too-large');
    expect(skillFilesProblem({ 'SKILL.md': 's', 'x.md': 'x' }, { 'X.md': bin(1) })?.rule).toBe('name-collision');
    expect(skillFilesProblem({ 'SKILL.md': 's' }, {}, ['run.sh'])?.rule).toBe('executable-unknown');
    expect(skillFilesProblem({ 'SKILL.md': '# s', 'a/b.md': 'x', 'A/B.md': 'y' })?.rule).toBe('name-collision');
    expect(skillFilesProblem({ 'SKILL.md': '# s', 'caf\u00e9.md': 'x', 'cafe\u0301.md': 'y' })?.rule).toBe(
      'name-collision',
    );
    expect(skillFilesProblem({ 'SKILL.md': '# s', a: 'x', 'A/b.md': 'y' })?.rule).toBe('file-and-folder');
    expect(skillFilesProblem({ 'SKILL.md': '# s', 'a/b.md': 'x', 'a/c.md': 'y' })).toBeUndefined();
  });
});

describe('the safe writer', () => {
  test('a new folder is written whole; the names are checked against the disk too', () => {
    const target = path.join(tmp, 'out');
    writeNewFolder(target, 'out', { 'SKILL.md': '# s', 'a/b/c.md': 'deep' });
    expect(snapshotTree(tmp)).toEqual({
      'out/': '',
      'out/SKILL.md': '# s',
      'out/a/': '',
      'out/a/b/': '',
      'out/a/b/c.md': 'deep',
    });
  });

  test('pulling into a symlinked folder is refused, writing nothing', () => {
    const real = path.join(tmp, 'real');
    fs.mkdirSync(real);
    fs.symlinkSync(real, path.join(tmp, 'link'), 'dir');
    const before = snapshotTree(tmp);
    expect(() => writeNewFolder(path.join(tmp, 'link'), 'link', { 'SKILL.md': '# s' })).toThrow(
      'link is a symlink: pull into a real folder',
    );
    expect(snapshotTree(tmp)).toEqual(before);
  });

  test.each([
    ['a symlinked parent folder', 'sub/new.md'],
    ['a symlinked grandparent folder', 'sub/deeper/new.md'],
    ['a symlinked file', 'sub'],
  ])('never writes through %s', (_what, rel) => {
    const root = path.join(tmp, 'skill');
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(root);
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(root, 'SKILL.md'), '# s');
    fs.symlinkSync(outside, path.join(root, 'sub'), 'dir');
    const before = snapshotTree(tmp);
    let err: unknown;
    try {
      replaceFile(root, rel, 'x');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PathPolicyError);
    expect((err as PathPolicyError).rule).toBe('symlink');
    expect((err as Error).message).toContain('"sub" is a symlink');
    expect(snapshotTree(tmp)).toEqual(before);
  });

  test('a file where a folder is needed is refused by name', () => {
    const root = path.join(tmp, 'skill');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'notes'), 'x');
    expect(() => replaceFile(root, 'notes/a.md', 'x')).toThrow(/path rule "not-a-folder": "notes" is a file/);
  });
});
