import type { Client } from '@temporalio/client';
import { resolveLabel } from '../../src/library/label-store';
import { getContent, recordVersion } from '../../src/library/versions';
import { DEFAULT_SPLIT, splitDataset } from '../../src/optimizer/split';
import { getBlob } from '../../src/store/blobs';
import { getResults } from '../../src/store/evals';
import type { EvalCase } from '../../src/eval/types';
import type { RecordedRequest } from '../fakes/fake-server-core';
import { optimizeHarness, type OptimizeHarness } from '../support/optimize/optimize-harness';
import { isTrigger, keywordAgent, loadReply, triggerShown } from '../support/trigger-fakes';
import { testClient, uniqueId, withWorker } from '../support/temporal';

// Trigger evaluation end to end: trigger cases in a dataset, an eval run and a description tune on the dev server,
// the real Anthropic SDK against the fake (which answers the structured trigger question), both on a real worker.

let client: Client;
let closeClient: () => Promise<void>;
const open: OptimizeHarness[] = [];
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => closeClient());

const skillMd = (description: string) =>
  `---\nname: pdf-forms\ndescription: ${description}\n---\n# PDF forms\n\nOpen the form, fill each field, save.\n`;

async function world(roles: Parameters<typeof optimizeHarness>[0], description: string) {
  const h = await optimizeHarness(roles);
  open.push(h);
  await h.item('pdf-forms', { type: 'skill', files: { 'SKILL.md': skillMd(description) } });
  // Another skill of the library: a distractor the model is shown beside the candidate.
  await recordVersion(
    h.db,
    'spreadsheets',
    { type: 'skill', files: { 'SKILL.md': skillMd('x').replace('pdf-forms', 'spreadsheets') } },
    {
      rationale: 'test',
      author: 'ana',
      item: { owner: 'ana', description: 'Builds spreadsheets and charts from data.' },
    },
  );
  return h;
}

const trigger = (id: string, input: string, should: boolean, extra: object = {}): Partial<EvalCase> => ({
  id,
  vars: { input },
  assertions: [{ type: 'trigger', should, ...extra }],
});

describe('trigger cases', () => {
  test('precision and recall over repeated runs on a seeded dataset, distractors from the library or the case', async () => {
    const h = await world({ executor: keywordAgent() }, 'Fills in PDF forms: text fields, checkboxes and signatures.');
    const ds = await h.dataset('trig', [
      trigger('t1', 'put my name in the text fields of this document', true), // loaded: right
      trigger('t2', 'tick the checkboxes on the tax return', true), // loaded: right
      trigger('t3', 'sign the lease agreement electronically', true), // not loaded: missed
      trigger('t4', 'which text fields does this table need', false), // loaded: wrong
      trigger('t5', 'draw charts from this data', false), // spreadsheets loaded instead: right
      trigger('t6', 'send this mail to the team', false, {
        distractors: [{ name: 'mailer', description: 'Sends mail to people.' }],
      }), // mailer loaded: right
    ]);
    const taskQueue = uniqueId('tq-trig');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const { runId, result } = await h.run(client, taskQueue, {
        name: 'pdf-forms',
        version: 1,
        dataset: 'trig',
        datasetVersion: ds,
        settings: { repeat: 3 },
      });
      // Three runs per query: 6 loaded rightly (t1, t2), 3 wrongly (t4), 3 missed (t3), 6 rightly left (t5, t6).
      expect(result.trigger).toEqual({
        runs: 18,
        queries: 6,
        truePositives: 6,
        falsePositives: 3,
        falseNegatives: 3,
        trueNegatives: 6,
        precision: 6 / 9,
        recall: 6 / 9,
        accuracy: 12 / 18,
      });
      expect(result).toMatchObject({ cases: 6, passed: 4, failed: 2 });
      const report = await getBlob(h.db, result.reportRef!);
      expect(report).toContain('**Trigger:** precision 66.7%, recall 66.7%');

      // The model saw the candidate among the library's skills, or among the case's own distractors.
      const asked = h.anthropic.requests.filter(isTrigger).map(triggerShown);
      expect(asked).toHaveLength(18);
      const t1 = asked.filter((a) => a.query.startsWith('put my name'));
      expect(t1.map((a) => a.skills.map((s) => s.name).sort())).toEqual(Array(3).fill(['pdf-forms', 'spreadsheets']));
      const t6 = asked.find((a) => a.query.startsWith('send this mail'))!;
      expect(t6.skills.map((s) => s.name).sort()).toEqual(['mailer', 'pdf-forms']);
      // The candidate is not always shown first: its place is drawn per case and run.
      expect(new Set(asked.map((a) => a.skills.findIndex((s) => s.name === 'pdf-forms'))).size).toBe(2);

      // The stored results say what was loaded, and why a case failed.
      const stored = await getResults(h.db, runId);
      const t3 = stored.find((r) => r.caseId === 't3')!;
      expect(t3.assertions[0]!.reason).toBe('should load pdf-forms for this query but loaded no skill');
    });
  });
});

describe('a description tune on trigger cases', () => {
  // 28 queries: two in three should load the skill (they ask about a "pdf"), the others should not. With no test
  // share (--test-share 0): 60 % train, 40 % validation, as skill-creator splits.
  const cases = Array.from({ length: 28 }, (_, i) =>
    i % 3 === 0
      ? trigger(`t${String(i).padStart(2, '0')}`, `plan a trip number ${i}`, false)
      : trigger(`t${String(i).padStart(2, '0')}`, `fill the pdf number ${i}`, true),
  );
  const shouldLoad = (query: string) => query.includes('pdf');
  const ORIGINAL = 'Fills in forms.';
  const editDescription = (to: string) => ({
    summary: `description: ${to}`,
    edits: [{ path: 'SKILL.md', action: 'replace' as const, find: ORIGINAL, text: to }],
  });

  async function tune(executor: (req: RecordedRequest) => ReturnType<typeof loadReply>, improver: object[]) {
    const h = await world({ executor, improver: improver as never }, ORIGINAL);
    await h.dataset('trig', cases);
    const taskQueue = uniqueId('tq-trig');
    return withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['pdf-forms'], {
        dataset: 'trig@1',
        seed: '5',
        'max-iterations': '2',
        parallel: '1',
        minibatch: '6',
        threshold: '99',
        'test-share': '0',
      });
      return { h, status: await run.result() };
    });
  }

  test('a description that wins on training but not on validation is rejected; the original stays', async () => {
    const split = splitDataset(
      cases.map((c) => ({ id: c.id!, tags: [] })),
      { seed: 5, ...DEFAULT_SPLIT, testShare: 0 },
    );
    expect(split).toMatchObject({ heldOut: true });
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([17, 11, 0]);
    const train = new Set(split.train.map((id) => `number ${Number(id.slice(1))}`));
    // With "Overfit." in its description the skill is loaded rightly for training queries and wrongly for the
    // held-out ones; the original description is never loaded.
    const executor = (req: RecordedRequest) => {
      const { skills, query } = triggerShown(req);
      const d = skills.find((s) => s.name === 'pdf-forms')!.description;
      if (!d.includes('Overfit.')) return loadReply([]);
      const inTrain = [...train].some((t) => query.endsWith(t));
      return loadReply(shouldLoad(query) === inTrain ? ['pdf-forms'] : []);
    };
    const { h, status } = await tune(executor, [editDescription('Fills in forms. Overfit.')]);
    expect(status.split).toEqual({ train: 17, validation: 11, test: 0, heldOut: true });
    expect(status.acceptances).toBe(0);
    expect(status.lastRejection?.reason).toMatch(/won the minibatch but not validation/);
    expect(status.outcome!.version).toBeUndefined();
    await expect(resolveLabel(h.db, 'pdf-forms', 'candidate')).rejects.toThrow();
    // The improver was told it may change the description alone.
    expect(h.improverRequests()[0]!.text).toContain('<edit-scope>');
  });

  test('a change outside the description is refused; a description that wins on validation is accepted', async () => {
    // The model loads the skill when its description names "pdf" and the query does.
    const executor = (req: RecordedRequest) => {
      const { skills, query } = triggerShown(req);
      const d = skills.find((s) => s.name === 'pdf-forms')!.description;
      return loadReply(/pdf/i.test(d) && shouldLoad(query) ? ['pdf-forms'] : []);
    };
    const { h, status } = await tune(executor, [
      {
        summary: 'a body edit',
        edits: [{ path: 'SKILL.md', action: 'append', text: 'Use it for any PDF.\n' }],
      },
      editDescription('Fills in PDF forms. Use it whenever the request mentions a pdf.'),
    ]);
    const report = await getBlob(h.db, status.outcome!.reportRef);
    expect(report).toMatch(
      /may change only the description in SKILL\.md's front matter, and this proposal changes the body/,
    );
    expect(status.acceptances).toBe(1);
    expect(status.outcome!.version).toBe(2);
    expect(status.outcome!.validation.chosen.mean).toBe(1);
    expect(await resolveLabel(h.db, 'pdf-forms', 'candidate')).toBe(2);
    const chosen = await getContent(h.db, 'pdf-forms', { version: 2 });
    expect(chosen.type === 'skill' && chosen.files['SKILL.md']).toBe(
      skillMd('Fills in PDF forms. Use it whenever the request mentions a pdf.'),
    );
  });
});
