import fs from 'node:fs';
import path from 'node:path';
import { storedScripts } from '../../src/activities/eval/stored-scripts';
import { captureScripts } from '../../src/eval/dataset-scripts';
import type { EvalCase } from '../../src/eval/types';
import { getBlob } from '../../src/store/blobs';
import { addDatasetVersion, getDatasetCases, getResults } from '../../src/store/evals';
import type { RecordedRequest } from '../fakes/fake-server-core';
import { runCli } from '../support/cli';
import { evalHarness, type EvalHarness } from '../support/eval-harness';
import { sharedTestEnv } from '../support/shared-env';
import { describeEachStore } from '../support/store-backends';
import { spawnWorkerProcess, tempDir, uniqueId } from '../support/temporal';

const open: EvalHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

const SCRIPT_V1 = `module.exports = (output, context) =>
  output.includes('q1') ? { pass: false, reason: 'stored script v1 rejects ' + context.vars.q } : output.startsWith('ANSWER(');
`;

/** A dataset folder as a user keeps it: the cases and the script they name, side by side. */
function datasetFolder(script: string): { folder: string; file: string } {
  const folder = tempDir('dataset');
  fs.mkdirSync(path.join(folder, 'checks'));
  fs.writeFileSync(path.join(folder, 'checks', 'answer.cjs'), script);
  const file = path.join(folder, 'qa.jsonl');
  fs.writeFileSync(
    file,
    ['q0', 'q1', 'q2']
      .map((q) =>
        JSON.stringify({ id: q, vars: { q }, assertions: [{ type: 'javascript', file: 'checks/answer.cjs' }] }),
      )
      .join('\n'),
  );
  return { folder, file };
}

describe('javascript assertions travel with the dataset version', () => {
  test('an eval runs them on a worker whose working directory does not hold the script', async () => {
    const h = await evalHarness({
      answer: (req: RecordedRequest) => ({ text: `ANSWER(${/Question: (.*)/.exec(req.text)?.[1] ?? ''})` }),
    });
    open.push(h);
    await h.prompt('qa', 'Question: {{q}}', true);
    const taskQueue = uniqueId('tq');
    const env = {
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_DATABASE_URL: h.dbUrl,
      REFINERY_HOME: h.dir,
    };
    const { folder, file } = datasetFolder(SCRIPT_V1);
    const added = await runCli(['dataset', 'add', 'qa-set', file, '--for', 'qa'], env);
    expect(added).toMatchObject({ code: 0, out: expect.stringContaining('dataset qa-set@1: 3 cases') });
    // The dataset's folder is gone before any worker runs: only the store's copy can be run.
    fs.rmSync(folder, { recursive: true });

    const workerCwd = tempDir('elsewhere');
    const worker = spawnWorkerProcess(
      { ...h.workerEnv, REFINERY_TASK_QUEUE: taskQueue, REFINERY_HOME: path.join(workerCwd, 'home') },
      { cwd: workerCwd },
    );
    try {
      const ran = await runCli(['eval', 'qa', '--dataset', 'qa-set@1', '--output', 'json'], env);
      expect(ran.code).toBe(0);
      const result = JSON.parse(ran.out.slice(ran.out.indexOf('{'))) as {
        runId: string;
        passed: number;
        failed: number;
      };
      expect(result).toMatchObject({ passed: 2, failed: 1, errors: 0 });
      const failed = (await getResults(h.db, result.runId)).find((r) => r.caseId === 'q1')!;
      expect(JSON.stringify(failed)).toContain('stored script v1 rejects q1');
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    expect(fs.readdirSync(workerCwd).filter((f) => f !== 'home')).toEqual([]);
  });

  test('`refinery dataset add` of a changed script makes a new version with another hash', async () => {
    const h = await evalHarness({ answer: () => ({ text: 'x' }) });
    open.push(h);
    const env = { REFINERY_DATABASE_URL: h.dbUrl, REFINERY_HOME: h.dir };
    const { folder, file } = datasetFolder(SCRIPT_V1);
    expect((await runCli(['dataset', 'add', 'qa-set', file], env)).out).toContain('dataset qa-set@1');
    expect((await runCli(['dataset', 'add', 'qa-set', file], env)).out).toContain(
      'unchanged — the cases are version 1',
    );
    fs.writeFileSync(path.join(folder, 'checks', 'answer.cjs'), SCRIPT_V1.replace('v1', 'v2'));
    expect((await runCli(['dataset', 'add', 'qa-set', file], env)).out).toContain('dataset qa-set@2');
    const hashes = await h.db.all<{ version: number; hash: string }>(
      'SELECT version, hash FROM datasets WHERE name = ? ORDER BY version',
      ['qa-set'],
    );
    expect(hashes).toHaveLength(2);
    expect(hashes[0]!.hash).not.toBe(hashes[1]!.hash);

    fs.rmSync(path.join(folder, 'checks', 'answer.cjs'));
    const missing = await runCli(['dataset', 'add', 'qa-set', file], env);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('case q0: javascript assertion checks/answer.cjs: file not found');
  });
});

describeEachStore('dataset scripts in the store', (backend) => {
  test('the hash covers the script; workers run the stored copy, and say so when a version has none', async () => {
    const db = await backend.open();
    const { folder } = datasetFolder(SCRIPT_V1);
    const cases: EvalCase[] = [
      {
        id: 'q0',
        vars: { q: 'q0' },
        assertions: [{ type: 'javascript', file: 'checks/answer.cjs' }],
        tags: [],
        required: false,
      },
    ];
    const add = async () => {
      const captured = await captureScripts(cases, folder);
      return addDatasetVersion(db, {
        name: 'qa',
        cases: captured.cases,
        scripts: captured.sources,
        source: 'qa.jsonl',
        author: 'ana',
      });
    };
    const first = await add();
    expect(first).toMatchObject({ version: 1, created: true });
    expect(await add()).toMatchObject({ version: 1, created: false, hash: first.hash });
    fs.writeFileSync(path.join(folder, 'checks', 'answer.cjs'), SCRIPT_V1.replace('v1', 'v2'));
    const second = await add();
    expect(second).toMatchObject({ version: 2, created: true });
    expect(second.hash).not.toBe(first.hash);

    const [stored] = await getDatasetCases(db, 'qa', 2);
    const assertion = stored!.assertions[0] as { file: string; sourceRef: string };
    expect(await getBlob(db, assertion.sourceRef)).toBe(SCRIPT_V1.replace('v1', 'v2'));
    fs.rmSync(folder, { recursive: true });
    const resolved = await storedScripts(db)(assertion);
    expect(resolved.ok && fs.readFileSync(resolved.path, 'utf8')).toBe(SCRIPT_V1.replace('v1', 'v2'));
    expect(await storedScripts(db)({ file: 'evil.sh', sourceRef: '../../etc/passwd' })).toMatchObject({
      ok: false,
      reason: 'evil.sh: the stored script reference is malformed: import the dataset again',
    });
    expect(await storedScripts(db)({ file: 'checks/answer.cjs' })).toEqual({
      ok: false,
      reason:
        'checks/answer.cjs: this dataset version holds no copy of the script: import the dataset again with `refinery dataset add`',
    });
  });
});
