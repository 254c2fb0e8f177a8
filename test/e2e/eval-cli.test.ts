import fs from 'node:fs';
import path from 'node:path';
import type { FakeReply, RecordedRequest } from '../fakes/fake-server-core';
import { runCli } from '../support/cli';
import { evalHarness, type EvalHarness } from '../support/eval-harness';
import { sharedTestEnv } from '../support/shared-env';
import { uniqueId, withWorker } from '../support/temporal';

const open: EvalHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** Answers "ANSWER(<q>) from <version tag>"; the tag tells which prompt version asked. */
const answer =
  (broken: string[] = []) =>
  (req: RecordedRequest): FakeReply => {
    const q = /Question: (\S+)/.exec(req.text)?.[1] ?? '';
    const tag = /\[(v\d)\]/.exec(req.text)?.[1] ?? '?';
    if (broken.includes(`${tag}:${q}`)) return { text: `no idea (${tag})` };
    if (broken.includes(`${tag}:${q}:400`))
      return { status: 400, errorType: 'invalid_request_error', message: 'prompt too long' };
    return { text: `ANSWER(${q}) from ${tag}` };
  };

async function setup(broken: string[] = [], judge?: (req: RecordedRequest) => FakeReply) {
  const h = await evalHarness({ answer: answer(broken), judge });
  open.push(h);
  const taskQueue = uniqueId('tq');
  const env = {
    TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
    REFINERY_TASK_QUEUE: taskQueue,
    REFINERY_DATABASE_URL: h.dbUrl,
    REFINERY_USER: 'ana',
  };
  await h.prompt('qa', 'Question: {{q}} [v1]', true);
  await h.prompt('qa', 'Question: {{q}} [v2]');
  return { h, taskQueue, env };
}

function datasetFile(h: EvalHarness, lines: object[]): string {
  const file = path.join(h.dir, `cases-${uniqueId('d')}.jsonl`);
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

const qa = (ids: string[], required: string[] = []) =>
  ids.map((id) => ({
    id,
    vars: { q: id },
    assertions: [{ type: 'contains', value: `ANSWER(${id})` }],
    required: required.includes(id),
  }));

describe('refinery dataset and refinery eval', () => {
  test('import errors are line-numbered and store nothing (exit 2)', async () => {
    const { h, env } = await setup();
    const file = path.join(h.dir, 'bad.jsonl');
    fs.writeFileSync(
      file,
      '{"id":"a","vars":{"q":"a"}}\n{"id":"b","vars":{"q":"b"},"assertions":[{"type":"regex","value":"("}]}\n',
    );
    const r = await runCli(['dataset', 'add', 'qa-set', file, '--for', 'qa'], env);
    expect(r.code).toBe(2);
    expect(r.out).toContain('bad.jsonl:2: assertions');
    expect((await runCli(['dataset', 'list'], env)).out.trim()).toBe('');
  });

  test('a passing gate exits 0; the report shows the estimate and the figures', async () => {
    const { h, taskQueue, env } = await setup();
    expect(
      (await runCli(['dataset', 'add', 'qa-set', datasetFile(h, qa(['a', 'b', 'c'])), '--for', 'qa'], env)).out,
    ).toContain('qa-set@1: 3 cases');
    const r = await withWorker(taskQueue, { db: h.db, providers: h.providers }, () =>
      runCli(['eval', 'qa', '--gate'], env),
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/estimate: 3 cases, 3 calls/);
    expect(r.out).toContain('# Eval: qa v1 on qa-set@1');
    expect(r.out).toContain('## Gate: PASSED');
    expect(r.out).toContain('| contains | 3 | 0 |');
  });

  test.each([
    ['a required case fails', ['v1:b'], qa(['a', 'b', 'c'], ['b']), [], 'required-case-failed'],
    ['the pass rate is under the threshold', ['v1:b'], qa(['a', 'b', 'c']), ['--threshold', '0.9'], 'pass-rate'],
    [
      'a result is invalid (the provider refused the case)',
      ['v1:c:400'],
      qa(['a', 'b', 'c']),
      ['--threshold', '0.5'],
      'missing-or-invalid',
    ],
  ])('the gate fails with exit 100 when %s', async (_name, broken, cases, flags, cause) => {
    const { h, taskQueue, env } = await setup(broken);
    await runCli(['dataset', 'add', 'qa-set', datasetFile(h, cases), '--for', 'qa'], env);
    const r = await withWorker(taskQueue, { db: h.db, providers: h.providers }, () =>
      runCli(['eval', 'qa', '--gate', '--output', 'json', ...flags], env),
    );
    expect(r.code).toBe(100);
    const json = JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1));
    expect(json.gate.passed).toBe(false);
    expect(json.gate.failures.map((f: { cause: string }) => f.cause)).toContain(cause);
  });

  test('a case that passed on production and fails on the candidate is a regression (exit 100); junit output', async () => {
    const { h, taskQueue, env } = await setup(['v2:c']);
    await runCli(['dataset', 'add', 'qa-set', datasetFile(h, qa(['a', 'b', 'c'])), '--for', 'qa'], env);
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      expect((await runCli(['eval', 'qa', '--version', '1'], env)).code).toBe(0); // the baseline: production's run
      const r = await runCli(
        ['eval', 'qa', '--version', '2', '--gate', '--threshold', '0.5', '--output', 'junit'],
        env,
      );
      expect(r.code).toBe(100);
      expect(r.out).toContain('<testsuite name="qa" tests="3" failures="1" errors="0">');
      expect(r.out).toMatch(/<testcase classname="qa" name="c" time="[\d.]+">\n {6}<failure message="contains: /);
      const md = await runCli(['eval', 'qa', '--version', '2', '--gate', '--threshold', '0.5'], env);
      expect(md.out).toMatch(/\*\*regression\*\*: 1 case\(s\) passed in the baseline and now fail beyond noise — c/);
    });
  });

  test('with --repeat, a judge-graded flip within noise does not fail the gate', async () => {
    // The judge scores v1's answers 72, 68, 75, 70, 65 and v2's 69, 71, 66, 73, 67 (rubric threshold 70):
    // v1 passes 3 of 5 samples, v2 only 2 of 5 — but the scores overlap: noise, not a regression.
    const scores: Record<string, number[]> = { v1: [72, 68, 75, 70, 65], v2: [69, 71, 66, 73, 67] };
    const judge = (req: RecordedRequest): FakeReply => {
      const tag = /from (v\d)/.exec(req.text)?.[1] ?? 'v1';
      return { text: JSON.stringify({ score: scores[tag]!.shift() ?? 70, reason: 'graded' }) };
    };
    const { h, taskQueue, env } = await setup([], judge);
    const cases = [
      { id: 'essay', vars: { q: 'essay' }, assertions: [{ type: 'rubric', threshold: 70 }] },
      ...qa(['a', 'b']),
    ];
    await runCli(['dataset', 'add', 'qa-set', datasetFile(h, cases), '--for', 'qa'], env);
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      expect((await runCli(['eval', 'qa', '--version', '1', '--repeat', '5'], env)).code).toBe(0);
      const r = await runCli(
        ['eval', 'qa', '--version', '2', '--repeat', '5', '--gate', '--threshold', '0.6', '--output', 'json'],
        env,
      );
      const json = JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1));
      expect(json.gate.withinNoise.map((n: { caseId: string }) => n.caseId)).toEqual(['essay']);
      expect(json.judge).toMatchObject({ mean: 69.2, samples: 5 });
      expect(json.gate.passed).toBe(true);
      expect(r.code).toBe(0);
    });
  });

  test.each([
    [['eval', 'nope'], /no prompt or skill named "nope"/],
    [['eval', 'qa', '--dataset', 'missing@1'], /no dataset missing@1/],
    [['eval', 'qa', '--concurrency', '0'], /--concurrency 0: expected a whole number from 1 to 512/],
    [['eval', 'qa', '--output', 'xml'], /--output must be md, json or junit/],
  ])('bad input %j exits 2', async (args, message) => {
    const { env } = await setup();
    const r = await runCli(args, env);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(message);
  });
});
