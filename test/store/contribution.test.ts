import { decideCase, writeHarvest, type CaseFeedback, type NewCase } from '../../src/cases/case-store';
import { contributionsByPerson } from '../../src/library/contribution';
import { contributionsByItem } from '../../src/library/contribution-store';
import { moveLabel } from '../../src/library/label-store';
import { searchLibrary } from '../../src/library/search';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { createOptimizeRun, recordOptimizeEvidence } from '../../src/store/optimize-runs';
import { describeEachStore } from '../support/store-backends';

const admin = { subject: 'admin', admin: true, ownerRole: true };
const text = (t: string) => ({ type: 'text' as const, text: `${t} {{q}}`, variables: ['q'] });

/** Waits out the current millisecond, so the next stored timestamp is strictly later than `now`. */
function nextMillisecond(): string {
  const now = new Date().toISOString();
  while (new Date().toISOString() <= now);
  return new Date().toISOString();
}

const fb = (id: string): CaseFeedback => ({
  id,
  thumbs: 'down',
  rating: null,
  correction: null,
  comment: null,
  userId: null,
  at: '2026-01-01T00:00:00.000Z',
});
const newCase = (caseId: string, feedback: CaseFeedback[]): NewCase => ({
  caseId,
  version: 1,
  runId: null,
  kind: 'thumbs-down',
  kinds: ['thumbs-down'],
  input: `input of ${caseId}`,
  output: 'output',
  error: null,
  correction: null,
  feedback,
  inputKey: caseId,
  simhash: null,
  duplicates: 0,
  runAt: '2026-01-01T00:00:00.000Z',
});

async function shipOptimized(db: Db, version: number) {
  await createOptimizeRun(db, {
    runId: 'opt-1',
    workflowId: 'optimize-support-1',
    name: 'support',
    settings: {},
    startedBy: 'carol',
  });
  const interval = { mean: 0.9, low: 0.8, high: 1, n: 10 };
  await recordOptimizeEvidence(db, {
    runId: 'opt-1',
    name: 'support',
    version,
    hash: 'h',
    parentVersion: 2,
    dataset: { name: 'support-golden', version: 1 },
    heldOut: true,
    validation: { chosen: interval, original: interval },
    spent: { usd: 0, calls: 0 },
    budget: {},
    projected: { usd: 0, calls: 0 },
    reportRef: 'r',
    recordedAt: new Date().toISOString(),
  });
}

describeEachStore('contribution per person', (backend) => {
  let db: Db;
  let afterFirstShip: string;

  beforeAll(async () => {
    db = await backend.open();
    await recordVersion(db, 'support', text('v1'), { rationale: 'first', author: 'alice', item: { owner: 'alice' } });
    await recordVersion(db, 'support', text('v2'), { rationale: 'cite docs', author: 'alice' });
    // v3 is the chosen version of carol's optimizer run: the improvement is carol's, the version its author's.
    await recordVersion(db, 'support', text('v3'), { rationale: 'optimized', author: 'improver:fake:model' });
    await recordVersion(db, 'notes', text('n1'), { rationale: 'first', author: 'bob', item: { owner: 'bob' } });
    await moveLabel(db, { name: 'support', label: 'production', version: 1, actor: admin, reason: 'ship' });
    // A label other than production is not shipping.
    await moveLabel(db, { name: 'notes', label: 'staging', version: 1, actor: admin, reason: 'try' });
    afterFirstShip = nextMillisecond();
    // A window's end is inclusive: what follows is stored strictly after the boundary, even on a machine fast
    // enough to review a case within the boundary's millisecond.
    nextMillisecond();

    await writeHarvest(db, {
      name: 'support',
      harvestId: 'harvest-1',
      previous: undefined,
      cursor: { runs: '0', feedback: '0' },
      // fb-2 is on two cases: resolved once.
      cases: [
        newCase('case-a', [fb('fb-1'), fb('fb-2')]),
        newCase('case-b', [fb('fb-2'), fb('fb-3')]),
        newCase('case-c', [fb('fb-4')]),
        newCase('case-d', [fb('fb-5')]),
      ],
      merges: [],
      users: [],
    });
    await decideCase(db, 'support', 'case-a', { status: 'accepted', expected: 'x', assertions: null }, 'dana');
    await decideCase(db, 'support', 'case-b', { status: 'accepted', expected: 'y', assertions: null }, 'dana');
    await decideCase(db, 'support', 'case-c', { status: 'rejected', reason: 'rater noise' }, 'erin');
    // case-d stays pending.
    nextMillisecond();
    await moveLabel(db, { name: 'support', label: 'production', version: 2, actor: admin, reason: 'ship v2' });
    await shipOptimized(db, 3);
    await moveLabel(db, { name: 'support', label: 'production', version: 3, actor: admin, reason: 'ship v3' });
    // A rollback and a second promotion of v2 do not count v2 twice.
    await moveLabel(db, { name: 'support', label: 'production', version: 2, actor: admin, reason: 'rollback' });
  });

  test('all time: versions authored that reached production, improvements, accepted cases, feedback resolved', async () => {
    expect(contributionsByPerson(await contributionsByItem(db))).toEqual([
      { person: 'dana', versionsToProduction: 0, improvementsShipped: 0, casesContributed: 2, feedbackResolved: 3 },
      { person: 'alice', versionsToProduction: 2, improvementsShipped: 0, casesContributed: 0, feedbackResolved: 0 },
      { person: 'carol', versionsToProduction: 0, improvementsShipped: 1, casesContributed: 0, feedbackResolved: 0 },
      {
        person: 'improver:fake:model',
        versionsToProduction: 1,
        improvementsShipped: 0,
        casesContributed: 0,
        feedbackResolved: 0,
      },
    ]);
  });

  test('a window counts what completed in it: v1 shipped before it, everything else inside', async () => {
    const people = contributionsByPerson(await contributionsByItem(db, { since: afterFirstShip }));
    expect(people.find((p) => p.person === 'alice')).toMatchObject({ versionsToProduction: 1 });
    expect(people.find((p) => p.person === 'dana')).toMatchObject({ casesContributed: 2, feedbackResolved: 3 });
    expect(await contributionsByItem(db, { until: afterFirstShip })).toEqual([
      {
        person: 'alice',
        name: 'support',
        versionsToProduction: 1,
        improvementsShipped: 0,
        casesContributed: 0,
        feedbackResolved: 0,
      },
    ]);
  });

  test('per item: notes has no contribution yet; library search shows each hit its own', async () => {
    expect(await contributionsByItem(db, { names: ['notes'] })).toEqual([]);
    expect(await contributionsByItem(db, { names: [] })).toEqual([]);
    const hits = await searchLibrary(db, {});
    expect(hits.map((h) => [h.name, h.contribution.map((c) => c.person)])).toEqual([
      ['notes', []],
      ['support', ['dana', 'alice', 'carol', 'improver:fake:model']],
    ]);
  });

  test('feedback is resolved only when a newer version ships after the review', async () => {
    const late = await backend.open();
    await recordVersion(late, 'faq', text('f1'), { rationale: 'first', author: 'alice', item: { owner: 'alice' } });
    await recordVersion(late, 'faq', text('f2'), { rationale: 'second', author: 'alice' });
    await moveLabel(late, { name: 'faq', label: 'production', version: 2, actor: admin, reason: 'ship' });
    nextMillisecond();
    await writeHarvest(late, {
      name: 'faq',
      harvestId: 'harvest-faq',
      previous: undefined,
      cursor: { runs: '0', feedback: '0' },
      cases: [newCase('faq-a', [fb('fb-9')])],
      merges: [],
      users: [],
    });
    await decideCase(late, 'faq', 'faq-a', { status: 'accepted', expected: 'x', assertions: null }, 'dana');
    // v2 was production before the review: the case is accepted, its feedback not yet resolved.
    expect(contributionsByPerson(await contributionsByItem(late))).toContainEqual({
      person: 'dana',
      versionsToProduction: 0,
      improvementsShipped: 0,
      casesContributed: 1,
      feedbackResolved: 0,
    });
  });
});
