import path from 'node:path';
import { NO_HOST, SCRIPT_REASON_MAX_CHARS } from '../../src/eval/assertions/sandbox-limits';

/** The folder of the hostile-script corpus (issue 12): every script there must end as a failed assertion. */
export const HOSTILE_DIR = path.join(__dirname, '..', 'eval', 'assertions', 'fixtures', 'hostile');

/** A short limit for the scripts that never end, so the corpus stays quick. */
export const HOSTILE_TIMEOUT_MS = 400;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const notDefined = (name: string) => new RegExp(`^${escape(`'${name}' is not defined: ${NO_HOST}`)}$`);
const refused = (how: string) => new RegExp(`^${escape(`${how} is not available: ${NO_HOST}`)}$`);

/** Each hostile script and the reason its failed assertion must give. */
export const HOSTILE_SCRIPTS: { file: string; reason: RegExp; timeoutMs?: number }[] = [
  { file: 'reads-process-env.cjs', reason: notDefined('process') },
  { file: 'reads-proc-environ.mjs', reason: refused('import "node:fs"') },
  { file: 'requires-fs.cjs', reason: refused('require("fs")') },
  { file: 'requires-child-process.cjs', reason: refused('require("child_process")') },
  { file: 'requires-net.cjs', reason: refused('require("net")') },
  { file: 'imports-dynamically.cjs', reason: refused('import "node:child_process"') },
  { file: 'calls-fetch.cjs', reason: notDefined('fetch') },
  { file: 'uses-timers.cjs', reason: notDefined('setTimeout') },
  {
    file: 'loops-forever.cjs',
    reason: new RegExp(`^timed out after ${HOSTILE_TIMEOUT_MS} ms$`),
    timeoutMs: HOSTILE_TIMEOUT_MS,
  },
  // A generous limit: growing a fresh engine's memory to its cap takes a second or more on a busy machine, and the
  // point here is the memory limit, not the time limit.
  { file: 'allocates-without-bound.cjs', reason: /^ran out of memory \(the limit is 32 MiB\)$/, timeoutMs: 30_000 },
  { file: 'recurses-deeply.cjs', reason: /^stack overflow: recursion too deep \(the stack limit is 256 KiB\)$/ },
  { file: 'pollutes-prototypes.cjs', reason: /^x{2000}…$/ },
  { file: 'throws-number.cjs', reason: /^threw 42, not an Error$/ },
  { file: 'throws-null.cjs', reason: /^threw null, not an Error$/ },
  { file: 'throws-object.cjs', reason: /^threw a plain object, not an Error$/ },
  {
    file: 'returns-huge-reason.cjs',
    reason: new RegExp(`^returned a reason of 2000000 characters; at most ${SCRIPT_REASON_MAX_CHARS} are accepted$`),
  },
  { file: 'returns-huge-array.cjs', reason: /^returned an array; expected a boolean/ },
  { file: 'never-resolves.cjs', reason: /^returned a Promise that never settles$/ },
  { file: 'escapes-via-constructor.cjs', reason: notDefined('process') },
];
