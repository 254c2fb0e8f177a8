import type { AssertionResult } from './types';

interface Source {
  type: string;
  weight?: number;
}

export function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}

export function passed(a: Source, score = 1, reason = ''): AssertionResult {
  return { type: a.type, pass: true, score: clamp01(score), weight: a.weight ?? 1, reason };
}

export function failed(a: Source, reason: string, score = 0): AssertionResult {
  return { type: a.type, pass: false, score: clamp01(score), weight: a.weight ?? 1, reason };
}

/** A quoted, shortened excerpt: reasons end up in reports and must stay one short line. */
export function preview(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
