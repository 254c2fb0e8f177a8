import type { MetricFamily } from './prometheus';

export const AUTH_FAILURE_REASONS = ['missing', 'unknown', 'expired', 'revoked'] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/**
 * This API instance's authentication figures. They live in the process, not the store: each instance
 * is scraped on its own, and Prometheus sums them. Every reason is always written, at 0 until it
 * happens, so an alert rule on it has a series from the first scrape. No label ever carries a token.
 */
export function authMetrics(s: {
  failures: Record<AuthFailureReason, number>;
  validEntries: number;
  refusedEntries: number;
}): MetricFamily[] {
  return [
    {
      name: 'refinery_api_auth_failures_total',
      type: 'counter',
      help: 'Refused authentications on this API instance: no token, an unknown one, an expired one or a revoked one.',
      samples: AUTH_FAILURE_REASONS.map((reason) => ({ labels: { reason }, value: s.failures[reason] })),
    },
    {
      name: 'refinery_api_auth_cache_entries',
      type: 'gauge',
      help: 'Entries in the auth caches of this API instance: valid tokens, and recently refused ones.',
      samples: [
        { labels: { cache: 'valid' }, value: s.validEntries },
        { labels: { cache: 'refused' }, value: s.refusedEntries },
      ],
    },
  ];
}
