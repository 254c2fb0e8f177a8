import type { SkillContent } from '../library/content';
import type { SkillBinaries, SkillFiles } from './limits';
import { describeBinary } from './media-types';

/**
 * Why an edit of name is refused when name is one of the skill's binary files; undefined otherwise. Binary
 * files are never sent to a model, so no model-proposed edit may create, replace or delete one.
 */
export function binaryEditProblem(name: string, binaries: SkillBinaries | undefined): string | undefined {
  if (!binaries || !Object.hasOwn(binaries, name)) return undefined;
  return `edit refused: ${describeBinary(name, binaries[name]!)} is a binary file of the skill; improver edits touch text files only`;
}

/** The content with new text files; binary files carried over, executable bits kept for files still there. */
export function withTextFiles(parent: SkillContent, files: SkillFiles): SkillContent {
  const out: SkillContent = { type: 'skill', files };
  if (parent.binaries && Object.keys(parent.binaries).length > 0) out.binaries = parent.binaries;
  const executable = (parent.executable ?? []).filter(
    (p) => Object.hasOwn(files, p) || (parent.binaries !== undefined && Object.hasOwn(parent.binaries, p)),
  );
  if (executable.length > 0) out.executable = executable;
  return out;
}

/** One line per binary file, as a model is shown them in place of their bytes. */
export function binaryListing(binaries: SkillBinaries | undefined): string[] {
  return Object.keys(binaries ?? {})
    .sort()
    .map((p) => describeBinary(p, binaries![p]!));
}
