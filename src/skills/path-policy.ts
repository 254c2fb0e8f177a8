import { SKILL_LIMITS, type SkillBinaries, type SkillFiles } from './limits';
import { SkillError } from './skill-error';

/**
 * The one policy for skill file names: every name that comes from a request, a stored version, a model
 * or a folder passes here before it is stored or written (API and CLI version creation, push, pull,
 * restore, write-back, the improver's edits, skill loading). A name is a relative, normalised path of
 * `/`-separated segments that means the same file on every system a skill may be pulled on.
 */
export type PathRule =
  | 'empty'
  | 'too-long'
  | 'segment-too-long'
  | 'control-character'
  | 'invalid-unicode'
  | 'invisible-character'
  | 'lookalike-character'
  | 'absolute'
  | 'drive'
  | 'backslash'
  | 'parent-segment'
  | 'dot-segment'
  | 'empty-segment'
  | 'trailing-dot-or-space'
  | 'too-many-files'
  | 'file-too-large'
  | 'skill-too-large'
  | 'text-too-large'
  | 'binary-too-large'
  | 'executable-unknown'
  | 'name-collision'
  | 'file-and-folder'
  | 'symlink'
  | 'not-a-folder';

/** A refused name: which file, which rule, and the message (the file, the rule, why, and the fix). */
export class PathPolicyError extends SkillError {
  constructor(
    readonly file: string,
    readonly rule: PathRule,
    why: string,
    fix: string,
  ) {
    super(`skill file ${showName(file)} refused by the path rule "${rule}": ${why}; ${fix}`);
  }
}

// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Characters that hide or reorder text, so the name shown is not the name written: zero-width
// characters, bidirectional overrides and isolates, line and paragraph separators, the BOM.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff]/;
// Characters that look like `/`, `\` or `.`, or that Windows' best-fit code page conversion maps to
// them (the fullwidth forms): `..∕x` or `．．／x` would read, or become, a path that leaves the folder.
const LOOKALIKE = /[\u2024\u2044\u2215\u2216\u2571\u2572\u29f5\u29f8\u29f9\ufe52\ufe68\uff0e\uff0f\uff3c]/;
// A lone UTF-16 surrogate has no UTF-8 form: the name written would differ from the name stored.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every problem with one name, the first found; undefined when the name is allowed. */
export function skillPathProblem(name: string): PathPolicyError | undefined {
  const refuse = (rule: PathRule, why: string, fix: string) => new PathPolicyError(name, rule, why, fix);
  if (name.length === 0) return refuse('empty', 'the name is empty', 'give the file a name');
  if (CONTROL.test(name))
    return refuse('control-character', 'it holds a control character', 'use printable characters only');
  if (LONE_SURROGATE.test(name))
    return refuse('invalid-unicode', 'it holds a lone UTF-16 surrogate', 'use valid Unicode text');
  if (INVISIBLE.test(name))
    return refuse(
      'invisible-character',
      'it holds an invisible or text-reordering character (zero-width, bidi control, line separator)',
      'remove it',
    );
  if (LOOKALIKE.test(name))
    return refuse(
      'lookalike-character',
      'it holds a character that looks like, or may be converted to, "/", "\\" or "."',
      'use plain "/" between folders and plain "." in names',
    );
  if (name.startsWith('/') || name.startsWith('\\'))
    return refuse('absolute', 'it is an absolute or network path', 'make it relative to the skill folder');
  if (/^[A-Za-z]:/.test(name))
    return refuse('drive', 'it starts with a drive letter', 'make it relative to the skill folder');
  if (name.includes('\\')) return refuse('backslash', 'it holds a backslash', 'use "/" between folders');
  if (name.length > SKILL_LIMITS.maxPathLength)
    return refuse(
      'too-long',
      `it is ${name.length} characters, over the cap of ${SKILL_LIMITS.maxPathLength}`,
      'shorten it',
    );
  for (const segment of name.split('/')) {
    if (segment === '..')
      return refuse('parent-segment', 'it has a ".." segment that leaves the skill folder', 'remove the ".."');
    if (segment === '.') return refuse('dot-segment', 'it has a "." segment (not normalised)', 'remove the "./" parts');
    if (segment === '')
      return refuse(
        'empty-segment',
        'it has an empty segment (leading, doubled or trailing "/"; not normalised)',
        'write one "/" between folder names, none at the ends',
      );
    if (/[. ]$/.test(segment))
      return refuse(
        'trailing-dot-or-space',
        `the segment ${showName(segment)} ends in a dot or a space, which Windows drops (".. " becomes "..")`,
        'remove the trailing dots and spaces',
      );
    if (Buffer.byteLength(segment) > SKILL_LIMITS.maxSegmentBytes)
      return refuse(
        'segment-too-long',
        `a segment is ${Buffer.byteLength(segment)} bytes in UTF-8, over the cap of ${SKILL_LIMITS.maxSegmentBytes}`,
        'shorten that folder or file name',
      );
  }
  return undefined;
}

/** Throws the PathPolicyError for a name the policy refuses. */
export function checkSkillPath(name: string): void {
  const problem = skillPathProblem(name);
  if (problem) throw problem;
}

/**
 * Every problem with a whole skill, the first found: each name (text files, binary files and executable
 * paths alike), names that would land on one file on a case-insensitive or normalising file system (macOS,
 * Windows), a name that is both a file and a folder, and the size caps of SKILL_LIMITS (text files keep
 * theirs; binary files and the whole skill have larger ones). Undefined when the skill may be stored and
 * written.
 */
export function skillFilesProblem(
  files: SkillFiles,
  binaries: SkillBinaries = {},
  executable: readonly string[] = [],
): PathPolicyError | undefined {
  const textNames = Object.keys(files);
  const binaryNames = Object.keys(binaries);
  const names = [...textNames, ...binaryNames];
  if (names.length > SKILL_LIMITS.maxFiles)
    return new PathPolicyError(
      names[SKILL_LIMITS.maxFiles]!,
      'too-many-files',
      `the skill holds ${names.length} files, over the cap of ${SKILL_LIMITS.maxFiles}`,
      'trim the skill',
    );
  const folded = new Map<string, string>();
  let text = 0;
  let total = 0;
  const maxBinary = SKILL_LIMITS.maxBinaryFileBytes;
  const maxSkill = SKILL_LIMITS.maxSkillBytes;
  for (const [i, name] of names.entries()) {
    const problem = skillPathProblem(name);
    if (problem) return problem;
    const key = name.normalize('NFC').toLowerCase();
    const other = folded.get(key);
    if (other !== undefined)
      return new PathPolicyError(
        name,
        'name-collision',
        other === name
          ? 'it is both a text file and a binary file of the skill'
          : `it and ${showName(other)} are one file on case-insensitive file systems`,
        'rename one of them',
      );
    folded.set(key, name);
    if (i < textNames.length) {
      const bytes = Buffer.byteLength(files[name]!);
      if (bytes > SKILL_LIMITS.maxFileBytes)
        return new PathPolicyError(
          name,
          'file-too-large',
          `it is ${bytes} bytes, over the cap of ${SKILL_LIMITS.maxFileBytes} per text file`,
          'split or shorten it',
        );
      text += bytes;
      total += bytes;
      if (text > SKILL_LIMITS.maxTotalBytes)
        return new PathPolicyError(
          name,
          'text-too-large',
          `the skill holds over ${SKILL_LIMITS.maxTotalBytes} bytes of text, the cap for text files per skill`,
          'trim it',
        );
    } else {
      const bytes = binaries[name]!.size;
      if (bytes > maxBinary)
        return new PathPolicyError(
          name,
          'binary-too-large',
          `it is ${bytes} bytes, over the cap of ${maxBinary} per binary file (REFINERY_SKILL_MAX_BINARY_BYTES)`,
          'shrink it or raise the cap',
        );
      total += bytes;
    }
    if (total > maxSkill)
      return new PathPolicyError(
        name,
        'skill-too-large',
        `the skill holds over ${maxSkill} bytes, the cap per skill (REFINERY_SKILL_MAX_BYTES)`,
        'trim it or raise the cap',
      );
  }
  for (const name of names) {
    const parts = name.normalize('NFC').toLowerCase().split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = folded.get(parts.slice(0, i).join('/'));
      if (folder !== undefined)
        return new PathPolicyError(
          name,
          'file-and-folder',
          `${showName(folder)} is a file and also a folder on its path`,
          'rename the file or the folder',
        );
    }
  }
  for (const name of executable) {
    if (!Object.hasOwn(files, name) && !Object.hasOwn(binaries, name))
      return new PathPolicyError(
        name,
        'executable-unknown',
        'it is marked executable but is not a file of the skill',
        'mark only files the skill holds',
      );
  }
  return undefined;
}

/** Throws the PathPolicyError for a skill the policy refuses. */
export function checkSkillFiles(files: SkillFiles, binaries?: SkillBinaries, executable?: readonly string[]): void {
  const problem = skillFilesProblem(files, binaries, executable);
  if (problem) throw problem;
}

const SHOWN_CHARS = 80;

/**
 * A name as it is safe to print: quoted, with control, invisible and lookalike characters escaped (a
 * terminal must not act on `\x1b`), and cut after 80 characters with the full length said.
 */
export function showName(name: string): string {
  const cut = name.length > SHOWN_CHARS ? name.slice(0, SHOWN_CHARS) : name;
  const escaped = [...cut]
    .map((ch) =>
      ch === '"' || ch === '\\'
        ? `\\${ch}`
        : CONTROL.test(ch) || INVISIBLE.test(ch) || LOOKALIKE.test(ch) || LONE_SURROGATE.test(ch)
          ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
          : ch,
    )
    .join('');
  return name.length > SHOWN_CHARS ? `"${escaped}…" (${name.length} characters)` : `"${escaped}"`;
}
