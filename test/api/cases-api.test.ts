import { getDatasetCases } from '../../src/store/evals';
import { describeEachStore } from '../support/store-backends';
import { apiHarness, type ApiHarness } from './api-harness';

interface CaseBody {
  caseId: string;
  runId: string | null;
  status: string;
  input: string;
  output: string;
  correction: string | null;
  feedback: { userId: string | null }[];
}

/** The review queue through the API, as a UI uses it: runs and feedback in, harvest, show, review. */
describeEachStore('the /v1/cases API', (backend) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness(() => backend.open());
  });
  afterAll(() => h?.close());

  test('recorded runs and feedback are harvested, shown with their evidence and reviewed', async () => {
    const at = new Date().toISOString();
    const runs = [
      { id: 'api-run-0001', name: 'greeting', version: 2, input: 'Say hi to Ana', output: 'Hello Bob', at },
      {
        id: 'api-run-0002',
        name: 'greeting',
        version: 2,
        input: 'Say hi to the team',
        output: '',
        error: 'timeout',
        at,
      },
    ];
    expect((await h.call('POST', '/v1/runs', h.tokens.writer, { runs })).status).toBe(202);
    const feedback = [
      { id: 'api-fb-0001', runId: 'api-run-0001', thumbs: 'down', correction: 'Hello Ana', userId: 'u-7', at },
    ];
    expect((await h.call('POST', '/v1/feedback', h.tokens.writer, { feedback })).status).toBe(202);

    // On PostgreSQL a harvest reads only rows older than every open transaction: harvest until both are in.
    let cases: CaseBody[] = [];
    for (const until = Date.now() + 20_000; cases.length < 2 && Date.now() < until;) {
      const harvest = await h.call('POST', '/v1/cases/greeting/harvest', h.tokens.writer);
      expect(harvest.status).toBe(200);
      cases = (await h.call('GET', '/v1/cases/greeting', h.tokens.reader)).body.cases as CaseBody[];
      if (cases.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(cases).toHaveLength(2);
    const hi = cases.find((c) => c.runId === 'api-run-0001')!;
    const shown = await h.call('GET', `/v1/cases/greeting/${hi.caseId}`, h.tokens.reader);
    expect(shown.body.case).toMatchObject({
      input: 'Say hi to Ana',
      output: 'Hello Bob',
      correction: 'Hello Ana',
      version: 2,
      kinds: ['correction', 'thumbs-down'],
    });
    expect(shown.body.tendencies).toEqual(
      expect.arrayContaining([expect.objectContaining({ userId: 'u-7', votes: 1, thumbsDownShare: 1 })]),
    );

    const badAssertion = await h.call('POST', `/v1/cases/greeting/${hi.caseId}/accept`, h.tokens.owner, {
      assertions: { type: 'regex', value: '(' },
    });
    expect(badAssertion.status).toBe(400);
    expect(badAssertion.headers.get('content-type')).toBe('application/problem+json');
    const accepted = await h.call('POST', `/v1/cases/greeting/${hi.caseId}/accept`, h.tokens.owner, {});
    expect(accepted.status).toBe(200);
    expect(accepted.body.case).toMatchObject({ status: 'accepted', expected: 'Hello Ana', reviewer: 'olga' });
    expect(accepted.body.dataset).toMatchObject({ name: 'greeting', version: 1, caseCount: 1 });
    const [dsCase] = await getDatasetCases(h.db, 'greeting', 1);
    expect(dsCase).toMatchObject({ input: 'Say hi to Ana', expected: 'Hello Ana' });
    expect(dsCase!.tags).toContain('source:production');
    expect((await h.call('POST', `/v1/cases/greeting/${hi.caseId}/skip`, h.tokens.owner)).status).toBe(409);

    const other = cases.find((c) => c.runId === 'api-run-0002')!;
    const noReason = await h.call('POST', `/v1/cases/greeting/${other.caseId}/reject`, h.tokens.owner, {});
    expect(noReason.status).toBe(400);
    const rejected = await h.call('POST', `/v1/cases/greeting/${other.caseId}/reject`, h.tokens.owner, {
      reason: 'provider outage',
    });
    expect(rejected.body.case).toMatchObject({ status: 'rejected', reason: 'provider outage' });
    expect((await h.call('GET', '/v1/cases/greeting/case-none', h.tokens.reader)).status).toBe(404);
    expect((await h.call('GET', '/v1/cases/greeting?status=bogus', h.tokens.reader)).status).toBe(400);
    expect((await h.call('POST', '/v1/cases/greeting/harvest?limit=-1', h.tokens.writer)).status).toBe(400);
    expect((await h.call('POST', '/v1/cases/nothing/harvest', h.tokens.writer)).status).toBe(404);
    const all = await h.call('GET', '/v1/cases/greeting?status=accepted,rejected', h.tokens.reader);
    expect(all.body.counts).toMatchObject({ pending: 0, accepted: 1, rejected: 1 });
    expect((all.body.cases as CaseBody[]).map((c) => c.status).sort()).toEqual(['accepted', 'rejected']);
  });
});
