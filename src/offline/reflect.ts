import type { DocumentEdit, ImproverAnswer } from '../optimizer/document-edits';
import { parseReflectionPrompt } from '../optimizer/reflection';

/**
 * The offline reflective improver: adds, as a line of the prompt, the expected text of the worst failing case that
 * the documents do not hold yet. Offline, a prompt's answer echoes the prompt and the rubric judge looks for the
 * expected text, so the change fixes that case: the mechanism (failure → edit → better score) shows without a model.
 */
export function offlineReflect(prompt: string): ImproverAnswer {
  const { kind, documents, failing } = parseReflectionPrompt(prompt);
  const target =
    kind === 'skill'
      ? (documents.find((d) => d.path === 'SKILL.md') ?? documents[0])
      : // A chat prompt's echo is its user turns: the line goes into the last message that is not a system one.
        ([...documents].reverse().find((d) => !d.path.endsWith('-system.md')) ?? documents[documents.length - 1]);
  const all = documents.map((d) => d.text).join('\n');
  const lesson = failing.find((f) => f.expected && f.expected.trim() && !all.includes(f.expected));
  if (!target || !lesson?.expected) return { summary: 'nothing to add: every expectation is in the prompt', edits: [] };
  const line = lesson.expected.trim();
  const edit: DocumentEdit = {
    path: target.path,
    action: 'append',
    text: target.text.endsWith('\n') ? `${line}\n` : `\n${line}`,
  };
  return { summary: `Adds what case ${lesson.caseId} expected: "${line.slice(0, 80)}"`, edits: [edit] };
}
