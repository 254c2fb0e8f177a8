import fs from 'node:fs';
import path from 'node:path';

/** A relative link or #anchor in a markdown file that does not resolve. */
export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  problem: string;
}

/** Lines outside fenced code blocks, with their 1-based numbers: links and headings in code do not count. */
function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((l, i) => {
    const m = /^\s*(```+|~~~+)/.exec(l);
    if (m) {
      if (!fence) fence = m[1]![0];
      else if (m[1]![0] === fence) fence = undefined;
      return;
    }
    if (!fence) out.push({ line: i + 1, text: l });
  });
  return out;
}

/**
 * The anchor GitHub gives a heading (github-slugger): markdown syntax dropped, lower case, every character that is
 * not a letter, mark, number, connector, space or hyphen removed, spaces turned into hyphens; a repeated slug gets
 * -1, -2, … in order.
 */
export function headingSlugs(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!m) continue;
    const plain = m[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*_~]/g, (c) => (c === '_' ? '_' : ''));
    const base = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/** Every `[text](target)` and `![alt](target)` outside code, with its line. */
export function markdownLinks(markdown: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      links.push({ line, target: m[1]! });
  }
  return links;
}

/** The relative links and anchors of these markdown files that do not resolve (web and mail links are not checked). */
export function brokenLinks(files: string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const slugCache = new Map<string, Set<string>>();
  const slugsOf = (file: string) => {
    let s = slugCache.get(file);
    if (!s) slugCache.set(file, (s = headingSlugs(fs.readFileSync(file, 'utf8'))));
    return s;
  };
  for (const file of files) {
    for (const { line, target } of markdownLinks(fs.readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const hash = target.indexOf('#');
      const rel = hash === -1 ? target : target.slice(0, hash);
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const dest = rel === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(rel));
      if (!fs.existsSync(dest)) {
        broken.push({ file, line, target, problem: `${path.relative(process.cwd(), dest)} does not exist` });
        continue;
      }
      if (anchor === undefined) continue;
      if (!dest.endsWith('.md') || fs.statSync(dest).isDirectory()) {
        broken.push({ file, line, target, problem: 'an anchor into a file that is not markdown' });
        continue;
      }
      if (!slugsOf(dest).has(anchor))
        broken.push({ file, line, target, problem: `no heading of ${path.basename(dest)} has the anchor #${anchor}` });
    }
  }
  return broken;
}
