import fs from 'node:fs';
import path from 'node:path';
import { brokenLinks, headingSlugs } from './support/markdown-links';

const ROOT = path.resolve(__dirname, '..');

describe('links between the documents', () => {
  test('every relative link and anchor in README.md, ARCHITECTURE.md and docs/*.md resolves', () => {
    const docs = fs
      .readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => path.join(ROOT, 'docs', f));
    const files = [path.join(ROOT, 'README.md'), path.join(ROOT, 'ARCHITECTURE.md'), ...docs];
    expect(docs.length).toBeGreaterThan(5);
    expect(brokenLinks(files)).toEqual([]);
  });

  test('the checker finds a missing file, a missing heading and a missing anchor, and nothing in code', () => {
    const file = path.join(ROOT, 'test', 'fixtures', 'docs-links', 'broken.md');
    expect(brokenLinks([file]).map((b) => [b.line, b.target])).toEqual([
      [15, 'missing.md'],
      [15, 'other.md#nowhere'],
      [15, '#repeated-2'],
    ]);
  });

  test('anchors are the slugs GitHub makes', () => {
    expect([
      ...headingSlugs('# The prompt & skill library\n## Node.js versions\n### `refinery schedules` (A/B)\n'),
    ]).toEqual(['the-prompt--skill-library', 'nodejs-versions', 'refinery-schedules-ab']);
  });
});
