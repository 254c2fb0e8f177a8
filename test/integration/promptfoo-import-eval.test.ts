import path from 'node:path';
import type { RecordedRequest } from '../fakes/fake-server-core';
import { runCli } from '../support/cli';
import { evalHarness } from '../support/eval-harness';
import { sharedTestEnv } from '../support/shared-env';
import { spawnWorkerProcess, uniqueId } from '../support/temporal';
import { getResults } from '../../src/store/evals';

const CONFIG = path.join(__dirname, '..', 'fixtures', 'promptfoo', 'files-and-chat', 'promptfooconfig.yaml');

/** The model under test, by the question in the rendered prompt. */
function answer(req: RecordedRequest): { text: string } {
  const question = /Answer: (.*)/.exec(req.text)?.[1] ?? '';
  if (question.startsWith('I want my money back')) return { text: 'Acme will refund you today.' };
  if (question.startsWith('Hello')) return { text: 'Hi there! Hello to you too.' };
  if (question.startsWith('Bonjour')) return { text: 'Bonjour ! Comment puis-je aider ?' };
  return { text: '{"order": 42}' };
}

describe('an imported promptfoo suite evaluates with the printed command', () => {
  test('the printed `refinery eval` runs the imported prompt on the imported dataset, generated scripts included', async () => {
    const h = await evalHarness({ answer });
    const taskQueue = uniqueId('tq');
    const env = {
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_DATABASE_URL: h.dbUrl,
      REFINERY_HOME: h.dir,
    };
    const worker = spawnWorkerProcess({ ...h.workerEnv, REFINERY_TASK_QUEUE: taskQueue });
    try {
      const imported = await runCli(['import', 'promptfoo', CONFIG, '--json'], env);
      expect(imported.code).toBe(0);
      const { evalCommands } = JSON.parse(imported.out) as { evalCommands: string[] };
      const command = evalCommands.find(
        (c) => c.startsWith('refinery eval support-agent ') && c.includes('anthropic:'),
      );
      expect(command).toBe(
        'refinery eval support-agent --version 1 --dataset files-and-chat@1 --model anthropic:claude-haiku-4-5',
      );
      // The judge runs on the Gemini fake; the command is run as printed, plus the output format.
      const args = [...command!.split(' ').slice(1), '--judge', 'gemini:gemini-2.5-flash', '--output', 'json'];
      const ran = await runCli(args, env);
      const result = JSON.parse(ran.out.slice(ran.out.indexOf('{'))) as { runId: string };
      expect(result).toMatchObject({ cases: 4, passed: 3, failed: 1, errors: 0 });
      const rows = await getResults(h.db, result.runId);
      const failed = rows.filter((r) => r.status !== 'pass').map((r) => r.caseId);
      const refund = rows.find((r) => r.caseId === 'test-1: Refund request')!;
      expect(refund.assertions.map((a) => [a.type, a.pass])).toEqual([
        ['rubric', true],
        ['javascript', true],
        ['contains', true],
        ['not-contains', true],
        ['javascript', true],
      ]);
      // "Bonjour …" does not start with "Hi": the only failure. The file script (threshold 0.5) and the inline one
      // passed on the worker from their stored copies.
      expect(failed).toEqual(['test-2.2: Greeting in two languages']);
      expect(ran.code).toBe(0);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await h.close();
    }
  });
});
