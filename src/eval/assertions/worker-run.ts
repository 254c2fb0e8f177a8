import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { createSlots } from './slots';
import { WORKER_SOURCE } from './worker-source';

export interface ScriptInput {
  /** Absolute path of the script. */
  file: string;
  /** How errors name the script: its path as the dataset wrote it. */
  name: string;
  output: string;
  context: unknown;
}

export type ScriptOutcome =
  { kind: 'value'; value: unknown } | { kind: 'error'; message: string } | { kind: 'timeout' };

/**
 * Runs the script's function in a fresh worker thread, killed after `limitMs`.
 * Fresh per call (no pool): each run gets its own module cache and globals, so no state leaks between cases,
 * and a call costs ~30 ms, small next to a model call. At most one worker per core runs at a time; the limit
 * starts once a worker is spawned and covers its startup.
 */
export function runScript(input: ScriptInput, limitMs: number): Promise<ScriptOutcome> {
  return slot(() => spawn(input, limitMs));
}

const slot = createSlots(Math.max(1, os.availableParallelism()));

function spawn(input: ScriptInput, limitMs: number): Promise<ScriptOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: input,
      // Not the parent's environment: it holds provider API keys that assertion scripts have no need for.
      env: {},
      // Not the parent's flags either (tsx loaders, inspector): they slow startup and are not the script's business.
      execArgv: [],
      // Script logging would interleave with the CLI's own (possibly JSON) output; discard it.
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const settle = (outcome: ScriptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Terminate even after a result: the script may have left timers or sockets open.
      worker.terminate().then(
        () => resolve(outcome),
        () => resolve(outcome),
      );
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), limitMs);
    worker.on('message', (message: unknown) => settle(toOutcome(message)));
    worker.on('error', (err) => settle({ kind: 'error', message: err.message }));
    worker.on('exit', (code) =>
      settle({ kind: 'error', message: `${input.name} exited (code ${code}) without a result` }),
    );
  });
}

function toOutcome(message: unknown): ScriptOutcome {
  const m = message as { ok?: unknown; value?: unknown; message?: unknown } | null;
  if (m?.ok === true) return { kind: 'value', value: m.value };
  return { kind: 'error', message: typeof m?.message === 'string' ? m.message : 'unknown error' };
}
