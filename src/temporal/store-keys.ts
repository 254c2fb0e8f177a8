/**
 * Where a run carries the store it was started against. Clients put it in the memo (visible in the Web UI
 * and in visibility listings); the workflow interceptor copies it onto a header of every activity, child
 * workflow and continue-as-new, and the worker's activity interceptor compares that header with its own
 * store. No imports: the workflow bundle includes this file.
 */
export const STORE_MEMO_KEY = 'refineryStore';
export const STORE_HEADER = 'refinery-store';

/** What a run carries: the store's id and where it lives (never a credential). */
export interface RunStore {
  id: string;
  label: string;
}

export function isRunStore(value: unknown): value is RunStore {
  const v = value as Partial<RunStore> | null | undefined;
  return typeof v?.id === 'string' && typeof v.label === 'string';
}
