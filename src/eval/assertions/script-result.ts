import type { AssertionOf } from './schema';
import { failed, passed } from './result';
import type { AssertionResult } from './types';

type Script = AssertionOf<'javascript'>;

const EXPECTED = 'expected a boolean, a number or { pass, score?, reason? }';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object without a boolean pass' : `a ${typeof value}`;
}

/** A script's return value as a result: boolean, number (a score, passing at 0.5) or { pass, score?, reason? }. */
export function scriptResult(a: Script, value: unknown): AssertionResult {
  if (typeof value === 'boolean') return value ? passed(a) : failed(a, 'returned false');
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return failed(a, `returned ${value}; ${EXPECTED}`);
    return value >= 0.5 ? passed(a, value) : failed(a, `returned score ${value}, below 0.5`, value);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { pass, score, reason } = value as { pass?: unknown; score?: unknown; reason?: unknown };
    if (typeof pass === 'boolean') {
      if (score !== undefined && (typeof score !== 'number' || !Number.isFinite(score))) {
        return failed(a, `returned a non-numeric score; ${EXPECTED}`);
      }
      const s = score ?? (pass ? 1 : 0);
      const why = typeof reason === 'string' ? reason : '';
      return pass ? passed(a, s, why) : failed(a, why || 'returned pass: false', s);
    }
  }
  return failed(a, `returned ${describe(value)}; ${EXPECTED}`);
}
