import fs from 'node:fs';
import path from 'node:path';
import { getResults } from '../../src/store/evals';
import { runCli } from '../support/cli';
import { evalHarness } from '../support/eval-harness';
import { HOSTILE_DIR, HOSTILE_SCRIPTS } from '../support/hostile-scripts';
import { sharedTestEnv } from '../support/shared-env';
import { spawnWorkerProcess, uniqueId } from '../support/temporal';
import { MARKER_KEY } from '../support/tune-harness';

const HEALTHY = `module.exports = (output) => ({ pass: output === 'the answer', reason: 'healthy script ran' });\n`;

/** Every file of the stored SQLite database, as text: the marker key must be in none of them. */
function storeFiles(dir: string): string {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('r.db'))
    .map((f) => fs.readFileSync(path.join(dir, f)).toString('latin1'))
    .join('\n');
}

describe('hostile assertion scripts on a real worker', () => {
  test('each ends as a failed assertion, the worker keeps serving, and its API key is stored nowhere', async () => {
    const h = await evalHarness({ answer: () => ({ text: 'the answer' }) });
    try {
      await h.prompt('qa', 'Question: {{q}}', true);
      // The corpus sits beside the dataset, as a dataset author would keep it; `dataset add` stores each script.
      fs.cpSync(HOSTILE_DIR, path.join(h.dir, 'hostile'), { recursive: true });
      fs.writeFileSync(path.join(h.dir, 'hostile', 'healthy.cjs'), HEALTHY);
      const cases = [
        ...HOSTILE_SCRIPTS.map(({ file, timeoutMs }) => ({
          id: file,
          vars: { q: file },
          assertions: [{ type: 'javascript' as const, file: `hostile/${file}`, ...(timeoutMs ? { timeoutMs } : {}) }],
        })),
        {
          id: 'after-polluter',
          vars: { q: 'x' },
          assertions: [{ type: 'javascript' as const, file: 'hostile/checks-prototypes.cjs' }],
        },
        { id: 'healthy', vars: { q: 'y' }, assertions: [{ type: 'javascript' as const, file: 'hostile/healthy.cjs' }] },
      ];
      await h.dataset('hostile', cases);

      const taskQueue = uniqueId('tq');
      // The worker holds the provider keys (the marker) in its environment, as a production worker does.
      const worker = spawnWorkerProcess({ ...h.workerEnv, REFINERY_TASK_QUEUE: taskQueue });
      expect(h.workerEnv.ANTHROPIC_API_KEY).toBe(MARKER_KEY);
      const env = {
        TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
        REFINERY_TASK_QUEUE: taskQueue,
        REFINERY_DATABASE_URL: h.dbUrl,
        REFINERY_HOME: h.dir,
      };
      const evaluate = async () => {
        const ran = await runCli(['eval', 'qa', '--dataset', 'hostile@1', '--output', 'json'], env);
        expect(ran.code).toBe(0);
        const summary = JSON.parse(ran.out.slice(ran.out.indexOf('{'))) as { runId: string };
        return getResults(h.db, summary.runId);
      };
      try {
        const results = await evaluate();
        expect(results).toHaveLength(HOSTILE_SCRIPTS.length + 2);
        for (const { file, reason } of HOSTILE_SCRIPTS) {
          const r = results.find((x) => x.caseId === file)!;
          expect({ file, status: r.status, error: r.error }).toEqual({ file, status: 'fail', error: null });
          expect(r.assertions).toHaveLength(1);
          expect(r.assertions[0]).toMatchObject({ type: 'javascript', pass: false, score: 0 });
          expect(r.assertions[0]!.reason).toMatch(reason);
        }
        for (const id of ['after-polluter', 'healthy']) {
          expect(results.find((x) => x.caseId === id)).toMatchObject({ status: 'pass' });
        }
        // The same worker process serves a second run after the whole corpus.
        expect(worker.child.exitCode).toBeNull();
        const again = await evaluate();
        expect(again.find((x) => x.caseId === 'healthy')).toMatchObject({
          status: 'pass',
          assertions: [expect.objectContaining({ reason: 'healthy script ran' })],
        });
        expect(worker.child.exitCode).toBeNull();

        expect(JSON.stringify([results, again])).not.toContain(MARKER_KEY);
        expect(storeFiles(h.dir)).not.toContain(MARKER_KEY);
        expect(worker.output()).not.toContain(MARKER_KEY);
      } finally {
        worker.child.kill('SIGTERM');
        await worker.exited;
      }
    } finally {
      await h.close();
    }
  });
});
