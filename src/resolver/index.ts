/**
 * The Refinery resolver: embed it in an application to serve library versions from memory (kept fresh
 * by the API's change feed, served stale when the API is down) and to report runs and feedback in
 * batches. See createResolver.
 */
export { createResolver } from './resolver';
export { ResolverError, type ResolverErrorCode } from './errors';
export { promptSpanAttributes } from './span';
export type {
  FeedbackInput,
  FeedbackResolution,
  GetOptions,
  LibraryContent,
  Resolved,
  ResolvedSource,
  Resolver,
  ResolverOptions,
  ResolverStats,
  RunInput,
} from './types';
