import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../src/cli/main';
import { applyTuneOutcome } from '../../src/cli/tune-outcome';
import { contentHash } from '../../src/library/content';
import { getContent, getItem, getVersion } from '../../src/library/versions';
import { withTextFiles } from '../../src/skills/binary-files';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { getSkillContent, recordSkillVersion } from '../../src/library/skill-versions';
import type { TuneStatus } from '../../src/tune/types';
import { apiHarness } from '../api/api-harness';
import { describeEachStore } from '../support/store-backends';
import { tempDir } from '../support/temporal';

/** Every regular file below dir: sha256 of its bytes and whether its owner-executable bit is set. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      const entryAbs = path.join(abs, name);
      const st = fs.lstatSync(entryAbs);
      if (st.isDirectory()) walk(entryAbs, `${rel}${name}/`);
      else
        out[`${rel}${name}`] =
          `${createHash('sha256').update(fs.readFileSync(entryAbs)).digest('hex')} ${st.mode & 0o100 ? 'x' : '-'}`;
    }
  };
  walk(dir, '');
  return out;
}

const SKILL_MD = `---
name: pdf-kit
description: Builds PDF reports with the bundled font and template. Use when the user asks for a PDF report.
---
# PDF kit

Run \`scripts/build.sh\`, then read \`references/manual.md\` for the layout rules.
`;

/** A TrueType file: the sfnt header (version 1.0, one table) then table bytes, NULs and high bytes included. */
function trueTypeFont(): Buffer {
  const header = Buffer.from([0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00]);
  return Buffer.concat([header, Buffer.from('glyf'), randomBytes(40_000)]);
}

/** A PDF with the binary comment line writers add (bytes that are not UTF-8) and a binary stream. */
function pdf(): Buffer {
  const stream = randomBytes(20_000);
  return Buffer.concat([
    Buffer.from('%PDF-1.7\n%'),
    Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]),
    Buffer.from(`\n1 0 obj\n<< /Length ${stream.length} >>\nstream\n`),
    stream,
    Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'),
  ]);
}

/** A real .tar.gz, made by tar(1) from a small folder. */
function tarGz(work: string): Buffer {
  const src = path.join(work, 'tar-src');
  fs.mkdirSync(path.join(src, 'template'), { recursive: true });
  fs.writeFileSync(path.join(src, 'template', 'page.html'), '<html><body>{{content}}</body></html>\n');
  fs.writeFileSync(path.join(src, 'template', 'logo.bin'), randomBytes(5000));
  const out = path.join(work, 'template.tar.gz');
  execFileSync('tar', ['-czf', out, '-C', src, 'template']);
  return fs.readFileSync(out);
}

/** 1 MiB of text, the largest text file the caps allow. */
function manual(): string {
  const line = 'Rule: keep margins at 2 cm; headings in the bundled font; tables never split across pages.\n';
  const text = line.repeat(Math.ceil((1024 * 1024) / line.length)).slice(0, 1024 * 1024 - 1);
  return `${text}\n`;
}

/** The skill folder of the acceptance test: a font, a PDF, a .tar.gz, an executable script, 1 MiB of text. */
function makeSkill(parent: string, name = 'pdf-kit'): string {
  const dir = path.join(parent, name);
  const put = (rel: string, content: string | Buffer, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
    fs.chmodSync(path.join(dir, rel), mode);
  };
  put('SKILL.md', SKILL_MD);
  put('assets/DejaVuSans.ttf', trueTypeFont());
  put('assets/sample.pdf', pdf());
  put('assets/template.tar.gz', tarGz(parent));
  put('scripts/build.sh', '#!/bin/sh\necho built\n', 0o755);
  put('references/manual.md', manual());
  return dir;
}

describeEachStore('skill folders with binary files and executable scripts round-trip exactly', (backend) => {
  let url: string;
  let db: Db;
  let work: string;
  const savedEnv = { ...process.env };

  /** The real CLI dispatcher, in this process: its exit code and everything it printed. */
  async function cli(args: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const keep = (...a: unknown[]) => void lines.push(a.map(String).join(' '));
    const log = jest.spyOn(console, 'log').mockImplementation(keep);
    const error = jest.spyOn(console, 'error').mockImplementation(keep);
    try {
      return { code: await runCli(args), out: lines.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  beforeAll(async () => {
    url = await backend.freshUrl();
    db = await openStore(url);
    work = tempDir(`skill-files-${backend.name}`);
    process.env.REFINERY_DATABASE_URL = url;
    process.env.REFINERY_USER = 'ana';
    delete process.env.REFINERY_API_URL;
    delete process.env.REFINERY_API_TOKEN;
  });
  afterAll(async () => {
    process.env = savedEnv;
    await db.close();
  });

  test('push → pull → restore → write-back keep every byte and every executable bit', async () => {
    const dir = makeSkill(path.join(work, 'src'));
    const original = snapshot(dir);
    expect(original['scripts/build.sh']).toMatch(/ x$/);

    let r = await cli(['push', dir, '--why', 'import']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain('pdf-kit: created version 1');
    // The item is named by the front matter, and described by it.
    expect((await getItem(db, 'pdf-kit'))?.description).toBe(
      'Builds PDF reports with the bundled font and template. Use when the user asks for a PDF report.',
    );
    const v1 = (await getVersion(db, 'pdf-kit', { version: 1 }))!;
    const stored = await getSkillContent(db, 'pdf-kit', v1.hash);
    // Binary files are blobs with their size and media type; text stays text; the script is executable.
    expect(Object.keys(stored.files).sort()).toEqual(['SKILL.md', 'references/manual.md', 'scripts/build.sh']);
    expect(stored.binaries).toEqual({
      'assets/DejaVuSans.ttf': {
        blob: expect.stringMatching(/^[0-9a-f]{64}$/),
        size: expect.any(Number),
        mediaType: 'font/ttf',
      },
      'assets/sample.pdf': { blob: expect.any(String), size: expect.any(Number), mediaType: 'application/pdf' },
      'assets/template.tar.gz': { blob: expect.any(String), size: expect.any(Number), mediaType: 'application/gzip' },
    });
    expect(stored.executable).toEqual(['scripts/build.sh']);
    expect(v1.hash).toBe(contentHash(stored));
    // The same folder again is the same version; a changed executable bit alone is a new one.
    expect((await cli(['push', dir, '--why', 'again'])).out).toContain('unchanged — the content is version 1');

    const pulled = path.join(work, 'pulled');
    r = await cli(['pull', 'pdf-kit', '--version', '1', pulled]);
    expect(r.code).toBe(0);
    expect(snapshot(pulled)).toEqual(original);
    expect(execFileSync(path.join(pulled, 'scripts/build.sh')).toString()).toBe('built\n');

    // The folder changes: a new font, the script no longer executable, an edited SKILL.md.
    fs.writeFileSync(path.join(dir, 'assets/DejaVuSans.ttf'), trueTypeFont());
    fs.chmodSync(path.join(dir, 'scripts/build.sh'), 0o644);
    fs.appendFileSync(path.join(dir, 'SKILL.md'), '\nAlways embed the font.\n');
    expect((await cli(['push', dir, '--why', 'new font'])).out).toContain('created version 2');
    expect(snapshot(dir)).not.toEqual(original);

    // restore writes version 1 back over the folder: bytes and modes exactly as first pushed.
    r = await cli(['restore', dir, '--version', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('mode of scripts/build.sh: executable');
    expect(snapshot(dir)).toEqual(original);
    expect(execFileSync(path.join(dir, 'scripts/build.sh')).toString()).toBe('built\n');

    // write-back of a tuned version (the improver changed SKILL.md only): binaries and modes stay as they are.
    const tuned = withTextFiles(stored, {
      ...stored.files,
      'SKILL.md': `${stored.files['SKILL.md']}\nCheck the margins.\n`,
    });
    const v3 = await recordSkillVersion(db, 'pdf-kit', tuned, {
      parentHash: v1.hash,
      rationale: 'tuned',
      author: 'improver',
    });
    const status = {
      skills: ['pdf-kit'],
      outcome: {
        writeBack: [{ skill: 'pdf-kit', dir, fromHash: v1.hash, toHash: v3.hash }],
        reportPaths: [],
        reportRef: '',
      },
    } as unknown as TuneStatus;
    const applied = await applyTuneOutcome(db, status, { write: true });
    expect(applied.folders[0]).toMatchObject({ written: true, files: ['SKILL.md'] });
    const after = snapshot(dir);
    expect(after['SKILL.md']).not.toBe(original['SKILL.md']);
    expect({ ...after, 'SKILL.md': original['SKILL.md'] }).toEqual(original);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toContain('Check the margins.');
  });

  test('a text-only skill keeps the hash it always had', async () => {
    const files = { 'SKILL.md': '# s\n', 'refs/a.md': 'a\n' };
    const v = await recordSkillVersion(db, 'plain-skill', files, { rationale: 'r', author: 'a' });
    expect(v.hash).toBe(
      createHash('sha256')
        .update(
          JSON.stringify([
            ['SKILL.md', '# s\n'],
            ['refs/a.md', 'a\n'],
          ]),
        )
        .digest('hex'),
    );
    expect(await getContent(db, 'plain-skill', { version: 1 })).toEqual({ type: 'skill', files });
  });

  test('API create → pull (remote and local) and remote push keep every byte and every executable bit', async () => {
    // The API over the store the CLI uses, so a local pull reads what the API stored.
    const h = await apiHarness(() => openStore(url));
    try {
      const dir = makeSkill(path.join(work, 'api-src'));
      const original = snapshot(dir);
      const read = (rel: string) => fs.readFileSync(path.join(dir, rel));
      const binaries: Record<string, { blob: string; size: number; mediaType: string }> = {};
      // The API client's way: each binary file's bytes first, by sha256, then the version naming them.
      for (const rel of ['assets/DejaVuSans.ttf', 'assets/sample.pdf', 'assets/template.tar.gz']) {
        const bytes = read(rel);
        const blob = createHash('sha256').update(bytes).digest('hex');
        binaries[rel] = { blob, size: bytes.length, mediaType: 'application/octet-stream' };
      }
      const content = {
        type: 'skill',
        files: Object.fromEntries(
          ['SKILL.md', 'references/manual.md', 'scripts/build.sh'].map((rel) => [rel, read(rel).toString('utf8')]),
        ),
        binaries,
        executable: ['scripts/build.sh'],
      };
      await h.call('POST', '/v1/library', h.tokens.owner, { name: 'pdf-api', kind: 'skill' });
      // A version naming bytes the store lacks is refused, naming the files and the fix.
      const early = await h.call('POST', '/v1/library/pdf-api/versions', h.tokens.owner, { content, rationale: 'x' });
      expect(early.status).toBe(400);
      expect(early.body.detail).toContain('assets/DejaVuSans.ttf');
      expect(early.body.detail).toContain('upload each binary file first');
      const put = async (blob: string, bytes: Buffer) =>
        fetch(`${h.api.url}/v1/library/pdf-api/blobs/${blob}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${h.tokens.writer}`, 'content-type': 'application/octet-stream' },
          body: new Uint8Array(bytes),
        });
      // Bytes that do not hash to the path's sha256 are refused.
      expect((await put(binaries['assets/sample.pdf']!.blob, Buffer.from('not the pdf'))).status).toBe(400);
      for (const [rel, b] of Object.entries(binaries)) expect((await put(b.blob, read(rel))).status).toBe(201);
      const created = await h.call('POST', '/v1/library/pdf-api/versions', h.tokens.owner, {
        content,
        rationale: 'api',
      });
      expect(created.status).toBe(201);
      // The media type is the server's, from the name.
      const got = await h.call('GET', '/v1/library/pdf-api/versions/1', h.tokens.reader);
      expect(got.body.content.binaries['assets/sample.pdf'].mediaType).toBe('application/pdf');
      // A blob is read through a version that names it, and only so.
      const pdfBlob = binaries['assets/sample.pdf']!.blob;
      expect((await h.call('GET', `/v1/library/greeting/versions/1/blobs/${pdfBlob}`, h.tokens.reader)).status).toBe(
        404,
      );

      process.env.REFINERY_API_URL = h.api.url;
      process.env.REFINERY_API_TOKEN = h.tokens.reader;
      const remotePulled = path.join(work, 'api-pulled-remote');
      expect((await cli(['pull', 'pdf-api', '--version', '1', remotePulled])).code).toBe(0);
      expect(snapshot(remotePulled)).toEqual(original);

      // Remote push of the folder (another item, by --name): blobs uploaded, the same version hash.
      process.env.REFINERY_API_TOKEN = h.tokens.owner;
      const pushed = await cli(['push', dir, '--name', 'pdf-api-copy', '--why', 'copy']);
      expect(pushed.code).toBe(0);
      expect(pushed.out).toContain('warning: --name pdf-api-copy overrides the front matter\'s name "pdf-kit"');
      const copy = await h.call('GET', '/v1/library/pdf-api-copy/versions/1', h.tokens.reader);
      expect(copy.body.hash).toBe(created.body.hash);
      delete process.env.REFINERY_API_URL;
      delete process.env.REFINERY_API_TOKEN;

      // The same store read locally gives the same bytes.
      expect((await cli(['pull', 'pdf-api-copy', '--version', '1', path.join(work, 'api-pulled-local')])).code).toBe(0);
      expect(snapshot(path.join(work, 'api-pulled-local'))).toEqual(original);
    } finally {
      delete process.env.REFINERY_API_URL;
      delete process.env.REFINERY_API_TOKEN;
      await h.close();
    }
  });
});
