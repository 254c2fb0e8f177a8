import fs from 'node:fs';
import path from 'node:path';
import type { PathRule } from '../../src/skills/path-policy';

/**
 * Skill file names the path policy refuses, each with the rule that must name the refusal. Each is
 * tried beside a valid SKILL.md, at every entry point that accepts or writes skill file names.
 */
export const HOSTILE_NAMES: ReadonlyArray<readonly [name: string, rule: PathRule]> = [
  ['../x', 'parent-segment'],
  ['../../escaped.txt', 'parent-segment'],
  ['a/../../x', 'parent-segment'],
  ['..', 'parent-segment'],
  ['SKILL.md/../../x', 'parent-segment'],
  ['/etc/passwd', 'absolute'],
  ['//server/share/x', 'absolute'],
  ['\\\\srv\\share', 'absolute'],
  ['C:\\x', 'drive'],
  ['C:x', 'drive'],
  ['c:/x.md', 'drive'],
  ['a\\b', 'backslash'],
  ['..\\x', 'backslash'],
  ['nul\u0000byte.md', 'control-character'],
  ['esc\u001b[31mred.md', 'control-character'],
  ['line\r\nbreak.md', 'control-character'],
  ['del\u007f.md', 'control-character'],
  ['c1\u0085next-line.md', 'control-character'],
  ['', 'empty'],
  ['.', 'dot-segment'],
  ['./a', 'dot-segment'],
  ['a/./b', 'dot-segment'],
  ['a/', 'empty-segment'],
  ['a//b', 'empty-segment'],
  ['x'.repeat(201), 'too-long'],
  [`a/${'é'.repeat(130)}`, 'segment-too-long'],
  ['..\u2215x', 'lookalike-character'],
  ['\uff0e\uff0e\uff0fx', 'lookalike-character'],
  ['evil\u202egpj.md', 'invisible-character'],
  ['zero\u200bwidth.md', 'invisible-character'],
  ['lone\ud800.md', 'invalid-unicode'],
  ['.. /x', 'trailing-dot-or-space'],
  ['notes.md ', 'trailing-dot-or-space'],
  ['skill.md', 'name-collision'],
  ['SKILL.md/inner.md', 'file-and-folder'],
];

/** The files of one hostile version: a valid SKILL.md and the hostile name. */
export const hostileFiles = (name: string): Record<string, string> => ({ 'SKILL.md': '# Skill\n', [name]: 'pwned\n' });

/**
 * Every entry under root, with file content; symlinks as `-> target`. Taken before and after an attempt,
 * it shows that nothing was written anywhere under root.
 */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      const entryAbs = path.join(abs, name);
      const st = fs.lstatSync(entryAbs);
      if (st.isSymbolicLink()) out[`${rel}${name}`] = `-> ${fs.readlinkSync(entryAbs)}`;
      else if (st.isDirectory()) {
        out[`${rel}${name}/`] = '';
        walk(entryAbs, `${rel}${name}/`);
      } else out[`${rel}${name}`] = fs.readFileSync(entryAbs, 'utf8');
    }
  };
  walk(root, '');
  return out;
}
