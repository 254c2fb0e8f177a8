import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SKILL_LIMITS } from '../../../src/skills/limits';
import { loadSkillFolder } from '../../../src/skills/load';
import { SkillError } from '../../../src/skills/skill-error';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'refinery-load-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function write(root: string, files: Record<string, string | Buffer>) {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
}

function skill(name: string, files: Record<string, string | Buffer> = { 'SKILL.md': '# Skill\n' }): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  write(dir, files);
  return dir;
}

/** Every entry under dir (links not followed) with its type, size and mtime: any write would show. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      const entryAbs = path.join(abs, name);
      const st = fs.lstatSync(entryAbs);
      const kind = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file';
      out.push(`${rel}${name} ${kind} ${st.size} ${st.mtimeMs}`);
      if (kind === 'dir') walk(entryAbs, `${rel}${name}/`);
    }
  };
  walk(dir, '');
  return out;
}

/** Loads expecting a refusal; checks that nothing under tmp changed and that the message names a fix. */
function refusal(dir: string): string {
  const before = listing(tmp);
  let message: string | undefined;
  try {
    loadSkillFolder(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(SkillError);
    expect((err as Error).name).toBe('SkillError');
    message = (err as Error).message;
  }
  expect(listing(tmp)).toEqual(before);
  if (message === undefined) throw new Error(`expected loadSkillFolder(${dir}) to refuse`);
  expect(message).toContain(': ');
  return message;
}

const big = (bytes: number) => 'x'.repeat(bytes);

describe('loadSkillFolder: accepted folders', () => {
  test('loads SKILL.md and nested text files with relative, slash-separated paths', () => {
    const dir = skill('notes', {
      'SKILL.md': '# Notes\n',
      'ref/style.md': 'style',
      'ref/deep/er/table.csv': 'a,b\n1,2\n',
      'ünïcode.md': 'héllo ✓',
      'empty.txt': '',
    });
    const before = listing(tmp);
    const loaded = loadSkillFolder(dir);
    expect(loaded.name).toBe('notes');
    expect(loaded.dir).toBe(path.resolve(dir));
    expect(loaded.files).toEqual({
      'SKILL.md': '# Notes\n',
      'empty.txt': '',
      'ref/deep/er/table.csv': 'a,b\n1,2\n',
      'ref/style.md': 'style',
      'ünïcode.md': 'héllo ✓',
    });
    expect(listing(tmp)).toEqual(before);
  });

  test('a relative path is resolved', () => {
    const dir = skill('rel');
    expect(loadSkillFolder(path.relative(process.cwd(), dir)).dir).toBe(dir);
  });

  test.each(['.git', 'node_modules', '.hg', '.svn'])('the %s folder is skipped, also when nested', (skipped) => {
    const dir = skill('vcs', {
      'SKILL.md': '# S\n',
      [`${skipped}/config`]: 'x',
      [`${skipped}/objects/blob`]: Buffer.from([0, 1, 2]),
      [`sub/${skipped}/HEAD`]: 'ref',
      'sub/kept.md': 'kept',
    });
    expect(Object.keys(loadSkillFolder(dir).files).sort()).toEqual(['SKILL.md', 'sub/kept.md']);
  });

  test('a file named like a skipped folder is still loaded', () => {
    const dir = skill('named', { 'SKILL.md': 's', '.git': 'gitdir: ../elsewhere' });
    expect(loadSkillFolder(dir).files['.git']).toBe('gitdir: ../elsewhere');
  });

  test('exactly at the caps is accepted', () => {
    const files: Record<string, string> = { 'SKILL.md': big(SKILL_LIMITS.maxFileBytes) };
    for (let i = 1; i < SKILL_LIMITS.maxTotalBytes / SKILL_LIMITS.maxFileBytes; i++)
      files[`part${i}.md`] = big(SKILL_LIMITS.maxFileBytes);
    const loaded = loadSkillFolder(skill('at-cap', files));
    expect(Object.values(loaded.files).reduce((n, c) => n + c.length, 0)).toBe(SKILL_LIMITS.maxTotalBytes);

    const many: Record<string, string> = { 'SKILL.md': 's' };
    for (let i = 1; i < SKILL_LIMITS.maxFiles; i++) many[`f/${String(i).padStart(3, '0')}.md`] = 'x';
    expect(Object.keys(loadSkillFolder(skill('many-at-cap', many)).files)).toHaveLength(SKILL_LIMITS.maxFiles);
  });
});

describe('loadSkillFolder: refusals name the problem and the fix', () => {
  test('a missing folder', () => {
    const dir = path.join(tmp, 'missing');
    expect(refusal(dir)).toBe(`skill folder ${dir} does not exist: pass the path of a folder containing SKILL.md`);
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('a folder without SKILL.md', () => {
    const dir = skill('no-skill-md', { 'README.md': 'hi' });
    expect(refusal(dir)).toBe(`skill folder ${dir} has no SKILL.md: add one (the skill's main instructions)`);
  });

  test('SKILL.md is case-sensitive', () => {
    const dir = skill('lower', { 'skill.md': 'hi' });
    if (fs.existsSync(path.join(dir, 'SKILL.md'))) return; // case-insensitive file system: nothing to check
    expect(refusal(dir)).toMatch(/has no SKILL\.md: add one/);
  });

  test('a file instead of a folder', () => {
    const file = path.join(tmp, 'SKILL.md');
    fs.writeFileSync(file, '# S\n');
    expect(refusal(file)).toBe(`${file} is not a folder: a skill is a folder containing SKILL.md`);
  });

  test('a symlinked folder', () => {
    const real = skill('real');
    const link = path.join(tmp, 'link');
    fs.symlinkSync(real, link, 'dir');
    expect(refusal(link)).toBe(`skill folder ${link} is a symlink: pass the real folder`);
    expect(loadSkillFolder(real).files).toEqual({ 'SKILL.md': '# Skill\n' });
  });

  test.each([
    ['a symlinked file', 'notes.md', (target: string) => target],
    ['a symlinked SKILL.md', 'SKILL.md', (target: string) => target],
    ['a dangling symlink', 'gone.md', (target: string) => `${target}.missing`],
  ])('%s inside', (_name, rel, to) => {
    const outside = path.join(tmp, 'outside.md');
    fs.writeFileSync(outside, 'secret');
    const dir = skill('with-link', rel === 'SKILL.md' ? { 'other.md': 'x' } : undefined);
    fs.symlinkSync(to(outside), path.join(dir, rel));
    if (rel === 'SKILL.md') {
      expect(refusal(dir)).toBe(
        `SKILL.md in ${dir} is a symlink (path rule "symlink"): skills may hold only regular files; copy the target in`,
      );
    } else {
      expect(refusal(dir)).toBe(
        `${rel} in ${dir} is a symlink (path rule "symlink"): skills may hold only regular files; copy the target in`,
      );
    }
  });

  test('a symlinked folder inside', () => {
    const other = skill('other', { 'SKILL.md': 's', 'x.md': 'x' });
    const dir = skill('with-dir-link');
    fs.symlinkSync(other, path.join(dir, 'linked'), 'dir');
    expect(refusal(dir)).toBe(
      `linked in ${dir} is a symlink (path rule "symlink"): skills may hold only regular files; copy the target in`,
    );
  });

  test('a symlink nested deep inside is named by its relative path', () => {
    const dir = skill('deep-link', { 'SKILL.md': 's', 'a/b/real.md': 'r' });
    fs.symlinkSync(path.join(dir, 'a/b/real.md'), path.join(dir, 'a/b/alias.md'));
    expect(refusal(dir)).toMatch(/^a\/b\/alias\.md in .* is a symlink \(path rule "symlink"\): /);
  });

  test.each([
    ['a NUL byte', Buffer.from('text\u0000more', 'utf8')],
    ['a PNG header', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00])],
    ['invalid UTF-8', Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x21])],
    ['a truncated UTF-8 sequence', Buffer.from([0x61, 0xe2, 0x82])],
    ['Latin-1 text', Buffer.from('café', 'latin1')],
  ])('a binary file, told by its content, is kept as bytes: %s', (_name, content) => {
    const dir = skill('binary', { 'SKILL.md': 's', 'assets/blob.txt': content });
    const loaded = loadSkillFolder(dir);
    expect(Object.keys(loaded.files)).toEqual(['SKILL.md']);
    const entry = loaded.content.binaries!['assets/blob.txt']!;
    expect(entry).toMatchObject({ size: content.length, mediaType: 'application/octet-stream' });
    expect(loaded.blobs.get(entry.blob)!.equals(content)).toBe(true);
  });

  test('a binary SKILL.md', () => {
    const dir = skill('binary-main', { 'SKILL.md': Buffer.from([0xc3, 0x28]) });
    expect(refusal(dir)).toMatch(
      /^SKILL\.md in .* is a binary file \(NUL bytes or invalid UTF-8\): it must be UTF-8 text/,
    );
  });

  test('a binary file over its cap, and a skill over the whole cap (both configurable)', () => {
    const saved = { ...process.env };
    try {
      process.env.REFINERY_SKILL_MAX_BINARY_BYTES = '1000';
      process.env.REFINERY_SKILL_MAX_BYTES = '3000';
      const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1001 - 9)]);
      expect(refusal(skill('big-bin', { 'SKILL.md': 's', 'doc.pdf': pdf }))).toBe(
        'doc.pdf is 1001 bytes, over the 1000-byte cap per binary file (REFINERY_SKILL_MAX_BINARY_BYTES): shrink it or raise the cap',
      );
      const part = Buffer.alloc(1000);
      const dir = skill('big-skill', { 'SKILL.md': 's', 'a.bin': part, 'b.bin': part, 'c.bin': part });
      expect(refusal(dir)).toBe(
        `${dir} holds over 3000 bytes, the cap per skill (REFINERY_SKILL_MAX_BYTES): trim it or raise the cap`,
      );
    } finally {
      process.env = saved;
    }
    expect(SKILL_LIMITS.maxBinaryFileBytes).toBe(16 * 1024 * 1024);
    expect(SKILL_LIMITS.maxSkillBytes).toBe(64 * 1024 * 1024);
  });

  test('the executable bit is read from the owner bit', () => {
    const dir = skill('modes', { 'SKILL.md': 's', 'scripts/run.sh': '#!/bin/sh\n', 'scripts/lib.sh': 'x=1\n' });
    fs.chmodSync(path.join(dir, 'scripts/run.sh'), 0o755);
    fs.chmodSync(path.join(dir, 'scripts/lib.sh'), 0o644);
    expect(loadSkillFolder(dir).content.executable).toEqual(['scripts/run.sh']);
  });

  test('a file one byte over the per-file cap', () => {
    const dir = skill('big-file', { 'SKILL.md': 's', 'huge.md': big(SKILL_LIMITS.maxFileBytes + 1) });
    expect(refusal(dir)).toBe(
      `huge.md is ${SKILL_LIMITS.maxFileBytes + 1} bytes, over the 1048576-byte cap per text file: split or shorten it`,
    );
  });

  test('the per-file cap counts bytes, not characters', () => {
    const dir = skill('wide', {
      'SKILL.md': 's',
      'wide.md': '€'.repeat(Math.floor(SKILL_LIMITS.maxFileBytes / 3) + 1),
    });
    expect(refusal(dir)).toMatch(/^wide\.md is 1048578 bytes, over the 1048576-byte cap per text file/);
  });

  test('a total over the cap', () => {
    const files: Record<string, string> = { 'SKILL.md': 's' };
    for (let i = 0; i < 8; i++) files[`part${i}.md`] = big(SKILL_LIMITS.maxFileBytes);
    const dir = skill('big-total', files);
    expect(refusal(dir)).toBe(`${dir} holds over 2097152 bytes of text, the cap per skill: trim it`);
  });

  test('too many files', () => {
    const files: Record<string, string> = { 'SKILL.md': 's' };
    for (let i = 0; i < SKILL_LIMITS.maxFiles; i++) files[`f/${String(i).padStart(3, '0')}.md`] = 'x';
    const dir = skill('many', files);
    expect(refusal(dir)).toBe(`${dir} holds over 200 files, the cap per skill: trim it`);
  });

  test('files in a skipped folder do not count towards the caps', () => {
    const files: Record<string, string> = { 'SKILL.md': 's' };
    for (let i = 0; i < SKILL_LIMITS.maxFiles + 5; i++) files[`.git/objects/${i}`] = 'x';
    files['node_modules/huge.js'] = big(SKILL_LIMITS.maxFileBytes + 1);
    expect(Object.keys(loadSkillFolder(skill('skipped', files)).files)).toEqual(['SKILL.md']);
  });

  test('a SKILL.md that is a directory is refused', () => {
    const dir = skill('dir-skill-md', { 'SKILL.md/inner.md': 'x' });
    expect(refusal(dir)).toMatch(/SKILL\.md/);
  });

  test('a file named __proto__ is not silently dropped', () => {
    const dir = skill('proto');
    fs.writeFileSync(path.join(dir, '__proto__'), 'data');
    expect(Object.keys(loadSkillFolder(dir).files)).toContain('__proto__');
  });
});
