// The provider-neutral half of the fakes' batch endpoints: a batch's items are answered at creation by the same
// reply logic as single calls (scripted queue, then `respond`, then the echo), and the batch reports itself
// in progress for a configurable number of polls before it ends.
import type { RecordedRequest } from './fake-server-core';

/** How one item of a batch ended. `errored` carries the error the single call would have answered with. */
export type FakeBatchOutcome =
  | { kind: 'succeeded'; text: string; inputTokens: number; outputTokens: number; id: string }
  | { kind: 'errored'; status: number; type: string; message: string; id: string }
  | { kind: 'expired' }
  | { kind: 'canceled' };

export interface FakeBatchItem {
  customId: string;
  model: string;
  outcome: FakeBatchOutcome;
}

export interface FakeBatch {
  id: string;
  model: string | undefined;
  displayName: string | undefined;
  createdAt: string;
  endedAt: string | undefined;
  /** Status polls answered so far (a poll after the batch ended does not count). */
  polls: number;
  items: FakeBatchItem[];
}

export type FakeBatchItemFailure = 'errored' | 'expired' | 'canceled';

export interface FakeBatchOptions {
  /** Status polls that still see the batch in progress; 0 (the default) means it has ended at the first poll. */
  pollsBeforeEnd?: number;
  /** Fails chosen items whatever the responder would answer (`errored` as a 500 api_error). */
  failItem?: (item: RecordedRequest) => FakeBatchItemFailure | undefined;
  /** The next this-many status polls answer 503, as during an outage (they count as no poll of the batch). */
  unavailablePolls?: number;
  /** The next this-many creates answer 529 before accepting anything (nothing is stored or billed). */
  unavailableCreates?: number;
  /**
   * Runs once the batch is accepted (stored, listable, billed), before the create call is answered: a test kills the
   * worker here. `drop` then cuts the connection instead of answering, so the caller never learns the batch id.
   */
  afterAccept?: (batch: FakeBatch) => 'drop' | undefined | Promise<'drop' | undefined>;
}

/** One request inside a batch create body, before it is answered. */
export interface BatchItemRequest {
  customId: string;
  model: string | undefined;
  /** The item's single-call request body, so the dialect's `requestText` reads it like a single call. */
  body: unknown;
}

export type BatchRoute =
  | { kind: 'create'; model: string | undefined; displayName?: string; items: BatchItemRequest[] }
  | { kind: 'status'; id: string }
  | {
      kind: 'results';
      id: string;
      /** Which download of the batch (OpenAI: `output` or `error` file). */ part?: string;
    }
  | { kind: 'list' }
  | { kind: 'answer'; status: number; body: unknown };

/** The provider-specific half: batch endpoints and JSON shapes. */
export interface BatchDialect {
  route(method: string, path: string, body: unknown): BatchRoute | undefined;
  /**
   * One page of the list endpoint over every batch, newest first, with the API's own paging parameters. A listed
   * batch does not count as polled; `ended` says whether it has ended by now.
   */
  listBody(
    batches: FakeBatch[],
    query: URLSearchParams,
    ended: (batch: FakeBatch) => boolean,
    baseUrl: string,
  ): unknown;
  newId(sequence: number): string;
  /** The batch object as create and status answer with it. */
  statusBody(batch: FakeBatch, ended: boolean, baseUrl: string): unknown;
  /** The results download as JSONL lines (Anthropic, OpenAI); absent where results ride in the status body (Gemini). */
  resultLines?(batch: FakeBatch, part?: string): unknown[];
}

export function isEnded(batch: FakeBatch, options: FakeBatchOptions): boolean {
  return batch.polls >= (options.pollsBeforeEnd ?? 0);
}

/** Whether the batch has ended, without counting a poll (as the list endpoints show it). */
export function endedNow(batch: FakeBatch, options: FakeBatchOptions): boolean {
  if (!isEnded(batch, options)) return false;
  batch.endedAt ??= new Date().toISOString();
  return true;
}

/** Counts one status poll and says whether the batch has ended by now. */
export function pollBatch(batch: FakeBatch, options: FakeBatchOptions): boolean {
  if (isEnded(batch, options)) {
    batch.endedAt ??= new Date().toISOString();
    return true;
  }
  batch.polls++;
  return false;
}
