import type { LibraryContent } from '../library/content';
import type { ResolverError } from './errors';

export type { LibraryContent };

export interface ResolverOptions {
  /** The Refinery API, e.g. https://refinery.internal:8080 */
  baseUrl: string;
  /** A bearer token: reader to resolve, writer to record runs and feedback. */
  token: string;
  /** Served for a name the resolver has never resolved while the API cannot answer for it. */
  fallback?: Record<string, { version?: number; content: LibraryContent }>;
  /** Safety re-fetch of every cached entry (If-None-Match, so usually a 304), in ms; default 30000, 0 turns it off. */
  refreshIntervalMs?: number;
  /** Timeout of each resolve request in ms; default 2000. */
  requestTimeoutMs?: number;
  /** How long one /v1/changes long poll waits on the server, in seconds (≤ 30); default 25. */
  changesWaitSeconds?: number;
  /** Cached (name, label|unit) entries kept; the least recently used is evicted past it. Default 10000. */
  maxEntries?: number;
  batch?: {
    /** Items per POST; a full batch is sent at once. Default 100, at most 1000 (the API's limit). */
    maxItems?: number;
    /** The longest an item waits for its batch to fill, in ms; default 1000. */
    maxDelayMs?: number;
    /** Runs + feedback held in memory; past it new items are dropped and reported. Default 100000. */
    maxQueue?: number;
    /** First retry delay after a failed send, in ms (doubles per failure, with jitter); default 500. */
    retryBaseMs?: number;
    /** Longest retry delay, in ms; default 30000. */
    retryMaxMs?: number;
    /** How long close() keeps retrying before it gives up on what is left, in ms; default 10000. */
    closeTimeoutMs?: number;
  };
  /** Replaces the global fetch (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
  /** Background problems; defaults to console.warn. Never throw from it: errors it throws are ignored. */
  onError?: (err: ResolverError) => void;
}

export interface GetOptions {
  /** The label to serve; default production. */
  label?: string;
  /** A unit id (user, tenant…) for sticky flag evaluation; cached per unit. */
  unit?: string;
}

/**
 * Where an answer came from: `api` a fetch made for this call, `cache` memory kept fresh by the change
 * feed, `stale` memory the resolver could not confirm lately (API down), `fallback` the configured one.
 */
export type ResolvedSource = 'api' | 'cache' | 'stale' | 'fallback';

export interface Resolved {
  name: string;
  label: string;
  /** The version served; a fallback without a version gives 0. */
  version: number;
  /** Content hash; empty for a fallback. */
  hash: string;
  /** Shared and frozen: copy it before changing it. */
  content: LibraryContent;
  /** Stable link to the version; empty for a fallback. */
  link: string;
  unit?: { id: string; bucket: number };
  source: ResolvedSource;
}

export interface RunInput {
  /** Your own id (8–100 characters) if you have one; otherwise the resolver makes a UUID. */
  id?: string;
  name: string;
  version: number;
  unitId?: string;
  /** Rounded to whole ms. */
  latencyMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** What failed; an Error gives its message. Cut to 2000 characters. */
  error?: string | Error;
  formatOk?: boolean;
  corrected?: boolean;
  regenerated?: boolean;
  /** What the application sent and what came back (optional; keep personal data out): the review queue
   * shows them with the run's feedback. Each cut to 20,000 characters. */
  input?: string;
  output?: string;
  /** When the run happened; default the time of the recordRun call. */
  at?: Date | string;
}

export interface FeedbackInput {
  id?: string;
  /** The run it is about; or give name and version. */
  runId?: string;
  name?: string;
  version?: number;
  thumbs?: 'up' | 'down';
  /** 1 to 5. */
  rating?: number;
  correction?: string;
  comment?: string;
  /** Who gave it (an opaque id): the review queue shows each user's rating tendency. */
  userId?: string;
  at?: Date | string;
}

export type ChangesState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export interface ResolverStats {
  /** Cached entries. */
  entries: number;
  /** The change feed: idle until the first get, connected while following it. */
  changes: ChangesState;
  queued: { runs: number; feedback: number };
  /** Items dropped so far (rejected by the API, queue full, or left at close). */
  dropped: number;
}

export interface Resolver {
  get(name: string, opts?: GetOptions): Promise<Resolved>;
  /** Queues a run and returns its id at once; never throws. */
  recordRun(run: RunInput): string;
  /** Queues feedback and returns its id at once; never throws. */
  recordFeedback(feedback: FeedbackInput): string;
  /** Sends what is queued now; resolves when it is delivered or after closeTimeoutMs with the count left. */
  flush(): Promise<{ pending: number }>;
  /** Stops background work and drains the queue (until closeTimeoutMs); reports what is left via onError. */
  close(): Promise<void>;
  stats(): ResolverStats;
  /**
   * Whether a feedback item was resolved: the version that fixed it once its case shipped through
   * `refinery improve` (GET /v1/feedback/{id}), or null while it is not. Rejects with a ResolverError
   * (code lookup-failed) when the API cannot answer or does not know the id.
   */
  feedbackResolution(feedbackId: string): Promise<FeedbackResolution | null>;
}

/** The fix of a feedback item, as the application tells its user. */
export interface FeedbackResolution {
  feedbackId: string;
  name: string;
  /** The version in production that fixed it. */
  version: number;
  resolvedAt: string;
}
