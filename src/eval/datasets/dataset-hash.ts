import { createHash } from 'node:crypto';
import type { DatasetCase } from './case';

/**
 * JSON with object keys sorted and undefined members left out, so equal content always gives equal text
 * whatever the key order of the file or of the object that was built from it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
}

/**
 * Content hash of a dataset (hex sha256 of its canonical JSON): the same cases in the same order give the same
 * hash whichever format they were written in, so an eval can pin the dataset version it ran against.
 */
export function datasetHash(cases: readonly DatasetCase[]): string {
  return createHash('sha256').update(canonicalJson(cases)).digest('hex');
}
