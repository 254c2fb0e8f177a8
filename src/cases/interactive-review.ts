import { LibraryError } from '../library/errors';
import type { Db } from '../store/db';
import { getCase, listCases, type ReviewCase } from './case-store';
import { formatCase } from './case-view';
import { acceptCase, rejectCase, skipCase, tendenciesFor } from './case-review';

const ANSWERS = ['a', 'e', 'j', 'r', 's', 'q'];

export interface Conversation {
  /** Asks a question and gives the typed line back (readline in a terminal, a script in tests). */
  ask(question: string): Promise<string>;
  say(text: string): void;
  reviewer: string;
}

/**
 * Works through the open cases of `name` one at a time: accept (the correction as it stands, an edited
 * expected output, or an assertion in JSON), reject with a reason, skip, or quit. A refused decision (no
 * correction to accept, an empty reason, bad JSON) is explained and the same case asked again. Returns how many
 * cases were accepted, rejected and skipped; the caller publishes the accepted ones.
 */
export async function reviewInteractively(
  db: Db,
  name: string,
  talk: Conversation,
): Promise<{ accepted: number; rejected: number; skipped: number }> {
  const done = { accepted: 0, rejected: 0, skipped: 0 };
  const queue = await listCases(db, name);
  if (queue.length === 0) talk.say(`the review queue of ${name} is empty: run \`refinery cases harvest ${name}\``);
  for (const [i, listed] of queue.entries()) {
    // Read again: another reviewer may have decided it since the queue was listed.
    const c = await getCase(db, name, listed.caseId);
    if (c.status !== 'pending' && c.status !== 'skipped') continue;
    talk.say(`\n(${i + 1}/${queue.length}) ${formatCase(c, await tendenciesFor(db, name, [c]))}`);
    // A refused decision is explained and the same case asked again.
    for (;;) {
      const answer = await choose(talk);
      if (answer === 'q') return done;
      try {
        await decide(db, name, c, answer, talk, done);
        break;
      } catch (err) {
        talk.say(`not recorded: ${err instanceof Error ? err.message : String(err)}`);
        // Decided by someone else meanwhile: nothing left to decide here.
        if (err instanceof LibraryError && err.status === 409) break;
      }
    }
  }
  return done;
}

async function choose(talk: Conversation): Promise<string> {
  for (;;) {
    const answer = (await talk.ask('[a]ccept, [e]dit expected, [j]son assertion, [r]eject, [s]kip, [q]uit: '))
      .trim()
      .toLowerCase();
    if (ANSWERS.includes(answer)) return answer;
    talk.say('answer a, e, j, r, s or q');
  }
}

async function decide(
  db: Db,
  name: string,
  c: ReviewCase,
  answer: string,
  talk: Conversation,
  done: { accepted: number; rejected: number; skipped: number },
): Promise<void> {
  if (answer === 'a') {
    await acceptCase(db, name, c.caseId, {}, talk.reviewer);
    done.accepted++;
  } else if (answer === 'e') {
    const typed = await talk.ask(`expected${c.correction ? ` [${c.correction}]` : ''}: `);
    await acceptCase(db, name, c.caseId, { expected: typed || c.correction || undefined }, talk.reviewer);
    done.accepted++;
  } else if (answer === 'j') {
    const raw = await talk.ask('assertion (JSON): ');
    let assertions: unknown;
    try {
      assertions = JSON.parse(raw);
    } catch {
      throw new Error('that is not JSON, e.g. {"type":"contains","value":"…"}');
    }
    await acceptCase(db, name, c.caseId, { assertions }, talk.reviewer);
    done.accepted++;
  } else if (answer === 'r') {
    await rejectCase(db, name, c.caseId, await talk.ask('reason: '), talk.reviewer);
    done.rejected++;
  } else {
    await skipCase(db, name, c.caseId, talk.reviewer);
    done.skipped++;
  }
}
