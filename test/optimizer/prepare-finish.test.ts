import { ApplicationFailure } from '@temporalio/common';
import { finishOptimizeRunActivity, CANDIDATE_LABEL } from '../../src/activities/optimize/finish';
import { prepareOptimizeRunActivity } from '../../src/activities/optimize/prepare';
import { contentHash, type LibraryContent } from '../../src/library/content';
import { getLabels, labelHistory } from '../../src/library/label-store';
import { getVersion, listVersions, recordVersion } from '../../src/library/versions';
import type { FinishOptimizeInput, PrepareOptimizeInput } from '../../src/optimizer/activity-types';
import { scoreInterval } from '../../src/optimizer/intervals';
import { DEFAULT_SPLIT } from '../../src/optimizer/split';
import type { CandidateRef, OptimizeInput } from '../../src/optimizer/types';
import { getBlob, getJson, putBlob } from '../../src/store/blobs';
import type { Db } from '../../src/store/db';
import { addDatasetVersion } from '../../src/store/evals';
import { optimizeEvidence, optimizeEvidenceOfRun, optimizeRunStartedAt } from '../../src/store/optimize-runs';
import { describeEachStore } from '../support/store-backends';

const ORIGINAL: LibraryContent = { type: 'text', text: 'Greet {{input}}.\n', variables: ['input'] };
const CHILD: LibraryContent = { type: 'text', text: 'Greet {{input}} warmly, by name.\n', variables: ['input'] };

const settings: OptimizeInput['settings'] = {
  seed: 3,
  minibatchSize: 3,
  repeat: 2,
  alpha: 0.05,
  parallel: 2,
  maxRounds: 4,
  threshold: 95,
  patience: 2,
  budget: { calls: 500 },
  executor: { provider: 'offline', model: 'offline-executor' },
  judge: { provider: 'offline', model: 'offline-judge' },
  improver: { provider: 'offline', model: 'offline-improver' },
  changeBudget: { lines: 10, bytes: 1000 },
  reflectionTokens: 2000,
  decisionTimeoutMs: 60_000,
  dryRun: false,
  thenRollout: false,
  outputDir: '/home/ana/project',
};

const cases = Array.from({ length: 20 }, (_, i) => ({
  id: `case-${i}`,
  vars: { input: `person ${i}` },
  input: `person ${i}`,
  assertions: i % 4 === 0 ? [{ type: 'rubric', rubric: 'warm' }] : [{ type: 'contains', value: 'Hello' }],
  tags: [i % 2 ? 'formal' : 'casual'],
  required: false,
}));

const models = {
  executor: { provider: 'offline' as const, model: 'claude-haiku-4-5' },
  judge: { provider: 'offline' as const, model: 'gemini-2.5-flash' },
  improver: { provider: 'offline' as const, model: 'claude-sonnet-4-5' },
  maxOutputTokens: 256,
};

let seq = 0;
describeEachStore('optimize run: prepare and finish', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await addDatasetVersion(db, { name: 'greet-cases', cases, source: 'test', author: 'ana' });
  });

  /** A fresh library item at version 1 (its own name, so tests do not share labels), and its run input. */
  async function setup(over: Partial<OptimizeInput['settings']> = {}) {
    const name = `greet-${++seq}`;
    await recordVersion(db, name, ORIGINAL, { rationale: 'first', author: 'ana' });
    const runId = `opt-${backend.name}-${seq}`;
    const input: OptimizeInput = {
      runId,
      target: { name, version: 1, kind: 'text' },
      dataset: { name: 'greet-cases', version: 1 },
      split: { seed: 11, ...DEFAULT_SPLIT },
      settings: { ...settings, ...over },
      startedBy: 'ana',
    };
    const prepare: PrepareOptimizeInput = { runId, workflowId: `wf-${runId}`, input, models };
    return { name, runId, input, prepare };
  }

  async function finishInput(
    s: Awaited<ReturnType<typeof setup>>,
    original: CandidateRef,
    chosenContent: LibraryContent | undefined,
  ): Promise<FinishOptimizeInput> {
    const prepared = await prepareOptimizeRunActivity(db)(s.prepare);
    const val = prepared.split.validation;
    const origScores = val.map((_, i) => (i % 2 ? 0.5 : 0));
    const accepted = [
      {
        ref: original,
        round: 0,
        summary: '',
        validation: Object.fromEntries(val.map((id, i) => [id, origScores[i]!])),
        interval: scoreInterval(origScores),
      },
    ];
    let chosen = original;
    if (chosenContent) {
      chosen = { hash: contentHash(chosenContent), ref: await putBlob(db, JSON.stringify(chosenContent)) };
      const childScores = val.map(() => 1);
      accepted.push({
        ref: chosen,
        parent: original.hash,
        round: 1,
        summary: 'greet warmly, by name',
        validation: Object.fromEntries(val.map((id) => [id, 1])),
        interval: scoreInterval(childScores),
      } as (typeof accepted)[number]);
    }
    return {
      runId: s.runId,
      input: s.input,
      state: {
        round: 2,
        accepted,
        lineage: [],
        lineageCount: 1,
        evaluationFailures: 0,
        validationCost: { calls: 10, usd: 0.01 },
        maxRounds: 5,
        proposals: 2,
        acceptances: accepted.length - 1,
        spent: { calls: 120, usd: 0.42 },
        roundsWithoutAcceptance: 1,
        consecutiveErrors: 0,
        stop: 'converged',
      },
      split: prepared.split,
      chosen,
      original,
      test: { chosen: scoreInterval([1, 1, 0.5]), original: scoreInterval([0, 0.5, 0.5]) },
      projection: prepared.projection,
      budget: s.input.settings.budget,
      warnings: [],
      lineage: [],
    };
  }

  it('prepare stores the original as a candidate blob, splits the dataset, projects, and records the run', async () => {
    const s = await setup();
    const prepare = prepareOptimizeRunActivity(db);
    const r = await prepare(s.prepare);
    expect(r.original.hash).toBe(contentHash(ORIGINAL));
    expect(await getJson<LibraryContent>(db, r.original.ref)).toEqual(ORIGINAL);
    // 20 cases: held out, no test split below 30; validation 0.4 × 20, half of each tag.
    expect(r.split).toMatchObject({ heldOut: true, seed: 11, test: [] });
    expect(r.split.validation).toHaveLength(8);
    expect(r.split.train).toHaveLength(12);
    expect(r.split.validation.filter((id) => Number(id.split('-')[1]) % 2)).toHaveLength(4);
    expect(r.projection.calls).toBeGreaterThan(r.projection.baselineAndOneValidation.calls);
    expect(r.projection.usd).toBeGreaterThan(0);
    expect(r.projection.warning).toBeUndefined();
    expect(await optimizeRunStartedAt(db, s.runId)).toMatch(/^\d{4}-\d\d-\d\dT/);
    // A retry gives the same answer and writes nothing new.
    expect(await prepare(s.prepare)).toEqual(r);
  });

  it('prepare warns in its projection when the budget cannot cover the baseline and one validation', async () => {
    const s = await setup({ budget: { calls: 5 } });
    const r = await prepareOptimizeRunActivity(db)(s.prepare);
    expect(r.projection.warning).toMatch(/--budget-calls 5 is below/);
  });

  it('prepare refuses a missing target or dataset for good, with a clear message', async () => {
    const s = await setup();
    const prepare = prepareOptimizeRunActivity(db);
    const missing = prepare({ ...s.prepare, input: { ...s.input, target: { ...s.input.target, version: 9 } } });
    await expect(missing).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(missing).rejects.toMatchObject({ type: 'TargetNotFound', nonRetryable: true });
    await expect(missing).rejects.toThrow(`${s.name}@9 is not in the library`);
    const noData = prepare({ ...s.prepare, input: { ...s.input, dataset: { name: 'nope', version: 1 } } });
    await expect(noData).rejects.toMatchObject({ type: 'DatasetNotFound', nonRetryable: true });
    const wrongKind = prepare({ ...s.prepare, input: { ...s.input, target: { ...s.input.target, kind: 'skill' } } });
    await expect(wrongKind).rejects.toMatchObject({ type: 'TargetKindMismatch', nonRetryable: true });
  });

  it('finish makes the chosen a version labelled candidate with its evidence, and a retry makes no second', async () => {
    const s = await setup();
    const original = { hash: contentHash(ORIGINAL), ref: await putBlob(db, JSON.stringify(ORIGINAL)) };
    const input = await finishInput(s, original, CHILD);
    const finish = finishOptimizeRunActivity(db, 'https://refinery.example');
    const outcome = await finish(input);

    expect(outcome.version).toBe(2);
    const v = await getVersion(db, s.name, { version: 2 });
    expect(v).toMatchObject({ hash: contentHash(CHILD), parentVersion: 1, author: 'ana' });
    expect(v!.rationale).toContain(`optimize run ${s.runId}`);
    const labels = await getLabels(db, s.name);
    expect(labels[CANDIDATE_LABEL]).toBe(2);
    expect(labels.production).toBeUndefined();
    const moves = await labelHistory(db, s.name, CANDIDATE_LABEL);
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ fromVersion: null, toVersion: 2, actor: 'ana' });

    const evidence = await optimizeEvidence(db, s.name, 2);
    expect(evidence).toMatchObject({
      runId: s.runId,
      version: 2,
      parentVersion: 1,
      hash: contentHash(CHILD),
      spent: { calls: 120, usd: 0.42 },
      reportRef: outcome.reportRef,
      diffRef: outcome.diffRef,
      heldOut: true,
    });
    expect(evidence!.validation.chosen.mean).toBe(1);
    expect(evidence!.validation.original.mean).toBeCloseTo(0.25, 10);
    expect(evidence!.test!.chosen.n).toBe(3);
    expect(await optimizeEvidence(db, s.name, 1)).toBeUndefined();

    const report = await getBlob(db, outcome.reportRef);
    expect(report).toContain(`became ${s.name}@2 (https://refinery.example/v1/library/${s.name}/versions/2)`);
    expect(report).toContain('+Greet {{input}} warmly, by name.');
    expect(await getBlob(db, outcome.diffRef!)).toContain(`+++ ${s.name}@2/prompt.md`);
    const cycle = (await optimizeRunStartedAt(db, s.runId))!.slice(0, 10);
    expect(outcome.reportPaths).toEqual([`/home/ana/project/docs/feedbacks/cycle-${cycle}/${s.name}.md`]);
    expect(outcome.validation.chosen.mean).toBe(1);

    // The retry (a worker died after the first attempt finished) finds its version, move and evidence.
    const again = await finish(input);
    expect(again).toEqual(outcome);
    expect(await listVersions(db, s.name)).toHaveLength(2);
    expect(await labelHistory(db, s.name, CANDIDATE_LABEL)).toHaveLength(1);
    expect((await optimizeEvidenceOfRun(db, s.runId))!.recordedAt).toBe(evidence!.recordedAt);
  });

  it('a later run moves candidate from the earlier one by compare-and-set, audited with its own run', async () => {
    const s = await setup();
    const original = { hash: contentHash(ORIGINAL), ref: await putBlob(db, JSON.stringify(ORIGINAL)) };
    await finishOptimizeRunActivity(db, 'http://x')(await finishInput(s, original, CHILD));
    const third: LibraryContent = { type: 'text', text: 'Greet {{input}} warmly.\n', variables: ['input'] };
    const next = { ...s, runId: `${s.runId}-b`, prepare: { ...s.prepare, runId: `${s.runId}-b` } };
    next.input = { ...s.input, runId: next.runId };
    next.prepare.input = next.input;
    const outcome = await finishOptimizeRunActivity(db, 'http://x')(await finishInput(next, original, third));
    expect(outcome.version).toBe(3);
    const moves = await labelHistory(db, s.name, CANDIDATE_LABEL);
    expect(moves.map((m) => [m.fromVersion, m.toVersion])).toEqual([
      [null, 2],
      [2, 3],
    ]);
    expect(moves[1]!.reason).toContain(next.runId);
  });

  it('finish makes no version when the original wins, nor on a dry run', async () => {
    const s = await setup();
    const original = { hash: contentHash(ORIGINAL), ref: await putBlob(db, JSON.stringify(ORIGINAL)) };
    const won = await finishOptimizeRunActivity(db, 'http://x')(await finishInput(s, original, undefined));
    expect(won.version).toBeUndefined();
    expect(won.diffRef).toBeUndefined();
    expect(await getBlob(db, won.reportRef)).toContain('the original stayed best on validation: no new version');

    const dry = await setup({ dryRun: true });
    const out = await finishOptimizeRunActivity(db, 'http://x')(await finishInput(dry, original, CHILD));
    expect(out.version).toBeUndefined();
    expect(out.diffRef).toBeDefined();
    expect(await getBlob(db, out.reportRef)).toContain('no version was recorded');

    for (const name of [s.name, dry.name]) {
      expect(await listVersions(db, name)).toHaveLength(1);
      expect((await getLabels(db, name))[CANDIDATE_LABEL]).toBeUndefined();
      expect(await labelHistory(db, name)).toHaveLength(0);
    }
    expect(await optimizeEvidenceOfRun(db, s.runId)).toBeUndefined();
    expect(await optimizeEvidenceOfRun(db, dry.runId)).toBeUndefined();
  });
});
