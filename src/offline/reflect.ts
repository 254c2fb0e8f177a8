import type { DocumentEdit, ImproverAnswer } from '../optimizer/document-edits';
import { parseReflectionPrompt, type ParsedReflection } from '../optimizer/reflection';
import { readTriggerOutput } from '../skills/trigger';

/**
 * The offline reflective improver: adds, as a line of the prompt, the first text a failing case asks for (its
 * expected text, or the value of a failing `contains` assertion; worst case first) that the documents do not hold. Offline, a prompt's answer echoes the prompt and the rubric judge looks for the
 * expected text, so the change fixes that case: the mechanism (failure → edit → better score) shows without a model.
 */
export function offlineReflect(prompt: string): ImproverAnswer {
  const parsed = parseReflectionPrompt(prompt);
  if (parsed.descriptionScope) return offlineDescription(parsed);
  const { kind, documents, failing } = parsed;
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

/**
 * A description tune offline: the first query the skill should have been loaded for and was not is added to the
 * description ("Use it for requests like: …"), so the offline trigger rule (shared words) then loads it. Only a
 * one-line description is edited; anything else gets no edit.
 */
function offlineDescription(parsed: ParsedReflection): ImproverAnswer {
  const md = parsed.documents.find((d) => d.path === 'SKILL.md')?.text ?? '';
  const line = /^description:[ \t]*(.*)$/m.exec(md);
  const missed = parsed.failing.find((f) => {
    const o = readTriggerOutput(f.output);
    return f.input !== undefined && o !== undefined && !o.candidateLoaded;
  });
  if (!line || !missed?.input) return { summary: 'nothing to add to the description', edits: [] };
  const current = line[1]!.trim().replace(/^(["'])(.*)\1$/, '$2');
  const next = `${current} Use it for requests like: ${missed.input.replace(/\s+/g, ' ').slice(0, 200)}`;
  return {
    summary: `The description names what case ${missed.caseId} asked for`,
    edits: [{ path: 'SKILL.md', action: 'replace', find: line[0], text: `description: ${JSON.stringify(next)}` }],
  };
}
