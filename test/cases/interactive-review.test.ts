import { getCase, listCases, writeHarvest, type NewCase } from '../../src/cases/case-store';
import { reviewInteractively } from '../../src/cases/interactive-review';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { describeEachStore } from '../support/store-backends';

const NAME = 'chat';

function queued(id: string, input: string, correction: string | null): NewCase {
  return {
    caseId: id,
    version: 1,
    runId: `run-${id}`,
    kind: correction ? 'correction' : 'error',
    kinds: [correction ? 'correction' : 'error'],
    input,
    output: 'out',
    error: correction ? null : 'boom',
    correction,
    feedback: [],
    inputKey: null,
    simhash: null,
    duplicates: 0,
    runAt: new Date().toISOString(),
  };
}

/** The terminal review, driven by scripted answers in place of a person. */
describeEachStore('interactive review', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await recordVersion(db, NAME, { type: 'text', text: 'v1', variables: [] }, { rationale: 'r', author: 'ana' });
    await writeHarvest(db, {
      name: NAME,
      harvestId: 'h-1',
      previous: undefined,
      cursor: { runs: '0', feedback: '0' },
      cases: [
        queued('case-a', 'first', 'First!'),
        queued('case-b', 'second', null),
        queued('case-c', 'third', 'Third!'),
        queued('case-d', 'fourth', null),
        queued('case-e', 'fifth', null),
      ],
      merges: [],
      users: [],
    });
  });

  test('accept as is, refused then rejected with a reason, edited, a JSON assertion, skipped; a typo asks again', async () => {
    const answers = [
      'a', // case-a: the correction as it stands
      'a', // case-b: no correction → refused, asked again
      's',
      'e',
      'Third, edited', // case-c
      'x',
      'j',
      '{"type":"contains","value":"4"}', // case-d: a typo, then an assertion
      's', // case-e
    ];
    const said: string[] = [];
    const done = await reviewInteractively(db, NAME, {
      ask: () => Promise.resolve(answers.shift()!),
      say: (t) => said.push(t),
      reviewer: 'rita',
    });
    expect(answers).toEqual([]);
    expect(done).toEqual({ accepted: 3, rejected: 0, skipped: 2 });
    expect(said.join('\n')).toMatch(/not recorded: case "case-b" has no correction/);
    expect(said).toContain('answer a, e, j, r, s or q');
    expect(said.join('\n')).toMatch(/case-a {2}chat v1 {2}correction/);
    expect(await getCase(db, NAME, 'case-a')).toMatchObject({ status: 'accepted', expected: 'First!' });
    expect(await getCase(db, NAME, 'case-c')).toMatchObject({ status: 'accepted', expected: 'Third, edited' });
    expect(await getCase(db, NAME, 'case-d')).toMatchObject({
      status: 'accepted',
      expected: null,
      assertions: [{ type: 'contains', value: '4' }],
    });
    expect((await listCases(db, NAME)).map((c) => [c.caseId, c.status])).toEqual([
      ['case-b', 'skipped'],
      ['case-e', 'skipped'],
    ]);

    // Second pass: reject b with a reason (an empty one is refused, and b asked again), quit at e.
    const more = ['r', '', 'r', 'an outage'];
    const second = await reviewInteractively(db, NAME, {
      ask: () => Promise.resolve(more.shift() ?? 'q'),
      say: () => undefined,
      reviewer: 'rita',
    });
    expect(second).toEqual({ accepted: 0, rejected: 1, skipped: 0 });
    expect(await getCase(db, NAME, 'case-b')).toMatchObject({ status: 'rejected', reason: 'an outage' });
  });
});
