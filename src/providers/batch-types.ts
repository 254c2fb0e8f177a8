import type { CompletionRequest, CompletionResult } from './types';

/**
 * The providers' asynchronous batch APIs (Anthropic Message Batches, Gemini Batch Mode, OpenAI Batch API): many requests
 * submitted at once, answered within hours at half the list price. Only the providers that have one.
 */
export type BatchProviderName = 'anthropic' | 'gemini' | 'openai';

/** One request of a batch; `customId` finds its answer again (Anthropic allows ^[a-zA-Z0-9_-]{1,64}$). */
export interface BatchItem {
  customId: string;
  request: CompletionRequest;
}

/**
 * What became of one item once its batch ended. `result.costUsd` is at batch prices; `latencyMs` is 0 (a batch
 * has no per-request latency). `index` is the item's position when the provider answers in request order (Gemini),
 * which finds the item even when its id did not come back.
 */
export type BatchItemOutcome = { customId: string; index?: number } & (
  { kind: 'succeeded'; result: CompletionResult } | { kind: 'failed'; reason: string }
);

export interface BatchState {
  /** True once the provider will change nothing more: every item succeeded, failed, expired or was cancelled. */
  ended: boolean;
  /** The provider's own word for the state (`in_progress`, `JOB_STATE_RUNNING`...), for logs. */
  state: string;
}

export interface BatchCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * What a retry knows of a batch it may have created without hearing its id: every custom id of the request and the
 * display name carry `marker` (unique to the chunk), and the provider made it between `since` and `until`.
 */
export interface BatchSearch {
  marker: string;
  customIds: readonly string[];
  displayName: string;
  since: string;
  until: string;
  /** Batch ids other chunks already hold. */
  exclude: ReadonlySet<string>;
  /**
   * Whether a batch that matches on all the list shows (window, item count) but cannot be read yet (Anthropic's
   * results appear once it ends) may be taken: only when no other open intent could own it.
   */
  adoptUnreadable: boolean;
}

/**
 * `found` (verified when the provider showed the chunk's ids or marker), `none` (the provider never took the batch:
 * submitting now pays once), or `undecided` (candidates that cannot be told apart until they end).
 */
export type BatchSearchResult =
  { kind: 'found'; batchId: string; verified: boolean } | { kind: 'none' } | { kind: 'undecided'; candidates: number };

export interface BatchProvider {
  readonly name: BatchProviderName;
  /** Submits the items as one batch for model and returns the provider's batch id. */
  submit(
    model: string,
    items: readonly BatchItem[],
    options?: BatchCallOptions & { displayName?: string },
  ): Promise<string>;
  state(batchId: string, options?: BatchCallOptions): Promise<BatchState>;
  /** One outcome per item the provider reports on; an item missing from the list failed too. */
  results(batchId: string, model: string, options?: BatchCallOptions): Promise<BatchItemOutcome[]>;
  /** Looks through the provider's recent batches for the one a dead attempt created (see BatchSearch). */
  find(search: BatchSearch, options?: BatchCallOptions): Promise<BatchSearchResult>;
}
