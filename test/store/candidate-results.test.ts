import type { EvalCase } from '../../src/eval/types';
import type { EvalModels } from '../../src/optimizer/activity-types';
import {
  candidateResultKey,
  caseHash,
  getCandidateResults,
  loadCaseEvidence,
  modelIdentity,
  putCandidateResults,
  type CandidateResult,
} from '../../src/optimizer/candidate-result-store';
import type { Db } from '../../src/store/db';
import { describeEachStore } from '../support/store-backends';

const models: EvalModels = {
  executor: { provider: 'anthropic', model: 'claude-sonnet-4-6' },
  judge: { provider: 'gemini', model: 'gemini-2.5-flash' },
  maxOutputTokens: 1024,
};

const kase = (id: string, extra: Partial<EvalCase> = {}): EvalCase => ({
  id,
  vars: { q: id },
  assertions: [{ type: 'rubric', rubric: 'answers the question' }],
  tags: [],
  required: false,
  ...extra,
});

function result(
  c: EvalCase,
  sample: number,
  r: Partial<CandidateResult> = {},
  m: EvalModels = models,
  candidateHash = 'cand-a',
): CandidateResult {
  const identity = { candidateHash, caseId: c.id, caseHash: caseHash(c), sample, ...modelIdentity(m) };
  return {
    ...identity,
    key: candidateResultKey(identity),
    runId: 'run-1',
    status: 'pass',
    score: 1,
    judgeScore: 0.9,
    output: `answer ${c.id}#${sample}`,
    inputTokens: 30,
    outputTokens: 40,
    modelTokens: 50,
    costUsd: 0.002,
    assertions: [{ type: 'rubric', pass: true, score: 0.9, weight: 1, reason: 'the judge liked it' }],
    error: null,
    ...r,
  };
}

describeEachStore('candidate results', (backend) => {
  let db: Db;
  beforeAll(async () => (db = await backend.open()));

  test('many go in one transaction; the first write of a key wins; get by keys returns exactly the stored ones', async () => {
    const cases = Array.from({ length: 130 }, (_, i) => kase(`c${i}`));
    const rows = cases.map((c) => result(c, 0));
    await putCandidateResults(db, rows);
    // A retried attempt writes the same key with another answer: the first one stays.
    await putCandidateResults(db, [result(cases[3]!, 0, { output: 'second answer', score: 0 }), result(cases[3]!, 1)]);

    const keys = [...rows.map((r) => r.key), result(cases[3]!, 1).key, 'no-such-key'];
    const got = await getCandidateResults(db, keys);
    expect(got.size).toBe(131);
    expect(got.has('no-such-key')).toBe(false);
    expect(got.get(rows[3]!.key)).toEqual(rows[3]);
    expect(got.get(rows[129]!.key)).toEqual(rows[129]);
  });

  test('the key changes with every part of the identity', () => {
    const c = kase('k');
    const base = result(c, 0);
    const keys = [
      base.key,
      result(c, 1).key,
      result(c, 0, {}, models, 'cand-b').key,
      result(kase('k', { expected: 'other' }), 0).key,
      result(kase('k2'), 0).key,
      result(c, 0, {}, { ...models, executor: { provider: 'gemini', model: 'gemini-2.5-pro' } }).key,
      result(c, 0, {}, { ...models, judge: { provider: 'anthropic', model: 'claude-haiku-4-5' } }).key,
      result(c, 0, {}, { ...models, maxOutputTokens: 2048 }).key,
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('case evidence: per case the worst sample with its reasons, the mean score, passed only if every sample passed', async () => {
    const good = kase('e-good', { expected: 'ANSWER' });
    const mixed = kase('e-mixed');
    const broken = kase('e-broken');
    const unseen = kase('e-unseen');
    await putCandidateResults(db, [
      result(good, 0),
      result(good, 1, { score: 0.8 }),
      result(mixed, 0, { score: 1 }),
      result(mixed, 1, {
        status: 'fail',
        score: 0.2,
        output: 'a wrong answer',
        assertions: [
          { type: 'contains', pass: false, score: 0, weight: 1, reason: 'no "ANSWER" in the output' },
          { type: 'rubric', pass: false, score: 0.2, weight: 1, reason: 'misses the point of the question' },
        ],
      }),
      result(broken, 0, {
        status: 'error',
        score: 0,
        judgeScore: null,
        assertions: [],
        error: 'the rubric judge gave no score',
      }),
      // Other models and another candidate are other evidence.
      result(unseen, 0, {}, { ...models, maxOutputTokens: 99 }),
      result(unseen, 0, {}, models, 'cand-b'),
    ]);

    const evidence = await loadCaseEvidence(db, {
      candidateHash: 'cand-a',
      cases: [mixed, unseen, good, broken],
      models,
    });
    expect(evidence.map((e) => e.caseId)).toEqual(['e-mixed', 'e-good', 'e-broken']);
    const [m, g, b] = evidence;
    expect(m).toEqual({
      caseId: 'e-mixed',
      vars: { q: 'e-mixed' },
      output: 'a wrong answer',
      score: 0.6,
      passed: false,
      assertions: [
        { type: 'contains', pass: false, score: 0, reason: 'no "ANSWER" in the output' },
        { type: 'rubric', pass: false, score: 0.2, reason: 'misses the point of the question' },
      ],
    });
    expect(g).toMatchObject({ expected: 'ANSWER', score: 0.9, passed: true, output: 'answer e-good#1' });
    expect(b).toMatchObject({ score: 0, passed: false, error: 'the rubric judge gave no score', assertions: [] });

    // A case edited under the same id (a new dataset version) has no evidence yet.
    const edited = await loadCaseEvidence(db, {
      candidateHash: 'cand-a',
      cases: [kase('e-good', { expected: 'NEW' })],
      models,
    });
    expect(edited).toEqual([]);
  });
});
