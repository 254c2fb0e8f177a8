import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { startTune } from '../src/clients/tune';
import { validateTuneInput } from '../src/cli/tune-input';
import { openStore } from '../src/store/open';
import { startFakeAnthropic } from '../test/fakes/fake-anthropic';
import { startFakeGemini } from '../test/fakes/fake-gemini';
import { appendImprovement, judgeIteration, judgeJson } from '../test/support/tune-harness';
import type { RecordedRequest } from '../test/fakes/fake-server-core';
import { median } from './stats';

const LATENCY_MS = 200;
const ITERATIONS = 5;

/**
 * Tune overhead: a 5-iteration run against fake providers answering in a fixed 200 ms, wall time
 * divided by the summed provider latency measured by the activities. Goal ≤ 1.10.
 */
export async function tuneOverhead(temporalAddress: string, bundlePath: string, runs: number) {
  // The judge's prompt names no iteration: the fake judge reads it from the store (judgeIteration).
  const route = async (req: RecordedRequest) => {
    if (req.text.includes('[refinery:judge]')) return { text: judgeJson(40 + 10 * (await judgeIteration(db))) };
    if (req.text.includes('[refinery:improver]')) return appendImprovement(req);
    return { text: 'the artifact' };
  };
  const anthropic = await startFakeAnthropic({ latencyMs: LATENCY_MS, respond: route });
  const gemini = await startFakeGemini({ latencyMs: LATENCY_MS, respond: route });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tune-'));
  const db = await openStore(`sqlite:${path.join(dir, 'bench.db')}`);
  const key = 'bench-key';
  const providers = {
    provider: 'auto' as const,
    anthropic: { apiKey: key, baseUrl: anthropic.baseUrl },
    gemini: { apiKey: key, baseUrl: gemini.baseUrl },
  };
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  const taskQueue = `bench-${process.pid}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { codePath: bundlePath },
    activities: createActivities({ db, providers }),
  });
  const samples: { wallMs: number; providerMs: number; ratio: number; calls: number }[] = [];
  await worker.runUntil(async () => {
    for (let i = 0; i < runs + 1; i++) {
      const skillDir = path.join(dir, `skill-${i}`);
      fs.mkdirSync(skillDir, { recursive: true });
      fs.writeFileSync(path.join(skillDir, 'SKILL.md'), `# bench ${i}\n\nA skill to tune.\n`);
      const tune = validateTuneInput([skillDir], {
        scenario: 'benchmark scenario',
        threshold: '101',
        'max-iterations': String(ITERATIONS),
        output: dir,
      });
      const t0 = performance.now();
      const [run] = await startTune(client, db, taskQueue, tune, { startedBy: 'bench' });
      const status = await run!.handle.result();
      const wallMs = performance.now() - t0;
      const row = await db.get<{ ms: number; n: number }>(
        'SELECT SUM(latency_ms) AS ms, COUNT(*) AS n FROM provider_calls WHERE run_id = ?',
        [run!.workflowId],
      );
      if (status.iteration !== ITERATIONS)
        throw new Error(`expected ${ITERATIONS} iterations, got ${status.iteration}`);
      // The first run warms the worker's workflow cache and connections: not counted.
      if (i > 0)
        samples.push({ wallMs, providerMs: Number(row!.ms), ratio: wallMs / Number(row!.ms), calls: Number(row!.n) });
    }
  });
  await connection.close();
  await nativeConnection.close();
  await anthropic.close();
  await gemini.close();
  await db.close();
  return {
    name: 'tune-overhead',
    description: `wall time of a ${ITERATIONS}-iteration tune ÷ summed provider latency, fake providers at ${LATENCY_MS} ms per call`,
    goal: '<= 1.10',
    medianRatio: median(samples.map((s) => s.ratio)),
    medianWallMs: median(samples.map((s) => s.wallMs)),
    medianProviderMs: median(samples.map((s) => s.providerMs)),
    samples,
  };
}
