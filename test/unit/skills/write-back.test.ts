import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SkillFiles } from '../../../src/skills/limits';
import { SkillError } from '../../../src/skills/skill-error';
import { writeSkillFolder } from '../../../src/skills/write-back';

let tmp: string;
let dir: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'refinery-write-'));
  dir = path.join(tmp, 'skill');
  fs.mkdirSync(dir);
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function put(files: SkillFiles, root = dir) {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
}

/** Every regular file under root with its content; symlinks shown as `-> target`. */
function snapshot(root = tmp): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      const entryAbs = path.join(abs, name);
      const st = fs.lstatSync(entryAbs);
      if (st.isSymbolicLink()) out[`${rel}${name}`] = `-> ${fs.readlinkSync(entryAbs)}`;
      else if (st.isDirectory()) walk(entryAbs, `${rel}${name}/`);
      else out[`${rel}${name}`] = fs.readFileSync(entryAbs, 'utf8');
    }
  };
  walk(root, '');
  return out;
}

function refused(from: SkillFiles, to: SkillFiles): string {
  const before = snapshot();
  let message: string | undefined;
  try {
    writeSkillFolder(dir, from, to);
  } catch (err) {
    expect(err).toBeInstanceOf(SkillError);
    message = (err as Error).message;
  }
  expect(snapshot()).toEqual(before);
  if (message === undefined) throw new Error('expected writeSkillFolder to refuse');
  return message;
}

const from: SkillFiles = { 'SKILL.md': '# v1\n', 'ref/old.md': 'old', 'same.md': 'unchanged' };
const to: SkillFiles = { 'SKILL.md': '# v2\n', 'same.md': 'unchanged', 'examples/deep/one.md': 'example' };

describe('writeSkillFolder', () => {
  test('writes changed files, deletes removed ones, creates nested folders, leaves the rest alone', () => {
    put(from);
    const sameBefore = fs.statSync(path.join(dir, 'same.md')).mtimeMs;
    const touched = writeSkillFolder(dir, from, to);
    expect(touched).toEqual(['SKILL.md', 'examples/deep/one.md', 'ref/old.md']);
    expect(snapshot(dir)).toEqual({ 'SKILL.md': '# v2\n', 'examples/deep/one.md': 'example', 'same.md': 'unchanged' });
    expect(fs.statSync(path.join(dir, 'same.md')).mtimeMs).toBe(sameBefore);
  });

  test('nothing to do when from and to are equal', () => {
    put(from);
    expect(writeSkillFolder(dir, from, { ...from })).toEqual([]);
    expect(snapshot(dir)).toEqual(from);
  });

  test('is idempotent: a second call finds the folder at `to` and leaves it there', () => {
    put(from);
    const first = writeSkillFolder(dir, from, to);
    const after = snapshot();
    expect(writeSkillFolder(dir, from, to)).toEqual(first);
    expect(snapshot()).toEqual(after);
  });

  test('finishes a partial write: some files already at `to`, others still at `from`', () => {
    put({ 'SKILL.md': '# v2\n', 'ref/old.md': 'old', 'same.md': 'unchanged' });
    writeSkillFolder(dir, from, to);
    expect(snapshot(dir)).toEqual({ 'SKILL.md': '# v2\n', 'examples/deep/one.md': 'example', 'same.md': 'unchanged' });
  });

  test('a file to delete that is already gone is fine', () => {
    put({ 'SKILL.md': '# v1\n' });
    expect(writeSkillFolder(dir, { 'SKILL.md': '# v1\n', 'gone.md': 'g' }, { 'SKILL.md': '# v1\n' })).toEqual([
      'gone.md',
    ]);
    expect(snapshot(dir)).toEqual({ 'SKILL.md': '# v1\n' });
  });

  test('leaves no .tmp files behind', () => {
    put(from);
    writeSkillFolder(dir, from, to);
    writeSkillFolder(dir, from, to);
    expect(Object.keys(snapshot()).filter((p) => p.includes('.tmp'))).toEqual([]);
  });

  test.each<[string, SkillFiles]>([
    ['a file edited meanwhile', { 'SKILL.md': '# v1\n', 'ref/old.md': 'user edit', 'same.md': 'unchanged' }],
    ['SKILL.md edited meanwhile', { 'SKILL.md': '# mine\n', 'ref/old.md': 'old', 'same.md': 'unchanged' }],
    ['a file deleted meanwhile', { 'ref/old.md': 'old', 'same.md': 'unchanged' }],
    ['a new file created meanwhile with other content', { ...from, 'examples/deep/one.md': 'my own example' }],
  ])('refuses, writing nothing, when the folder holds neither from nor to: %s', (_name, onDisk) => {
    put(onDisk);
    const message = refused(from, to);
    expect(message).toMatch(/changed since the run started; nothing was written/);
    expect(message).toContain('refinery restore');
  });

  test('the refusal names the first changed file', () => {
    put({ ...from, 'ref/old.md': 'user edit' });
    expect(refused(from, to)).toBe(
      `ref/old.md in ${dir} changed since the run started; nothing was written. The outcome is kept in the store: apply it with \`refinery restore\``,
    );
  });

  test('refuses to write through a symlinked file, writing nothing', () => {
    const outside = path.join(tmp, 'outside.md');
    fs.writeFileSync(outside, '# v1\n');
    put({ 'ref/old.md': 'old', 'same.md': 'unchanged' });
    fs.symlinkSync(outside, path.join(dir, 'SKILL.md'));
    expect(refused(from, to)).toMatch(/^skill file "SKILL\.md" refused by the path rule "symlink": /);
    expect(fs.readFileSync(outside, 'utf8')).toBe('# v1\n');
  });

  test('refuses to delete a symlink', () => {
    const outside = path.join(tmp, 'outside.md');
    fs.writeFileSync(outside, 'old');
    put({ 'SKILL.md': '# v1\n' });
    fs.symlinkSync(outside, path.join(dir, 'old.md'));
    expect(refused({ 'SKILL.md': '# v1\n', 'old.md': 'old' }, { 'SKILL.md': '# v1\n' })).toMatch(
      /"old\.md" refused by the path rule "symlink"/,
    );
  });

  test.each(['../escape.md', 'a/../../escape.md', '..'])('refuses a path outside the folder: %j', (rel) => {
    put({ 'SKILL.md': '# v1\n' });
    expect(refused({ 'SKILL.md': '# v1\n' }, { 'SKILL.md': '# v1\n', [rel]: 'x' })).toMatch(
      /path rule "parent-segment": it has a "\.\." segment that leaves the skill folder; remove the "\.\."$/,
    );
    expect(fs.existsSync(path.join(tmp, 'escape.md'))).toBe(false);
  });

  test('refuses to write through a symlinked parent folder', () => {
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(outside);
    put({ 'SKILL.md': '# v1\n' });
    fs.symlinkSync(outside, path.join(dir, 'sub'), 'dir');
    let threw = false;
    try {
      writeSkillFolder(dir, { 'SKILL.md': '# v1\n' }, { 'SKILL.md': '# v1\n', 'sub/new.md': 'x' });
    } catch (err) {
      threw = err instanceof SkillError;
    }
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(threw).toBe(true);
  });
});
