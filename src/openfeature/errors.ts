import { FlagNotFoundError, GeneralError, OpenFeatureError } from '@openfeature/server-sdk';
import { ResolverError } from '../resolver';

/**
 * The resolver's failure as an OpenFeature error: the SDK turns these into the caller's default value
 * with an errorCode, so an application's flag call never throws because Refinery is away or a name is
 * wrong. Anything else would reach the SDK as an untyped error and lose the explanation.
 */
export function toOpenFeatureError(flagKey: string, err: unknown): OpenFeatureError {
  if (err instanceof OpenFeatureError) return err;
  // 404: the name (or the label asked for) does not exist, which is what FLAG_NOT_FOUND means to callers.
  if (err instanceof ResolverError && err.status === 404) return new FlagNotFoundError(err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new GeneralError(`refinery provider: cannot evaluate "${flagKey}": ${message}`);
}
