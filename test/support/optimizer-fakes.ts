import type { DocumentEdit, ImproverAnswer } from '../../src/optimizer/document-edits';
import { offlineReflect } from '../../src/offline/reflect';
import { parseReflectionPrompt, REFLECT_TAG, type ParsedReflection } from '../../src/optimizer/reflection';
import type { FakeReply, RecordedRequest, Responder } from '../fakes/fake-server-core';

/**
 * The optimizer's reflective improver on the fake servers: tests script its answers (edits on the documents it
 * was shown) and let every other request fall through to their own responder.
 */

/** True for a request from the optimizer's reflective improver (not the tune loop's improver, not a case). */
export const isReflection = (req: RecordedRequest) => req.text.includes(REFLECT_TAG);

/** The documents and failing cases a reflection request showed. */
export const reflectionOf = (req: RecordedRequest): ParsedReflection => parseReflectionPrompt(req.text);

/** The improver's JSON answer as a fake reply. */
export function improverReply(
  answer: ImproverAnswer,
  usage: { inputTokens?: number; outputTokens?: number } = {},
): FakeReply {
  return {
    text: JSON.stringify(answer),
    inputTokens: usage.inputTokens ?? 1000,
    outputTokens: usage.outputTokens ?? 200,
  };
}

/** One edit that appends a line to a document (the first one shown unless a path is given). */
export function appendLine(shown: ParsedReflection, line: string, path?: string): DocumentEdit {
  const target = path ?? shown.documents[0]?.path ?? 'prompt.md';
  return { path: target, action: 'append', text: `\n${line}` };
}

export type ImproverScript =
  | readonly (ImproverAnswer | FakeReply)[]
  | ((shown: ParsedReflection, req: RecordedRequest, index: number) => ImproverAnswer | FakeReply);

const isAnswer = (a: ImproverAnswer | FakeReply): a is ImproverAnswer => 'edits' in a;

/**
 * A responder that answers reflection requests from the script (a list: the n-th request gets the n-th entry,
 * the last repeats; a function: computed from what was shown) and passes every other request to `others`.
 * Without a script entry a reflection gets what the offline improver would answer.
 */
export function scriptedImprover(script: ImproverScript, others: Responder): Responder {
  let index = 0;
  return (req) => {
    if (!isReflection(req)) return others(req);
    const n = index++;
    const shown = reflectionOf(req);
    const entry =
      typeof script === 'function'
        ? script(shown, req, n)
        : script.length
          ? script[Math.min(n, script.length - 1)]!
          : undefined;
    if (!entry) return improverReply(offlineReflect(req.text));
    return isAnswer(entry) ? improverReply(entry) : entry;
  };
}
