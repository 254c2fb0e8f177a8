import type { DocumentEdit, ImproverAnswer } from '../optimizer/document-edits';
import { parseReflectionPrompt } from '../optimizer/reflection';

/**
 * The offline reflective improver: adds, as a line of the prompt, the first text a failing case asks for (its
 * expected text, or the value of a failing `contains` assertion; worst case first) that the documents do not hold. Offline, a prompt's answer echoes the prompt and the rubric judge looks for the
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
  const lessons = failing.flatMap((f) => f.wanted.map((w) => ({ caseId: f.caseId, line: w.trim() })));
  const lesson = lessons.find((l) => l.line && !all.includes(l.line));
  if (!target || !lesson) return { summary: 'nothing to add: every expectation is in the prompt', edits: [] };
  const line = lesson.line;
  const edit: DocumentEdit = {
    path: target.path,
    action: 'append',
    text: target.text.endsWith('\n') ? `${line}\n` : `\n${line}`,
  };
  return { summary: `Adds what case ${lesson.caseId} expected: "${line.slice(0, 80)}"`, edits: [edit] };
}
