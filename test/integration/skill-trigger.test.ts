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
    { rationale: 'test', author: 'ana', item: { owner: 'ana', description: 'Builds spreadsheets and charts from data.' } },
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
