import type { ProviderName } from './types';

export type ProviderErrorKind =
  | 'rate_limited'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'network'
  | 'cancelled'
  | 'conflict'
  | 'malformed_response'
  | 'auth'
  | 'permission_denied'
  | 'bad_request'
  | 'not_found'
  | 'content_filtered'
  | 'unknown';

// Transient kinds may succeed on a later attempt; the rest will fail the same way until someone changes
// the request, the key or the config. `cancelled` is retryable so a worker shutdown hands the call to another worker.
const RETRYABLE_BY_KIND: Record<ProviderErrorKind, boolean> = {
  rate_limited: true,
  overloaded: true,
  server: true,
  timeout: true,
  network: true,
  cancelled: true,
  conflict: true,
  malformed_response: true,
  unknown: true,
  auth: false,
  permission_denied: false,
  bad_request: false,
  not_found: false,
  content_filtered: false,
};

export interface ProviderErrorInit {
  provider: ProviderName;
  kind: ProviderErrorKind;
  /** Must already be free of secrets: it ends up in Temporal history and logs. */
  message: string;
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  cause?: Error;
}

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly provider: ProviderName;
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: ProviderErrorInit) {
    super(init.message, init.cause ? { cause: init.cause } : undefined);
    this.provider = init.provider;
    this.kind = init.kind;
    this.status = init.status;
    this.retryable = init.retryable ?? RETRYABLE_BY_KIND[init.kind];
    this.retryAfterMs = init.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      provider: this.provider,
      kind: this.kind,
      status: this.status,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}
