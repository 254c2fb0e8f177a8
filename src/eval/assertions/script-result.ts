import {
  NO_HOST,
  SCRIPT_MEMORY_BYTES,
  SCRIPT_REASON_MAX_CHARS,
  SCRIPT_STACK_BYTES,
  SCRIPT_TEXT_CHARS,
} from './sandbox-limits';
import type { AssertionOf } from './schema';
import { failed, passed } from './result';
import type { AssertionResult } from './types';

type Script = AssertionOf<'javascript'>;

/**
 * A script's return value as the sandbox describes it: its kind, and for the kinds the contract accepts, the
 * parts that matter (numbers as text so NaN and Infinity survive JSON). Nothing else of the value leaves.
 */
export interface ScriptValue {
  t: string;
  v?: unknown;
}

/** What a script threw, described the same way: an Error's name and message, or a non-Error's kind. */
export interface ThrownValue {
  t: string;
  name?: unknown;
  message?: unknown;
  v?: unknown;
}

const EXPECTED = 'expected a boolean, a number or { pass, score?, reason? }';

/** Reasons and messages are cut short (longer reasons than SCRIPT_REASON_MAX_CHARS are refused outright). */
export function clip(text: string): string {
  return text.length > SCRIPT_TEXT_CHARS ? `${text.slice(0, SCRIPT_TEXT_CHARS)}…` : text;
}

function describe(t: string): string {
  if (t === 'null') return 'null';
  if (t === 'array') return 'an array';
  return t === 'object' ? 'an object without a boolean pass' : `a ${t}`;
}

/** A script's return value as a result: boolean, number (a score, passing at 0.5) or { pass, score?, reason? }. */
export function scriptResult(a: Script, value: ScriptValue): AssertionResult {
  const { t, v } = value;
  if (t === 'boolean' && typeof v === 'boolean') return v ? passed(a) : failed(a, 'returned false');
  if (t === 'number' && typeof v === 'string') {
    const n = Number(v);
    if (!Number.isFinite(n)) return failed(a, `returned ${v}; ${EXPECTED}`);
    return n >= 0.5 ? passed(a, n) : failed(a, `returned score ${n}, below 0.5`, n);
  }
  if (t === 'object' && typeof v === 'object' && v !== null) {
    const { pass, score, reason, reasonChars } = v as Record<string, unknown>;
    if (typeof reasonChars === 'number') {
      return failed(
        a,
        `returned a reason of ${reasonChars} characters; at most ${SCRIPT_REASON_MAX_CHARS} are accepted`,
      );
    }
    if (typeof pass === 'boolean') {
      const n = typeof score === 'string' ? Number(score) : undefined;
      if (score !== undefined && (n === undefined || !Number.isFinite(n))) {
        return failed(a, `returned a non-numeric score; ${EXPECTED}`);
      }
      const s = n ?? (pass ? 1 : 0);
      const why = typeof reason === 'string' ? clip(reason) : '';
      return pass ? passed(a, s, why) : failed(a, why || 'returned pass: false', s);
    }
  }
  return failed(a, `returned ${describe(t)}; ${EXPECTED}`);
}

/** Why a script that threw failed: the Error's message, with what the sandbox's own errors mean. */
export function thrownReason(thrown: ThrownValue): string {
  const { t, name, message, v } = thrown;
  if (t === 'error') {
    const text = typeof message === 'string' ? message : '';
    if (name === 'InternalError' && text === 'out of memory') {
      return `ran out of memory (the limit is ${SCRIPT_MEMORY_BYTES / 1024 / 1024} MiB)`;
    }
    if (name === 'InternalError' && text === 'stack overflow') {
      return `stack overflow: recursion too deep (the stack limit is ${SCRIPT_STACK_BYTES / 1024} KiB)`;
    }
    // `process`, `fetch`, `setTimeout`…: the usual way a script finds out it has no host.
    if (name === 'ReferenceError' && /is not defined$/.test(text)) return clip(`${text}: ${NO_HOST}`);
    return clip(text || `threw ${typeof name === 'string' ? name : 'an Error'} without a message`);
  }
  if (t === 'string' && typeof v === 'string') return clip(`threw the string ${JSON.stringify(v)}, not an Error`);
  if (typeof v === 'string') return `threw ${v}, not an Error`;
  if (t === 'null' || t === 'undefined') return `threw ${t}, not an Error`;
  return `threw ${describe(t === 'object' ? 'plain object' : t)}, not an Error`;
}
