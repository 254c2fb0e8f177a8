import path from 'node:path';
import { getCase, listCases } from '../../src/cases/case-store';
import { recordFeedback, recordRuns } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { getDataset, getDatasetCases } from '../../src/store/evals';
import { openStore } from '../../src/store/open';
import { runCli } from '../support/cli';
import { tempDir } from '../support/temporal';

/** `refinery cases harvest` and the non-interactive `refinery cases review`, as scripts call them. */
describe('refinery cases (CLI)', () => {
  let db: Db;
  let env: Record<string, string>;
  const at = () => new Date().toISOString();

  beforeAll(async () => {
    const url = `sqlite:${path.join(tempDir('cases-cli'), 'r.db')}`;
    db = await openStore(url);
    env = { REFINERY_DATABASE_URL: url, REFINERY_USER: 'rita' };
    await recordVersion(db, 'faq', { type: 'text', text: 'v1', variables: [] }, { rationale: 'r', author: 'ana' });
    await recordRuns(db, [
      {
        id: 'run-cli-0001',
        name: 'faq',
        version: 1,
        input: 'Do you ship to Norway?',
        output: 'No',
        corrected: true,
        regenerated: false,
        at: at(),
      },
      {
        id: 'run-cli-0002',
        name: 'faq',
        version: 1,
        input: 'How late is support open?',
        output: '??',
        corrected: false,
        regenerated: false,
        error: 'timeout',
        at: at(),
      },
      {
        id: 'run-cli-0003',
        name: 'faq',
        version: 1,
        input: 'Can I pay by invoice?',
        output: 'Maybe',
        corrected: false,
        regenerated: true,
        at: at(),
      },
    ]);
    await recordFeedback(db, [
      { id: 'fb-cli-0001', runId: 'run-cli-0001', correction: 'Yes, within 5 days', userId: 'u-1', at: at() },
    ]);
  });
  afterAll(() => db?.close());

  test('harvest, list, accept with an edit, reject with a reason, skip; bad input exits 2 with the fix', async () => {
    const harvested = await runCli(['cases', 'harvest', 'faq'], env);
    expect(harvested.out).toMatch(/3 new case\(s\) queued/);
    expect(harvested.code).toBe(0);

    const listed = await runCli(['cases', 'review', 'faq', '--list', '--json'], env);
    expect(listed.code).toBe(0);
    const { cases } = JSON.parse(listed.out) as { cases: { caseId: string; runId: string }[] };
    const idOf = (run: string) => cases.find((c) => c.runId === run)!.caseId;

    const unknown = await runCli(['cases', 'review', 'faq', '--accept', 'case-nope'], env);
    expect({ code: unknown.code, out: unknown.out }).toEqual({
      code: 2,
      out: expect.stringMatching(/no case "case-nope"/),
    });
    const noReason = await runCli(['cases', 'review', 'faq', '--reject', idOf('run-cli-0002')], env);
    expect(noReason.code).toBe(2);
    expect(noReason.out).toMatch(/--reject needs --reason/);
    const notJson = await runCli(
      ['cases', 'review', 'faq', '--accept', idOf('run-cli-0003'), '--assert-json', '{'],
      env,
    );
    expect(notJson.code).toBe(2);
    const notTty = await runCli(['cases', 'review', 'faq'], env);
    expect(notTty.code).toBe(2);
    expect(notTty.out).toMatch(/stdin is not a terminal/);
    const noName = await runCli(['cases', 'harvest', 'nope'], env);
    expect(noName.code).toBe(2);
    const noQueue = await runCli(['cases', 'review', 'nope', '--list'], env);
    expect({ code: noQueue.code, out: noQueue.out }).toEqual({
      code: 2,
      out: expect.stringMatching(/no prompt or skill named "nope"/),
    });

    const accepted = await runCli(
      ['cases', 'review', 'faq', '--accept', idOf('run-cli-0001'), '--expected', 'Yes, within 5 working days'],
      env,
    );
    expect(accepted.code).toBe(0);
    expect(accepted.out).toMatch(/dataset faq@1: 1 cases \(1 from production\)/);
    const asserted = await runCli(
      [
        'cases',
        'review',
        'faq',
        '--accept',
        idOf('run-cli-0003'),
        '--assert-json',
        '{"type":"icontains","value":"invoice"}',
      ],
      env,
    );
    expect(asserted.out).toMatch(/dataset faq@2: 2 cases/);
    const rejected = await runCli(
      ['cases', 'review', 'faq', '--reject', idOf('run-cli-0002'), '--reason', 'an outage, not the prompt'],
      env,
    );
    expect(rejected.code).toBe(0);

    expect(await getCase(db, 'faq', idOf('run-cli-0002'))).toMatchObject({
      status: 'rejected',
      reason: 'an outage, not the prompt',
      reviewer: 'rita',
    });
    expect(await listCases(db, 'faq')).toEqual([]);
    const d = (await getDataset(db, 'faq'))!;
    expect(d).toMatchObject({ version: 2, target: 'faq', author: 'rita' });
    const dataset = await getDatasetCases(db, 'faq', 2);
    expect(dataset.map((c) => [c.input, c.expected, c.assertions, c.tags[0]])).toEqual([
      ['Do you ship to Norway?', 'Yes, within 5 working days', [], 'source:production'],
      ['Can I pay by invoice?', undefined, [{ type: 'icontains', value: 'invoice' }], 'source:production'],
    ]);

    const twice = await runCli(['cases', 'review', 'faq', '--skip', idOf('run-cli-0002')], env);
    expect(twice.code).toBe(2);
    expect(twice.out).toMatch(/was rejected already/);
  }, 120_000);
});
