import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Semaphore } from '../../concurrency/semaphore';
import {
  NO_HOST,
  SCRIPT_MEMORY_BYTES,
  SCRIPT_REASON_MAX_CHARS,
  SCRIPT_STACK_BYTES,
  SCRIPT_TEXT_CHARS,
} from './sandbox-limits';
import type { ScriptValue, ThrownValue } from './script-result';
import { WORKER_SOURCE } from './worker-source';

// Resolved here, where Node's resolution knows this package; the worker is evaluated source with no location.
const QUICKJS = require.resolve('quickjs-emscripten');
const WASM_FILE = require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm', { paths: [path.dirname(QUICKJS)] });
// The project's type libraries leave WebAssembly out (no DOM lib); this is the one call used, and the compiled
// module is only passed through to the engine.
type WasmModule = object;
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> };
let compiled: Promise<WasmModule> | undefined;
/** The engine's WebAssembly, compiled once per process and handed to every worker (it skips compiling again). */
function engineCode(): Promise<WasmModule> {
  compiled ??= fs.promises
    .readFile(WASM_FILE)
    .then((bytes) => WebAssembly.compile(bytes))
    .catch((err: unknown) => {
      compiled = undefined; // tried again on the next call rather than failing every call after a fluke
      throw err;
    });
  return compiled;
}

export interface ScriptInput {
  /** The script's source text. */
  source: string;
  /** How errors name the script: its path as the dataset wrote it. Its extension picks the module kind. */
  name: string;
  output: string;
  /** Plain JSON data (the caller made it so). */
  context: unknown;
}

export type ScriptOutcome =
  | { kind: 'value'; value: ScriptValue }
  | { kind: 'thrown'; thrown: ThrownValue }
  | { kind: 'error'; message: string }
  | { kind: 'timeout' };

/**
 * Runs the script's function in a fresh worker thread, in a fresh QuickJS (WebAssembly) engine inside it,
 * stopped at `limitMs` both by the engine's interrupt deadline and, should a long native call not reach an
 * interrupt check, by terminating the thread.
 * Fresh per call (no pool): each run gets its own engine and globals, so no state leaks between cases, and an
 * engine left broken by a hostile script dies with its thread. At most one worker per core runs at a time;
 * the limit starts once a worker is spawned and covers its startup.
 */
export async function runScript(input: ScriptInput, limitMs: number): Promise<ScriptOutcome> {
  const wasm = await engineCode();
  return slots.run(() => spawn(input, wasm, limitMs));
}

// At most one worker per core, the rest queued in arrival order: started all at once, fifty of them on two cores
// each took over two seconds just to boot, so time limits fired on healthy scripts.
const slots = new Semaphore(Math.max(1, os.availableParallelism()));

function kindOf(name: string): 'cjs' | 'module' | 'js' {
  if (name.endsWith('.mjs')) return 'module';
  return name.endsWith('.cjs') ? 'cjs' : 'js';
}

function spawn(input: ScriptInput, wasm: WasmModule, limitMs: number): Promise<ScriptOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        ...input,
        kind: kindOf(input.name),
        deadline: Date.now() + limitMs,
        quickjs: QUICKJS,
        wasm,
        memoryBytes: SCRIPT_MEMORY_BYTES,
        stackBytes: SCRIPT_STACK_BYTES,
        maxText: SCRIPT_TEXT_CHARS,
        maxReason: SCRIPT_REASON_MAX_CHARS,
        // Room for the longest accepted reason, escaped; more means the script broke the prelude's cutting.
        maxJson: 6 * SCRIPT_REASON_MAX_CHARS + 1000,
        noHost: NO_HOST,
      },
      // Not the parent's environment either, as a second wall: the script cannot reach the thread, but if it
      // ever could, the provider API keys are not there (the process's own /proc/self/environ still would be).
      env: {},
      // Not the parent's flags either (tsx loaders, inspector): they slow startup and are not the script's business.
      execArgv: [],
      // The engine's console discards; this keeps any message of the host side out of the CLI's output too.
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
  const m = message as { ok?: unknown; value?: unknown; thrown?: unknown; message?: unknown; timeout?: unknown } | null;
  if (m?.timeout === true) return { kind: 'timeout' };
  if (m?.ok === true) return { kind: 'value', value: m.value as ScriptValue };
  if (m?.thrown !== undefined) return { kind: 'thrown', thrown: m.thrown as ThrownValue };
  return { kind: 'error', message: typeof m?.message === 'string' ? m.message : 'unknown error' };
}
