import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { proposeCandidateActivity, type CaseEvidenceLoader } from '../../src/activities/optimize/propose';
import { ModelCalls } from '../../src/activities/tune/model-calls';
import { contentHash, type LibraryContent } from '../../src/library/content';
import type { CaseEvidence, ProposeCandidateInput } from '../../src/optimizer/activity-types';
import type { ProposeResponse } from '../../src/optimizer/types';
import { estimateCostUsd } from '../../src/providers';
import { getJson, putBlob } from '../../src/store/blobs';
import type { Db } from '../../src/store/db';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import type { FakeServer } from '../fakes/fake-server-core';
import { isReflection, scriptedImprover } from '../support/optimizer-fakes';
import { describeEachStore } from '../support/store-backends';
import { uniqueId } from '../support/temporal';
import { MARKER_KEY } from '../support/tune-harness';

// proposeCandidate with the real Anthropic SDK against the fake server, which counts what is paid. The improver's
// answer depends on the kind named in the failing case's id, so each test gets its own kind of proposal.

const IMPROVER = { provider: 'anthropic' as const, model: 'claude-sonnet-4-6' };
const parent: LibraryContent = { type: 'text', text: 'Answer {{q}}.\nBe brief.\n', variables: ['q'] };

const failing = (id: string): CaseEvidence => ({
  caseId: id,
  vars: { q: `what is ${id}` },
  output: `OUTPUT-OF-${id}: a long ramble without units`,
  expected: `EXPECTED-OF-${id}: 3 metres`,
  score: 0.25,
  passed: false,
  assertions: [
    { type: 'contains', pass: false, score: 0, reason: 'output does not contain "metres"' },
    { type: 'rubric', pass: false, score: 0.25, reason: `JUDGE-SAYS-${id}: the answer forgets the unit` },
  ],
});
const passing = (id: string): CaseEvidence => ({
  caseId: id,
  vars: { q: id },
  output: 'fine',
  score: 1,
  passed: true,
  assertions: [{ type: 'contains', pass: true, score: 1 }],
});

/** What the improver answers, by the kind named in the first failing case's id (`<kind>-n`). */
const script = scriptedImprover(
  (shown) => {
    const kind = shown.failing[0]?.caseId.split('-')[0];
    const edit =
      kind === 'over'
        ? { path: 'prompt.md', action: 'append' as const, text: '\nline\n'.repeat(30) }
        : kind === 'drop'
          ? { path: 'prompt.md', action: 'replace' as const, find: 'Answer {{q}}.', text: 'Answer the question.' }
          : kind === 'badfind'
            ? { path: 'prompt.md', action: 'replace' as const, find: 'Be long.', text: 'Be short.' }
            : { path: 'prompt.md', action: 'insert_after' as const, find: 'Be brief.', text: ' Always give the unit.' };
    return { summary: `fix for ${kind}`, edits: [edit] };
  },
  () => ({ status: 500, message: 'only the improver is expected here' }),
);

describeEachStore('proposeCandidate', (backend) => {
  let db: Db;
  let anthropic: FakeServer;
  let propose: (input: ProposeCandidateInput) => Promise<ProposeResponse>;
  let parentRef: string;
  const evidence = new Map<string, CaseEvidence>();
  const loads: string[][] = [];
  const loader: CaseEvidenceLoader = (_db, req) => {
    loads.push(req.caseIds);
    return Promise.resolve(req.caseIds.flatMap((id) => (evidence.has(id) ? [evidence.get(id)!] : [])));
  };

  beforeAll(async () => {
    db = await backend.open();
    anthropic = await startFakeAnthropic({ respond: script });
    const models = new ModelCalls(
      { provider: 'auto', anthropic: { apiKey: MARKER_KEY, baseUrl: anthropic.baseUrl }, gemini: {} },
      db,
    );
    const activity = proposeCandidateActivity(db, models, loader);
    const env = new MockActivityEnvironment();
    propose = (input) => env.run(activity, input);
    parentRef = await putBlob(db, JSON.stringify(parent));
    for (const kind of ['good', 'over', 'drop', 'badfind']) evidence.set(`${kind}-1`, failing(`${kind}-1`));
    evidence.set('ok-1', passing('ok-1'));
    evidence.set('ok-2', passing('ok-2'));
  });
  afterAll(async () => {
    await anthropic.close();
  });

  const input = (minibatch: string[], slot: number, runId = uniqueId('opt')): ProposeCandidateInput => ({
    runId,
    dataset: { name: 'ds', version: 1 },
    parent: { hash: contentHash(parent), ref: parentRef },
    minibatch,
    round: 1,
    slot,
    lineage: [
      {
        hash: 'h0',
        parent: 'p',
        round: 0,
        status: 'rejected',
        reason: 'lost the minibatch 1.0 vs 2.0',
        summary: 'OLD-TRY',
      },
    ],
    models: {
      executor: IMPROVER,
      judge: { provider: 'gemini', model: 'gemini-2.5-flash' },
      maxOutputTokens: 512,
      improver: IMPROVER,
    },
    changeBudget: { lines: 10, bytes: 200 },
    reflectionTokens: 8000,
  });
  const paid = () => anthropic.count(isReflection);

  test('a proposal is stored as a blob under its content hash; the prompt shows output, expected and the judge', async () => {
    const before = paid();
    const res = await propose(input(['good-1', 'ok-1'], 0));
    const child: LibraryContent = {
      type: 'text',
      text: 'Answer {{q}}.\nBe brief. Always give the unit.\n',
      variables: ['q'],
    };
    expect(res).toEqual({
      child: { hash: contentHash(child), ref: expect.any(String) },
      summary: 'fix for good',
      spent: { calls: 1, usd: estimateCostUsd(IMPROVER.model, 1000, 200) },
    });
    expect(res.spent.usd).toBeGreaterThan(0);
    if (!('child' in res)) throw new Error('expected a child');
    expect(await getJson(db, res.child.ref)).toEqual(child);
    expect(paid()).toBe(before + 1);
    const sent = anthropic.requests.filter(isReflection).at(-1)!.text;
    for (const text of [
      'OUTPUT-OF-good-1',
      'EXPECTED-OF-good-1: 3 metres',
      "judge's reasoning: JUDGE-SAYS-good-1",
      'OLD-TRY',
    ])
      expect(sent).toContain(text);
    expect(sent).toContain('- ok-1 (score 1.00)');
    expect(sent).toContain('At most 10 lines changed (added plus removed) and 200 bytes changed');
    expect(loads.at(-1)).toEqual(['good-1', 'ok-1']);
  });

  test('a retried call pays nothing and returns the same child; another slot is a new proposal', async () => {
    const same = input(['good-1'], 0);
    const first = await propose(same);
    const before = paid();
    const retried = await propose(same);
    expect(paid()).toBe(before);
    expect(retried).toEqual({ ...first, spent: { calls: 0, usd: 0 } });
    await propose({ ...same, slot: 1 });
    expect(paid()).toBe(before + 1);
  });

  test.each([
    ['over', 'over the change budget: changes 60 lines (budget 10) and 180 bytes (budget 200)'],
    ['drop', 'drops {{q}}'],
    ['badfind', 'edit 1 (replace in prompt.md): the text to find is not in the document'],
  ])('a %s proposal is refused with its reason, paid once', async (kind, reason) => {
    const req = input([`${kind}-1`], 0);
    const before = paid();
    expect(await propose(req)).toEqual({
      refused: reason,
      spent: { calls: 1, usd: estimateCostUsd(IMPROVER.model, 1000, 200) },
      summary: `fix for ${kind}`,
    });
    expect(await propose(req)).toEqual({ refused: reason, spent: { calls: 0, usd: 0 }, summary: `fix for ${kind}` });
    expect(paid()).toBe(before + 1);
  });

  test('a parent that passes the whole minibatch is not worth a call', async () => {
    const before = paid();
    expect(await propose(input(['ok-1', 'ok-2'], 0))).toEqual({
      refused: 'nothing to learn from: the parent passes every minibatch case',
      spent: { calls: 0, usd: 0 },
    });
    expect(paid()).toBe(before);
  });

  test('offline, the reflective improver adds what the failing case expected', async () => {
    const offline = proposeCandidateActivity(
      db,
      new ModelCalls({ provider: 'offline', anthropic: {}, gemini: {} }, db),
      loader,
    );
    const req = input(['good-1'], 0);
    const res: ProposeResponse = await new MockActivityEnvironment().run(offline, {
      ...req,
      models: { ...req.models, improver: { provider: 'offline' as const, model: 'offline' } },
    });
    expect(res).toMatchObject({
      summary: 'Adds what case good-1 expected: "EXPECTED-OF-good-1: 3 metres"',
      spent: { calls: 1, usd: 0 },
    });
    if (!('child' in res)) throw new Error('expected a child');
    expect(await getJson(db, res.child.ref)).toEqual({
      ...parent,
      text: `${parent.text}EXPECTED-OF-good-1: 3 metres\n`,
    });
  });

  test('a permanent provider error fails non-retryably as ProviderRejected, with no key in it', async () => {
    anthropic.enqueue({ status: 400, message: 'prompt is too long' });
    const err = await propose(input(['good-1'], 0)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect((err as Error).message).not.toContain(MARKER_KEY);
  });
});
