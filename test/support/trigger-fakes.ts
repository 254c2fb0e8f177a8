import { offlineTrigger } from '../../src/offline/trigger';
import { isTriggerRequest, parseTriggerPrompt, type SkillCard } from '../../src/skills/trigger';
import type { FakeReply, RecordedRequest, Responder } from '../fakes/fake-server-core';

/** True for a trigger request (the model is asked which skills it would load). */
export const isTrigger = (req: RecordedRequest) => isTriggerRequest(req.text);

/** The skills shown and the query of a trigger request, as the fake model read them. */
export const triggerShown = (req: RecordedRequest): { skills: SkillCard[]; query: string } =>
  parseTriggerPrompt(req.text);

/** A fake model's trigger answer: {"load": [names]}. */
export const loadReply = (names: string[]): FakeReply => ({
  text: JSON.stringify({ load: names }),
  inputTokens: 300,
  outputTokens: 12,
});

/**
 * A fake model that loads the skill whose description shares the most words with the query (the offline
 * provider's rule), answering trigger requests and passing any other request to `others`.
 */
export function keywordAgent(others?: Responder): Responder {
  return (req) => {
    if (isTrigger(req)) return loadReply(offlineTrigger(req.text).load);
    if (!others) throw new Error('the fake got a request that is not a trigger request');
    return others(req);
  };
}
