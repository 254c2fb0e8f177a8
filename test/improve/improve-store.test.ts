import { improveActivities } from '../../src/activities/improve';
import { getAlert } from '../../src/calendar/alerts/alert-store';
import { getHarvestCursor, writeHarvest, type NewCase } from '../../src/cases/case-store';
import type { CheckOutcome } from '../../src/improve/types';
import { acceptCase, publishAccepted, rejectCase } from '../../src/cases/case-review';
import {
  failureCounts,
  getFeedback,
  getImproveStep,
  markNotified,
  publishedCases,
  putImproveStep,
  resolvedFeedbackByUser,
  resolveShippedFeedback,
  unnotifiedResolutions,
} from '../../src/improve/improve-store';
import { recordFeedback, recordRuns } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { describeEachStore } from '../support/store-backends';

const NAME = 'helpdesk';
const T0 = '2026-01-01T00:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

function newCase(id: string, feedback: { id: string; userId: string | null }[]): NewCase {
  return {
    caseId: id,
    version: 1,
    runId: null,
    kind: 'thumbs-down',
    kinds: ['thumbs-down', 'low-rating'],
    input: `question ${id}`,
    output: 'bad answer',
    error: null,
    correction: `good answer ${id}`,
    feedback: feedback.map((f) => ({ ...f, thumbs: 'down', rating: 1, correction: null, comment: null, at: T0 })),
    inputKey: null,
    simhash: null,
    duplicates: 0,
    runAt: T0,
  };
}

describeEachStore('improve store: step results, failure counts, feedback resolutions', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    for (const text of ['one', 'two'])
      await recordVersion(db, NAME, { type: 'text', text, variables: [] }, { rationale: 'r', author: 'ana' });
  });

  test('a step result is stored once: a retried write keeps the first', async () => {
    expect(await getImproveStep(db, 'run-a', 'publish')).toBeUndefined();
    expect(await putImproveStep(db, 'run-a', NAME, 'publish', { version: 3 })).toEqual({ version: 3 });
    expect(await putImproveStep(db, 'run-a', NAME, 'publish', { version: 4 })).toEqual({ version: 3 });
    // null is a result too (the review accepted nothing), told apart from "not run yet"
    expect(await putImproveStep(db, 'run-b', NAME, 'publish', null)).toBeNull();
    expect(await getImproveStep(db, 'run-b', 'publish')).toBeNull();
  });

  test('failure counts per kind over a window, by version, from runs and feedback', async () => {
    const base = { name: NAME, corrected: false, regenerated: false };
    await recordRuns(db, [
      { ...base, id: 'fc-run-1', version: 1, at: at(1), formatOk: false },
      { ...base, id: 'fc-run-2', version: 1, at: at(2), error: 'boom' },
      { ...base, id: 'fc-run-3', version: 1, at: at(3), corrected: true, regenerated: true },
      { ...base, id: 'fc-run-4', version: 1, at: at(4) },
      { ...base, id: 'fc-run-5', version: 1, at: at(100) }, // outside the window
      { ...base, id: 'fc-run-6', version: 2, at: at(5) }, // another version
    ]);
    await recordFeedback(db, [
      { id: 'fc-fb-1', runId: 'fc-run-4', thumbs: 'down', at: at(4) },
      { id: 'fc-fb-2', runId: 'fc-run-1', rating: 2, at: at(4) },
      { id: 'fc-fb-3', runId: 'fc-run-2', rating: 5, thumbs: 'up', at: at(4) },
    ]);
    const c = await failureCounts(db, NAME, 1, at(0), at(10));
    expect(c.runs).toBe(4);
    expect(c.feedback).toBe(3);
    expect(c.counts).toEqual({
      correction: 1,
      'thumbs-down': 1,
      'low-rating': 1,
      regeneration: 1,
      'format-failure': 1,
      error: 1,
    });
    expect((await failureCounts(db, NAME, 2, at(0), at(10))).runs).toBe(1);
    expect((await failureCounts(db, NAME, 1, at(10), at(20))).runs).toBe(0);
  });

  test('feedback of accepted, shipped cases is resolved once, with the first fixing version; rejected stays open', async () => {
    await recordFeedback(db, [
      { id: 'rs-fb-1', name: NAME, version: 1, thumbs: 'down', userId: 'u1' },
      { id: 'rs-fb-2', name: NAME, version: 1, thumbs: 'down', userId: 'u2' },
      { id: 'rs-fb-3', name: NAME, version: 1, thumbs: 'down', userId: 'u1' },
    ]);
    const previous = await getHarvestCursor(db, NAME);
    await writeHarvest(db, {
      name: NAME,
      harvestId: 'harvest-rs',
      previous,
      cursor: previous ?? { runs: '0', feedback: '0' },
      cases: [
        newCase('case-rs-a', [
          { id: 'rs-fb-1', userId: 'u1' },
          { id: 'rs-fb-2', userId: 'u2' },
        ]),
        newCase('case-rs-b', [{ id: 'rs-fb-3', userId: 'u1' }]),
      ],
      merges: [],
      users: [],
    });
    await acceptCase(db, NAME, 'case-rs-a', {}, 'olga');
    await rejectCase(db, NAME, 'case-rs-b', 'the user wanted something else', 'olga');
    const published = (await publishAccepted(db, NAME, { author: 'olga' }))!;
    expect(published.added).toBe(1);
    const ds = published.dataset;
    expect(await publishedCases(db, NAME, ds.name, ds.version)).toEqual({
      kinds: ['thumbs-down', 'low-rating'],
      added: 1,
    });

    const p = { name: NAME, version: 2, dataset: ds.name, datasetVersion: ds.version, runId: 'imp-1' };
    expect(await resolveShippedFeedback(db, p)).toEqual({ resolved: 2 });
    // a retry (or a later run shipping v3) changes nothing: the first fix stands
    expect(await resolveShippedFeedback(db, p)).toEqual({ resolved: 0 });
    expect(await resolveShippedFeedback(db, { ...p, version: 3, runId: 'imp-2' })).toEqual({ resolved: 0 });

    const shown = await getFeedback(db, 'rs-fb-1');
    expect(shown).toMatchObject({ id: 'rs-fb-1', name: NAME, version: 1, thumbs: 'down', userId: 'u1' });
    expect(shown!.resolution).toMatchObject({
      version: 2,
      caseId: 'case-rs-a',
      improveRunId: 'imp-1',
      notifiedAt: null,
    });
    expect((await getFeedback(db, 'rs-fb-3'))!.resolution).toBeNull();
    expect(await getFeedback(db, 'no-such-feedback')).toBeUndefined();

    expect(await resolvedFeedbackByUser(db, { name: NAME })).toEqual({ u1: 1, u2: 1 });

    const pending = await unnotifiedResolutions(db, 'imp-1');
    expect(pending.map((r) => r.feedbackId)).toEqual(['rs-fb-1', 'rs-fb-2']);
    await markNotified(db, ['rs-fb-1']);
    expect((await unnotifiedResolutions(db, 'imp-1')).map((r) => r.feedbackId)).toEqual(['rs-fb-2']);
    expect((await getFeedback(db, 'rs-fb-1'))!.resolution!.notifiedAt).not.toBeNull();
  });

  test('a check whose failures did not fall opens one alert, however often the activity is retried', async () => {
    const acts = improveActivities(db, { admins: [] });
    const outcome: CheckOutcome = {
      verdict: 'not-improved',
      kinds: [{ kind: 'thumbs-down', before: 0.2, after: 0.3, fell: false }],
      before: { version: 1, from: at(0), to: at(10), runs: 100 },
      after: { version: 2, from: at(20), to: at(30), runs: 80 },
      detail: 'did not fall: thumbs-down (thumbs-down 20% → 30%)',
    };
    const first = await acts.recordImproveCheck({ runId: 'imp-alert', name: NAME, outcome });
    const again = await acts.recordImproveCheck({ runId: 'imp-alert', name: NAME, outcome });
    expect(first.alertId).toBeDefined();
    expect(again).toEqual(first);
    const alert = await getAlert(db, first.alertId!);
    expect(alert).toMatchObject({ name: NAME, version: 2, signal: 'post-rollout-check', status: 'open' });
    expect(alert!.detail).toContain('imp-alert');
    const improved = await acts.recordImproveCheck({
      runId: 'imp-fine',
      name: NAME,
      outcome: { ...outcome, verdict: 'improved' },
    });
    expect(improved.alertId).toBeUndefined();
  });
});
