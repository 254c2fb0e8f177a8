import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { decideSignal, decideUpdate, tuneStatusQuery } from '../../src/shared';
import { validateTuneInput } from '../../src/cli/tune-input';
import { progressLine, startTune } from '../../src/clients/tune';
import { getSkillFiles } from '../../src/library/skill-versions';
import { skillFileUsage } from '../../src/skills/tool-call-store';
import { eventually, testClient, uniqueId, withWorker } from '../support/temporal';
import { appendImprovement, judgeJson, tuneHarness, type Roles, type TuneHarness } from '../support/tune-harness';

let client: Client;
let closeClient: () => Promise<void>;
const open: TuneHarness[] = [];
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => closeClient());

/** Runs one tune of a fresh skill to its end (or through `during`), with an in-process worker. */
async function runTune(
  roles: Roles,
  flags: Parameters<TuneHarness['start']>[1],
  during?: (h: TuneHarness, handle: Awaited<ReturnType<TuneHarness['start']>>[number]['handle']) => Promise<void>,
  skills: Record<string, Record<string, string> | undefined> = { demo: undefined },
) {
  const h = await tuneHarness(roles);
  open.push(h);
  const taskQueue = uniqueId('tq');
  const dirs = Object.entries(skills).map(([name, files]) => h.makeSkill(name, files));
  const before = dirs.map((d) => fs.readFileSync(path.join(d, 'SKILL.md'), 'utf8'));
  return withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
    const [run] = await h.start(dirs, flags, client, taskQueue);
    if (during) await during(h, run!.handle);
    const status = await h.finish(run!.handle);
    const after = dirs.map((d) => fs.readFileSync(path.join(d, 'SKILL.md'), 'utf8'));
    const snapshots = await h.db.all<{ iteration: number; skill: string; version_hash: string }>(
      'SELECT iteration, skill, version_hash FROM tune_snapshots WHERE run_id = ? ORDER BY iteration, skill',
      [run!.workflowId],
    );
    return { h, status, before, after, dirs, snapshots, workflowId: run!.workflowId };
  });
}

const scores =
  (...list: number[]) =>
  (_req: unknown, iteration: number) => ({
    text: judgeJson(list[iteration - 1] ?? list[list.length - 1]!),
  });

describe('tuneWorkflow against fake Anthropic and Gemini servers', () => {
  test('reaches the threshold, writes back the best version and a report', async () => {
    const r = await runTune({ judge: scores(60, 75, 85) }, { threshold: '80', 'max-iterations': '5' });
    expect(r.status.termination).toBe('threshold-met');
    expect(r.status.scores).toEqual([60, 75, 85]);
    expect(r.snapshots.map((s) => s.iteration)).toEqual([1, 2, 3]);
    expect(r.after[0]).toBe(`${r.before[0]}\n- improvement 1\n- improvement 2`);
    expect(r.status.outcome?.writeBack).toMatchObject([{ skill: 'demo', dir: r.dirs[0] }]);
    const report = fs.readFileSync(r.status.outcome!.reportPaths[0]!, 'utf8');
    expect(report).toMatch(/\| 3 \| 85 \|/);
    expect(report).toContain('**Assertiveness:** 80/100 (Good)');
    expect(report).toMatch(/demo v3 \(http:\/\/127\.0\.0\.1:8787\/v1\/library\/demo\/versions\/3\)/);
    expect(r.status.outcome!.reportPaths[0]).toMatch(/docs\/feedbacks\/cycle-\d{4}-\d{2}-\d{2}\/demo\.md$/);
    expect(r.h.requestsFor('judge')).toHaveLength(3);
    expect(r.h.requestsFor('improver')).toHaveLength(2);
  });

  test('max iterations: stops at the limit and keeps the best, not the last', async () => {
    const r = await runTune({ judge: scores(50, 70, 60) }, { threshold: '95', 'max-iterations': '3' });
    expect(r.status.termination).toBe('max-iterations');
    expect(r.status.outcome?.bestIteration).toBe(2);
    expect(r.after[0]).toBe(`${r.before[0]}\n- improvement 1`);
  });

  test('convergence below the threshold stalls; a decision by update accepts the best', async () => {
    const r = await runTune(
      { judge: scores(60, 62, 61) },
      { threshold: '90', 'max-iterations': '8' },
      async (_h, handle) => {
        await eventually(
          async () => (await handle.query(tuneStatusQuery)).phase === 'awaiting-decision',
          30_000,
          'stall',
        );
        const s = await handle.query(tuneStatusQuery);
        expect(s.stall?.reason).toBe('converged-below-threshold');
        await expect(
          handle.executeUpdate(decideUpdate, { args: [{ action: 'continue', by: 'ana' }] }),
        ).rejects.toThrow();
        expect(
          await handle.executeUpdate(decideUpdate, { args: [{ action: 'accept', by: 'ana', note: 'good enough' }] }),
        ).toContain('accept');
      },
    );
    expect(r.status.termination).toBe('accepted');
    expect(r.status.decisions[0]).toMatchObject({
      action: 'accept',
      by: 'ana',
      note: 'good enough',
      reason: 'converged-below-threshold',
    });
    expect(r.status.outcome?.bestIteration).toBe(2);
    expect(r.after[0]).toBe(`${r.before[0]}\n- improvement 1`);
  });

  test('401 is not retried; three failed iterations spend the error budget; a signal rolls back', async () => {
    const r = await runTune(
      {
        judge: scores(70),
        executor: () => ({ status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' }),
      },
      { threshold: '80' },
      async (_h, handle) => {
        await eventually(
          async () => (await handle.query(tuneStatusQuery)).phase === 'awaiting-decision',
          30_000,
          'stall',
        );
        expect((await handle.query(tuneStatusQuery)).stall?.reason).toBe('error-budget');
        await handle.signal(decideSignal, { action: 'rollback', by: 'web-ui', note: 'key problem' });
      },
    );
    expect(r.status.termination).toBe('rolled-back');
    expect(r.h.requestsFor('executor')).toHaveLength(3); // one per iteration: a 401 is final
    expect(r.after[0]).toBe(r.before[0]);
    expect(r.status.outcome?.assertiveness).toBe(0);
    const rows = await r.h.db.all<{ record: string }>('SELECT record FROM tune_iterations WHERE run_id = ?', [
      r.workflowId,
    ]);
    expect(rows.map((x) => (JSON.parse(x.record) as { errors: string[] }).errors[0])).toEqual(
      Array(3).fill(expect.stringContaining('ANTHROPIC_API_KEY')),
    );
  });

  test('a judge failure (a final 400, output with no score after every attempt) scores its iteration as failed; the run completes', async () => {
    const calls: Record<number, number> = {};
    const r = await runTune(
      {
        judge: (_req, it) => {
          calls[it] = (calls[it] ?? 0) + 1;
          if (it === 1) return { status: 400, errorType: 'INVALID_ARGUMENT', message: 'judge request refused' };
          if (it === 3) return { text: 'I would rather not grade this one.' };
          return { text: judgeJson(it === 2 ? 60 : 85) };
        },
      },
      { threshold: '80', 'max-iterations': '5' },
    );
    expect(r.status.termination).toBe('threshold-met');
    expect(r.status.scores).toEqual([0, 60, 0, 85]);
    expect(r.status.judgeFailures).toBe(2);
    expect(progressLine(r.status)).toMatch(/scores 0 → 60 → 0 → 85 \(threshold 80\) · judge failures 2$/);
    expect(calls).toEqual({ 1: 1, 2: 1, 3: 4, 4: 1 }); // a 400 is final; unusable output used every attempt
    expect(r.status.warnings).toEqual([
      expect.stringMatching(
        /^iteration 1: the judge failed after its retries \(.+\); the scenario scored 0 \(failed\)$/,
      ),
      expect.stringMatching(
        /^iteration 3: the judge failed after its retries \(.*no usable score.*\); the scenario scored 0/,
      ),
    ]);
    const rows = await r.h.db.all<{ iteration: number; score: number; record: string }>(
      'SELECT iteration, score, record FROM tune_iterations WHERE run_id = ? ORDER BY iteration',
      [r.workflowId],
    );
    expect(rows.map((x) => Number(x.score))).toEqual([0, 60, 0, 85]);
    const first = JSON.parse(rows[0]!.record);
    expect(first).toMatchObject({
      score: 0,
      judgeFailure: { case: 'scenario', reason: expect.stringContaining('judge request refused') },
      errors: [expect.stringMatching(/^judge failed: /)],
      improvement: { status: 'skipped', reason: 'the judge failed: no evaluation to improve from' },
    });
    expect(JSON.parse(rows[2]!.record).judgeFailure.reason).toContain('no usable score');
    // The failed iterations are never chosen: the best is iteration 4, which carries iteration 2's improvement.
    expect(r.status.outcome?.bestIteration).toBe(4);
    expect(r.after[0]).toBe(`${r.before[0]}\n- improvement 1`);
    const report = fs.readFileSync(r.status.outcome!.reportPaths[0]!, 'utf8');
    expect(report).toContain('- **Judge failures:** 2 (iteration 1, 3: each scored as a failed case)');
    expect(report).toMatch(/\| 1 \| 0 \|.*judge failed on the scenario: scored 0/);
  });

  test('the judge sees no earlier score, no iteration and nothing telling which version is newer', async () => {
    let improverCalls = 0;
    const r = await runTune(
      {
        judge: scores(61.5, 73.3, 88),
        // The first improvement is rolled back, so iterations 1 and 2 judge the same content.
        improver: (req) =>
          ++improverCalls === 1
            ? {
                text: JSON.stringify({
                  rationale: 'r',
                  edits: [{ path: '../outside.md', action: 'create', content: 'x' }],
                }),
              }
            : appendImprovement(req),
      },
      { threshold: '80' },
    );
    expect(r.status.scores).toEqual([61.5, 73.3, 88]);
    const judged = r.h.requestsFor('judge');
    expect(judged).toHaveLength(3);
    expect(judged[1]!.text).toBe(judged[0]!.text); // the same content in a later iteration: the same request
    for (const req of judged) {
      expect(req.text).not.toMatch(/iteration|earlier|previous|newer|older|last time/i);
      expect(req.text).not.toContain('61.5');
      expect(req.text).not.toContain('73.3');
    }
    expect(judged[2]!.text).toContain('- improvement 1'); // what changed is the skill itself, nothing else
    // With both keys the judge is Gemini, the executor Claude: no family warning.
    expect(r.status.models).toMatchObject({ executor: { provider: 'anthropic' }, judge: { provider: 'gemini' } });
    expect(r.status.warnings).toEqual([]);
    expect(r.h.gemini.requests.every((q) => q.text.includes('[refinery:judge]'))).toBe(true);
  });

  test('a worker with one provider key: judge and executor share a family, and the status and report say so', async () => {
    const h = await tuneHarness({ judge: scores(90) });
    open.push(h);
    const dir = h.makeSkill('one-key');
    const taskQueue = uniqueId('tq');
    const providers = { ...h.providers, gemini: { baseUrl: h.gemini.baseUrl } }; // no GEMINI_API_KEY
    const status = await withWorker(taskQueue, { db: h.db, providers }, async () => {
      const [run] = await h.start([dir], { threshold: '80' }, client, taskQueue);
      return h.finish(run!.handle);
    });
    expect(status.termination).toBe('threshold-met');
    expect(status.models?.judge).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-6' });
    expect(status.warnings).toEqual([
      expect.stringMatching(
        /^the judge \(anthropic:claude-sonnet-4-6\) and the executor \(anthropic:claude-sonnet-4-6\) share a model family \(Claude\).*GEMINI_API_KEY/,
      ),
    ]);
    expect(h.gemini.requests).toHaveLength(0);
    expect(h.requestsFor('judge')).toHaveLength(1);
    const report = fs.readFileSync(status.outcome!.reportPaths[0]!, 'utf8');
    expect(report).toContain('judge and executor share a model family: see the warnings');
    expect(report).toContain('share a model family (Claude)');
  });

  test('a golden assertion that cannot be checked scores as failed, is recorded, and the run completes', async () => {
    const h = await tuneHarness({ judge: scores(90) });
    open.push(h);
    const dir = h.makeSkill('golden');
    const goldenFile = path.join(h.dir, 'golden.jsonl');
    fs.writeFileSync(goldenFile, '{"input":"v1","expected":"artifact for v1"}\n');
    const tune = validateTuneInput([dir], {
      output: h.dir,
      scenario: 'Write release notes',
      golden: goldenFile,
      threshold: '80',
    });
    // Parsing refuses an invalid regex, so the broken case is put in as a stored one could arrive.
    tune.golden![0]!.assertions.push({ type: 'regex', value: '(' });
    const taskQueue = uniqueId('tq');
    const status = await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const [run] = await startTune(client, h.db, taskQueue, tune, { startedBy: 'test' });
      return h.finish(run!.handle);
    });
    expect(status.termination).toBe('threshold-met');
    expect(status.scores).toEqual([82]); // judge 90 × 0.8 + 1 of 2 assertions (50) × 0.2
    expect(status.assertionErrors).toBe(1);
    expect(status.judgeFailures).toBe(0);
    expect(status.warnings).toEqual([
      expect.stringMatching(
        /^iteration 1: 1 golden assertion\(s\) could not be checked and count as failed \(case 1: regex "\(" could not be checked/,
      ),
    ]);
    const row = await h.db.get<{ record: string }>('SELECT record FROM tune_iterations WHERE run_id = ?', [
      status.runId,
    ]);
    expect(JSON.parse(row!.record)).toMatchObject({
      assertions: { passed: 1, total: 2, errored: 1 },
      assertionErrors: [expect.stringContaining('case 1: regex "("')],
      errors: [],
    });
  });

  test('malformed judge JSON: a heuristic score, raw output kept', async () => {
    const raw =
      'Here is my view. Clarity: 70, Completeness: 72, Correctness: 74, Effectiveness: 76, Efficiency: 78 (not JSON)';
    const r = await runTune(
      { judge: (_req, it) => (it === 1 ? { text: raw } : { text: judgeJson(95) }) },
      { threshold: '80' },
    );
    expect(r.status.scores[0]).toBe(73.5); // the dimension weights applied to 70, 72, 74, 76, 78
    expect(r.status.warnings[0]).toMatch(
      /not valid JSON.*extracted heuristically, raw output kept as blob ([0-9a-f]{12})/,
    );
    const prefix = /blob ([0-9a-f]{12})/.exec(r.status.warnings[0]!)![1]!;
    const blob = await r.h.db.get<{ content: string }>('SELECT content FROM blobs WHERE hash LIKE ?', [`${prefix}%`]);
    expect(JSON.parse(blob!.content).raw).toBe(raw);
  });

  test('a failed improvement rolls the skill back to the snapshot and is recorded', async () => {
    let improverCalls = 0;
    const r = await runTune(
      {
        judge: scores(60, 65, 85),
        improver: (req) =>
          ++improverCalls === 1
            ? {
                text: JSON.stringify({
                  rationale: 'escape',
                  edits: [{ path: '../outside.md', action: 'create', content: 'x' }],
                }),
              }
            : appendImprovement(req),
      },
      { threshold: '80' },
    );
    expect(r.status.termination).toBe('threshold-met');
    expect(r.snapshots[0]!.version_hash).toBe(r.snapshots[1]!.version_hash); // iteration 2 starts from the rolled-back snapshot
    const first = await r.h.db.get<{ record: string }>(
      'SELECT record FROM tune_iterations WHERE run_id = ? AND iteration = 1',
      [r.workflowId],
    );
    expect(JSON.parse(first!.record).improvement).toMatchObject({
      status: 'rolled-back',
      reason: expect.stringContaining('leaves the skill folder'),
    });
    expect(fs.existsSync(path.join(r.dirs[0]!, '..', 'outside.md'))).toBe(false);
    expect(r.after[0]).toBe(`${r.before[0]}\n- improvement 1`);
  });

  test("429 with retry-after: the next attempt waits the provider's delay", async () => {
    let calls = 0;
    const r = await runTune(
      {
        judge: () =>
          ++calls === 1
            ? { status: 429, errorType: 'RESOURCE_EXHAUSTED', retryAfterSeconds: 3 }
            : { text: judgeJson(90) },
      },
      { threshold: '80' },
    );
    const [first, second] = r.h.requestsFor('judge');
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(3000); // the retry policy alone would wait 1 s
    expect(r.status.scores).toEqual([90]);
  });

  test.each([
    [529, 'overloaded_error'],
    [500, 'api_error'],
  ])('executor %i is retried and the run completes', async (status, errorType) => {
    let calls = 0;
    const r = await runTune(
      { judge: scores(90), executor: () => (++calls === 1 ? { status, errorType } : { text: 'the artifact' }) },
      { threshold: '80' },
    );
    expect(r.status.termination).toBe('threshold-met');
    expect(r.h.requestsFor('executor')).toHaveLength(2);
  });

  test('chain mode: each skill gets the artifacts before it; the weakest is improved', async () => {
    const r = await runTune(
      {
        executor: (req) => ({ text: `ARTIFACT-OF-${/<skill name="([^"]+)">/.exec(req.text)![1]}` }),
        judge: (_req, it) =>
          it === 1
            ? {
                text: judgeJson(
                  70,
                  [],
                  [
                    { skill: 'first', score: 90 },
                    { skill: 'second', score: 55 },
                  ],
                ),
              }
            : {
                text: judgeJson(
                  88,
                  [],
                  [
                    { skill: 'first', score: 90 },
                    { skill: 'second', score: 86 },
                  ],
                ),
              },
      },
      { threshold: '85', chain: true },
      undefined,
      { first: undefined, second: undefined },
    );
    const exec = r.h.requestsFor('executor');
    expect(exec[0]!.text).toContain('<skill name="first">');
    expect(exec[1]!.text).toContain('<skill name="second">');
    expect(exec[1]!.text).toContain('ARTIFACT-OF-first');
    expect(r.after[0]).toBe(r.before[0]); // first untouched
    expect(r.after[1]).toBe(`${r.before[1]}\n- improvement 1`); // second, the weakest, improved
    const second = await getSkillFiles(
      r.h.db,
      'second',
      r.snapshots.find((s) => s.iteration === 2 && s.skill === 'second')!.version_hash,
    );
    expect(second['SKILL.md']).toContain('- improvement 1');
  });

  test('agent execution (the default): the executor reads two of five references; the judge sees only those', async () => {
    const refs = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e'].map((n) => [`references/${n}.md`, `marker-${n} guidance`]),
    );
    const r = await runTune(
      {
        executor: (req) =>
          req.text.includes('marker-b')
            ? { text: 'DELIVERABLE' }
            : {
                text: '',
                toolCalls: [
                  { name: 'read_file', input: { path: 'references/b.md' } },
                  { name: 'read_file', input: { path: 'references/d.md' } },
                ],
              },
        judge: scores(90),
      },
      { threshold: '80', 'max-iterations': '1' },
      undefined,
      { demo: { 'SKILL.md': '# demo\n\nUse references/b.md and references/d.md.\n', ...refs } },
    );
    expect(r.status.termination).toBe('threshold-met');
    const exec = r.h.requestsFor('executor');
    expect(exec).toHaveLength(2);
    expect(exec[0]!.text).not.toMatch(/marker-/);
    const judged = r.h.requestsFor('judge')[0]!.text;
    expect(judged).toContain('marker-b');
    expect(judged).toContain('marker-d');
    expect(judged).not.toMatch(/marker-[ace]/);
    expect(judged).toContain('DELIVERABLE');
    expect(await skillFileUsage(r.h.db, 'demo')).toEqual({
      agentRuns: 1,
      files: [
        { path: 'references/b.md', runs: 1, reads: 1 },
        { path: 'references/d.md', runs: 1, reads: 1 },
      ],
    });
  });

  test('--execution inline: every file in one executor prompt, and in the judge prompt', async () => {
    const refs = Object.fromEntries(['a', 'b'].map((n) => [`references/${n}.md`, `marker-${n} guidance`]));
    const r = await runTune(
      { executor: () => ({ text: 'DELIVERABLE' }), judge: scores(90) },
      { threshold: '80', 'max-iterations': '1', execution: 'inline' },
      undefined,
      { demo: { 'SKILL.md': '# demo\n\nAll in one.\n', ...refs } },
    );
    const exec = r.h.requestsFor('executor');
    expect(exec).toHaveLength(1);
    expect(exec[0]!.text).toContain('marker-a');
    expect(r.h.requestsFor('judge')[0]!.text).toContain('marker-b');
    expect((await skillFileUsage(r.h.db, 'demo')).agentRuns).toBe(0);
  });
});
