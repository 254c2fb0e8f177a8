import { countCases, getCase, listCases, userTendencies, type ReviewCase } from '../../src/cases/case-store';
import { harvestCases, type HarvestResult } from '../../src/cases/harvest';
import { acceptCase, publishAccepted, rejectCase, skipCase, SOURCE_TAG } from '../../src/cases/case-review';
import { recordFeedback, recordRuns, type FeedbackRecord, type RunRecord } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { addDatasetVersion, getDataset, getDatasetCases } from '../../src/store/evals';
import { describeEachStore } from '../support/store-backends';

const NAME = 'support';
let seq = 0;
const now = () => new Date().toISOString();

function run(version: number, input: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id: `run-${++seq}-${Date.now()}`,
    name: NAME,
    version,
    input,
    output: `answer to: ${input}`,
    corrected: false,
    regenerated: false,
    at: now(),
    ...extra,
  };
}

function feedback(r: RunRecord, extra: Partial<FeedbackRecord>): FeedbackRecord {
  return { id: `fb-${++seq}-${Date.now()}`, runId: r.id, at: now(), ...extra };
}

/**
 * On PostgreSQL a harvest reads only rows whose transaction is older than every one still open on the
 * server (other test files' included), so it may lag behind commits; it never reads a row twice. Harvests
 * until the queue holds `expected` open cases (or the deadline passes), summing what the harvests did.
 */
async function harvestUntil(db: Db, expected: number, limit?: number, deadlineMs = 20_000): Promise<HarvestResult> {
  const until = Date.now() + deadlineMs;
  const total = { runsRead: 0, feedbackRead: 0, queued: 0, duplicates: 0, alreadyReviewed: 0, merged: 0 };
  let last: HarvestResult;
  let firstHarvest: boolean | undefined;
  for (;;) {
    last = await harvestCases(db, NAME, { limit });
    firstHarvest ??= last.firstHarvest;
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += last[k];
    const open = await countCases(db, NAME);
    if (open.pending + open.skipped >= expected || Date.now() > until) return { ...last, ...total, firstHarvest };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeEachStore('harvest and review of production failures', (backend) => {
  let db: Db;

  beforeAll(async () => {
    db = await backend.open();
    for (const text of ['v1 text', 'v2 text', 'v3 text'])
      await recordVersion(db, NAME, { type: 'text', text, variables: [] }, { rationale: 'r', author: 'ana' });
  });

  it('refuses a name the library does not hold', async () => {
    await expect(harvestCases(db, 'nope')).rejects.toThrow(/no prompt or skill "nope"/);
  });

  it('queues the failures with their evidence, folds near-duplicates, reads from a cursor, stratifies and never re-offers reviewed inputs', async () => {
    // Good runs and one thumbs-up: nothing to harvest from them.
    const good = [run(2, 'How do I export my invoices as CSV?'), run(2, 'Where can I change my billing address?')];
    const thumbsDown = run(2, 'Please summarise this article about climate change in three bullet points');
    const nearDup = run(2, 'please summarize this article about climate change, in three bullet points!');
    const corrected = run(3, 'Translate "good morning" into French', { corrected: true, output: 'Buenos dias' });
    const errored = run(1, 'What is the refund policy for orders shipped to Canada?', { error: 'timeout' });
    const badFormat = run(3, 'Give me the order status as JSON', { formatOk: false, output: 'status: shipped' });
    const regenerated = run(3, 'Write a short apology email for a late delivery', { regenerated: true });
    await recordRuns(db, [...good, thumbsDown, nearDup, corrected, errored, badFormat, regenerated]);
    await recordFeedback(db, [
      feedback(good[0]!, { thumbs: 'up', userId: 'u-kind' }),
      feedback(thumbsDown, { thumbs: 'down', comment: 'too long', userId: 'u-grumpy' }),
      feedback(nearDup, { rating: 1, userId: 'u-grumpy' }),
      feedback(corrected, { correction: 'Bonjour', userId: 'u-kind' }),
    ]);

    const first = await harvestUntil(db, 5);
    expect(first.firstHarvest).toBe(true);
    const open = await listCases(db, NAME);
    // Six failed runs; the near-identical summarise request is folded into the first one.
    expect(open).toHaveLength(5);
    expect(first.duplicates).toBe(1);
    const byRun = (id: string) => open.find((c) => c.runId === id)!;
    const fr = byRun(corrected.id);
    expect(fr).toMatchObject({
      version: 3,
      kind: 'correction',
      input: corrected.input,
      output: 'Buenos dias',
      correction: 'Bonjour',
      status: 'pending',
    });
    expect(fr.feedback).toEqual([expect.objectContaining({ correction: 'Bonjour', userId: 'u-kind' })]);
    const summary = byRun(thumbsDown.id);
    expect(summary).toMatchObject({ kind: 'thumbs-down', duplicates: 1 });
    expect(summary.kinds).toEqual(['thumbs-down', 'low-rating']);
    expect(summary.feedback.map((f) => f.userId)).toEqual(['u-grumpy', 'u-grumpy']);
    expect(byRun(errored.id)).toMatchObject({ version: 1, kind: 'error', error: 'timeout' });
    expect(byRun(badFormat.id).kind).toBe('format-failure');
    expect(byRun(regenerated.id).kind).toBe('regeneration');

    // Per-user tendencies from every feedback row, the thumbs-up included, against everyone's.
    const tendencies = await userTendencies(db, NAME, ['u-grumpy', 'u-kind']);
    expect(tendencies.find((t) => t.userId === 'u-grumpy')).toMatchObject({ votes: 1, thumbsDownShare: 1, ratings: 1 });
    expect(tendencies.find((t) => t.userId === 'u-kind')).toMatchObject({ votes: 1, thumbsDownShare: 0 });
    expect(tendencies.find((t) => t.userId === '*')).toMatchObject({ votes: 2, thumbsDownShare: 0.5 });

    // The cursor: a harvest with nothing new reads nothing and queues nothing.
    const again = await harvestCases(db, NAME);
    expect({ runs: again.runsRead, feedback: again.feedbackRead, queued: again.queued }).toEqual({
      runs: 0,
      feedback: 0,
      queued: 0,
    });

    // Late feedback on a queued run is merged into its case, not queued again.
    await recordFeedback(db, [feedback(errored, { thumbs: 'down', userId: 'u-grumpy' })]);
    // The queue already holds 5 cases, so poll for the merge itself (on PostgreSQL a harvest may lag).
    let queuedLate = 0;
    let erroredCase = await getCase(db, NAME, byRun(errored.id).caseId);
    for (const until = Date.now() + 20_000; erroredCase.feedback.length === 0 && Date.now() < until;) {
      queuedLate += (await harvestCases(db, NAME)).queued;
      erroredCase = await getCase(db, NAME, erroredCase.caseId);
    }
    expect(queuedLate).toBe(0);
    expect(erroredCase.kinds).toEqual(['thumbs-down', 'error']);
    expect(erroredCase.feedback).toHaveLength(1);

    // Review: reject the summary with a reason, accept the correction (edited), skip the error.
    await expect(rejectCase(db, NAME, summary.caseId, ' ', 'rita')).rejects.toThrow(/needs a reason/);
    await rejectCase(db, NAME, summary.caseId, 'the user wanted a different article', 'rita');
    await acceptCase(db, NAME, fr.caseId, { expected: 'Bonjour !' }, 'rita');
    await expect(acceptCase(db, NAME, fr.caseId, {}, 'rita')).rejects.toThrow(/accepted already/);
    await expect(acceptCase(db, NAME, byRun(regenerated.id).caseId, {}, 'rita')).rejects.toThrow(/no correction/);
    await acceptCase(db, NAME, byRun(badFormat.id).caseId, { assertions: [{ type: 'is-json' }] }, 'rita');
    await expect(
      acceptCase(db, NAME, byRun(regenerated.id).caseId, { assertions: [{ type: 'nonsense' }] }, 'rita'),
    ).rejects.toThrow(/assertions/);
    await skipCase(db, NAME, erroredCase.caseId, 'rita');
    const rejected = await getCase(db, NAME, summary.caseId);
    expect(rejected).toMatchObject({
      status: 'rejected',
      reason: 'the user wanted a different article',
      reviewer: 'rita',
    });
    // Skipped cases stay in the queue, after the pending ones.
    const queue = await listCases(db, NAME);
    expect(queue.map((c) => c.status)).toEqual(['pending', 'skipped']);

    // Rejected and accepted inputs are not offered again, even reworded; a new input is.
    const repeat = [
      run(3, 'Please summarize this article about climate change in three bullet points', { error: 'boom' }),
      run(3, 'translate "good morning" into french', { corrected: true }),
      run(3, 'How do I reset my password on the mobile app?', { error: 'boom' }),
    ];
    await recordRuns(db, repeat);
    const later = await harvestUntil(db, 3);
    expect(later.alreadyReviewed).toBe(2);
    expect(later.queued).toBe(1);
    expect((await listCases(db, NAME)).map((c) => c.input)).toContain(repeat[2]!.input);

    // Accepted cases form a new version of the name's dataset, tagged by source; nothing else enters it.
    await addDatasetVersion(db, {
      name: 'support-golden',
      cases: [
        { id: 'g1', vars: { input: 'hi' }, input: 'hi', expected: 'hello', assertions: [], tags: [], required: true },
      ],
      target: NAME,
      source: 'test',
      author: 'ana',
    });
    const published = await publishAccepted(db, NAME, { author: 'rita' });
    expect(published).toMatchObject({ added: 2, dataset: { name: 'support-golden', version: 2 } });
    const cases = await getDatasetCases(db, 'support-golden', 2);
    expect(cases.map((c) => c.id)).toEqual([
      'g1',
      expect.stringMatching(/^production-/),
      expect.stringMatching(/^production-/),
    ]);
    const translated = cases.find((c) => c.input === corrected.input)!;
    expect(translated).toMatchObject({ expected: 'Bonjour !', assertions: [] });
    expect(translated.tags).toEqual([SOURCE_TAG, 'failure:correction', 'version:3']);
    expect(cases.find((c) => c.input === badFormat.input)).toMatchObject({ assertions: [{ type: 'is-json' }] });
    expect((await getDataset(db, 'support-golden'))!.source).toContain(SOURCE_TAG);
    expect(await getCase(db, NAME, fr.caseId)).toMatchObject({ dataset: 'support-golden', datasetVersion: 2 });
    // Published once: nothing accepted since, no new version.
    expect(await publishAccepted(db, NAME, { author: 'rita' })).toBeUndefined();
  });

  it('samples stratified by version and failure kind when there are more failures than the limit', async () => {
    const name = 'strata';
    for (const text of ['a', 'b'])
      await recordVersion(db, name, { type: 'text', text, variables: [] }, { rationale: 'r', author: 'ana' });
    // 40 errors on v1, 40 format failures on v2, 2 regenerations on v2: distinct inputs each.
    const rs: RunRecord[] = [];
    for (let i = 0; i < 40; i++) {
      rs.push({ ...run(1, `error case ${i} ${'lorem ipsum '.repeat(i % 7)} ${i * 7919}`, { error: 'x' }), name });
      rs.push({ ...run(2, `format case ${i} ${'dolor sit '.repeat(i % 5)} ${i * 104729}`, { formatOk: false }), name });
    }
    rs.push({ ...run(2, 'regenerate me please, the first answer was wrong', { regenerated: true }), name });
    rs.push({ ...run(2, 'another regeneration about a totally different topic', { regenerated: true }), name });
    await recordRuns(db, rs);
    const until = Date.now() + 20_000;
    let result: HarvestResult;
    let seen = 0;
    do {
      result = await harvestCases(db, name, { limit: 10 });
      seen += result.runsRead;
    } while (seen < 82 && Date.now() < until && (await new Promise((r) => setTimeout(r, 50)), true));
    const queued: ReviewCase[] = await listCases(db, name);
    expect(queued).toHaveLength(10);
    const count = (v: number, kind: string) => queued.filter((c) => c.version === v && c.kind === kind).length;
    // Equal allocation: the rare stratum is taken whole, the two large ones share the rest.
    expect(count(2, 'regeneration')).toBe(2);
    expect(count(2, 'format-failure')).toBe(4);
    expect(count(1, 'error')).toBe(4);
  });
});
