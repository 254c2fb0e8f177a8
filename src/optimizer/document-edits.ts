import { z } from 'zod';
import { skillFilesProblem } from '../skills/path-policy';
import { binaryEditProblem } from '../skills/binary-files';
import type { SkillBinaries } from '../skills/limits';
import { SKILL_LIMITS } from '../skills/limits';
import { checkEditPath, EditRejected } from '../tune/edits';
import { extractJson } from '../tune/model-output';
import type { Document } from './documents';

/**
 * The reflective improver's answer: bounded edits on the parent's documents, applied strictly. An edit quotes the
 * exact text it changes (`find`), which must occur exactly once where the edit applies: a quote that is missing or
 * ambiguous refuses the whole proposal, so nothing is ever changed at a place the improver did not mean.
 *
 *   {"summary": "one line: what changes and why",
 *    "edits": [
 *      {"path": "prompt.md", "action": "replace", "find": "exact old text", "text": "new text"},
 *      {"path": "prompt.md", "action": "insert_after", "find": "exact anchor text", "text": "text inserted after it"},
 *      {"path": "prompt.md", "action": "delete", "find": "exact text to remove"},
 *      {"path": "prompt.md", "action": "append", "text": "text added at the end"},
 *      {"path": "notes/new.md", "action": "create_file", "text": "whole content"},   (skills only)
 *      {"path": "notes/old.md", "action": "delete_file"}                            (skills only)
 *    ]}
 *
 * Edits apply in order, each to the text the earlier ones left.
 */
const path = z.string().min(1).max(300);
const find = z.string().min(1, 'an empty "find" matches everywhere: quote the exact text to change');
const text = z.string();
export const documentEditSchema = z.discriminatedUnion('action', [
  z.object({ path, action: z.literal('replace'), find, text }),
  z.object({ path, action: z.literal('insert_after'), find, text }),
  z.object({ path, action: z.literal('delete'), find }),
  z.object({ path, action: z.literal('append'), text }),
  z.object({ path, action: z.literal('create_file'), text }),
  z.object({ path, action: z.literal('delete_file') }),
]);
export type DocumentEdit = z.infer<typeof documentEditSchema>;

export const MAX_EDITS = 40;
export const improverAnswerSchema = z.object({
  summary: z.string().default(''),
  edits: z.array(documentEditSchema).max(MAX_EDITS),
});
export interface ImproverAnswer {
  summary: string;
  edits: DocumentEdit[];
}

/** A proposal refused before any evaluation; the message is the reason the lineage and the status show. */
export class ProposalRefused extends Error {
  override readonly name = 'ProposalRefused';
}

/** The improver's text as an answer, or ProposalRefused saying why it is unusable. */
export function parseImproverAnswer(reply: string): ImproverAnswer {
  let parsed;
  try {
    parsed = improverAnswerSchema.parse(extractJson(reply));
  } catch (err) {
    const why =
      err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`) : [(err as Error).message];
    throw new ProposalRefused(`unusable answer: ${why.join('; ').slice(0, 300)}`);
  }
  // One line, bounded: it travels in the lineage and the status.
  const summary = parsed.summary.replace(/\s+/g, ' ').trim().slice(0, 300);
  return { summary, edits: parsed.edits };
}

const count = (haystack: string, needle: string) => {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
};

/**
 * The documents after the edits, or ProposalRefused naming the first edit that cannot apply. `kind` says whether
 * files may be created and deleted (skills), with their names checked by the skill path policy.
 */
export function applyDocumentEdits(
  documents: Document[],
  edits: DocumentEdit[],
  kind: 'prompt' | 'skill',
  binaries: SkillBinaries = {},
): Document[] {
  if (edits.length === 0) throw new ProposalRefused('no edit: the improver proposed nothing');
  const docs = new Map(documents.map((d) => [d.path, d.text]));
  edits.forEach((edit, i) => {
    const where = `edit ${i + 1} (${edit.action} in ${edit.path})`;
    // A skill's binary files are not documents: never shown as text, never edited.
    const binary = binaryEditProblem(edit.path, binaries);
    if (binary) throw new ProposalRefused(`${where}: ${binary}`);
    if (edit.action === 'create_file' || edit.action === 'delete_file') {
      if (kind !== 'skill') throw new ProposalRefused(`${where}: a prompt's documents cannot be created or deleted`);
      try {
        checkEditPath(edit.path);
      } catch (err) {
        if (err instanceof EditRejected) throw new ProposalRefused(`${where}: ${err.message}`);
        throw err;
      }
      if (edit.action === 'create_file') {
        if (docs.has(edit.path)) throw new ProposalRefused(`${where}: the file exists already; edit it instead`);
        docs.set(edit.path, edit.text);
      } else {
        if (edit.path === 'SKILL.md') throw new ProposalRefused(`${where}: SKILL.md cannot be deleted`);
        if (!docs.delete(edit.path)) throw new ProposalRefused(`${where}: no such file`);
      }
      return;
    }
    const current = docs.get(edit.path);
    if (current === undefined) {
      throw new ProposalRefused(`${where}: no such document (there are ${[...docs.keys()].join(', ')})`);
    }
    if (edit.action === 'append') {
      docs.set(edit.path, current + edit.text);
      return;
    }
    const n = count(current, edit.find);
    if (n === 0) throw new ProposalRefused(`${where}: the text to find is not in the document`);
    if (n > 1) throw new ProposalRefused(`${where}: the text to find occurs ${n} times; it must occur exactly once`);
    const at = current.indexOf(edit.find);
    const end = at + edit.find.length;
    const inserted =
      edit.action === 'replace' ? edit.text : edit.action === 'insert_after' ? edit.find + edit.text : '';
    docs.set(edit.path, current.slice(0, at) + inserted + current.slice(end));
  });
  const next = [...docs.entries()].map(([p, t]) => ({ path: p, text: t }));
  if (kind === 'skill') skillCaps(next, binaries);
  return next;
}

/** The skill size caps and the name collisions the path policy forbids, as a refusal. */
function skillCaps(docs: Document[], binaries: SkillBinaries): void {
  for (const d of docs) {
    if (Buffer.byteLength(d.text) > SKILL_LIMITS.maxFileBytes) {
      throw new ProposalRefused(`${d.path} would exceed the ${SKILL_LIMITS.maxFileBytes}-byte cap per file`);
    }
  }
  const total = docs.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
  if (total > SKILL_LIMITS.maxTotalBytes)
    throw new ProposalRefused(`the skill would exceed ${SKILL_LIMITS.maxTotalBytes} bytes`);
  const problem = skillFilesProblem(Object.fromEntries(docs.map((d) => [d.path, d.text])), binaries);
  if (problem) throw new ProposalRefused(`edit refused: ${problem.message}`);
}
