/**
 * What went wrong, as one error type applications can switch on. Background work (refresh, the change
 * feed, delivery of runs and feedback) never throws into the application: it reports these through
 * `onError` instead, once per transition (healthy → failing), so an outage does not flood the log.
 */
export type ResolverErrorCode =
  /** get() could not resolve an uncached name and had no fallback (or served the fallback: see message). */
  | 'resolve-failed'
  /** A background re-fetch of a cached entry failed; the last good value is served as `stale`. */
  | 'refresh-failed'
  /** The long poll on /v1/changes fails; the resolver reconnects with backoff. */
  | 'changes-failed'
  /** A batch of runs or feedback could not be sent (network, 5xx, 408, 429); it stays queued and is retried. */
  | 'send-retrying'
  /** The API refused an item with a 4xx problem: that item is dropped (retrying cannot help). */
  | 'item-rejected'
  /** The queue was full: the new item was dropped. */
  | 'queue-full'
  /** close() gave up at its deadline: these items were never delivered. */
  | 'undelivered'
  /** The resolver is closed: the call was ignored. */
  | 'closed'
  /** feedbackResolution() got no answer, or the API does not know the feedback (not delivered yet?). */
  | 'lookup-failed';

export interface ResolverErrorDetails {
  /** HTTP status, when the API answered. */
  status?: number;
  /** The problem+json `detail` the API gave. */
  detail?: string;
  /** The problem+json `field` the API named. */
  field?: string;
  /** Ids of the runs or feedback items concerned (delivery errors). */
  ids?: string[];
  cause?: unknown;
}

export class ResolverError extends Error {
  override readonly name = 'ResolverError';
  readonly status?: number;
  readonly detail?: string;
  readonly field?: string;
  readonly ids?: string[];

  constructor(
    readonly code: ResolverErrorCode,
    message: string,
    details: ResolverErrorDetails = {},
  ) {
    super(`refinery resolver: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.status !== undefined) this.status = details.status;
    if (details.detail !== undefined) this.detail = details.detail;
    if (details.field !== undefined) this.field = details.field;
    if (details.ids !== undefined) this.ids = details.ids;
  }
}
