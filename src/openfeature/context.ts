import { InvalidContextError, type EvaluationContext } from '@openfeature/server-sdk';
import type { GetOptions } from '../resolver';

/**
 * What an evaluation context asks of the resolver: `targetingKey` is the unit (sticky rollout and A/B
 * assignment happen in the API, so it is passed through untouched) and an optional `label` attribute
 * picks a label other than production. Other attributes are the application's and are ignored.
 */
export function getOptionsOf(context: EvaluationContext): GetOptions {
  const { targetingKey, label } = context;
  const opts: GetOptions = {};
  if (label !== undefined) {
    if (typeof label !== 'string' || !label) {
      throw new InvalidContextError(
        `refinery provider: the "label" attribute must be a label name (got ${show(label)})`,
      );
    }
    opts.label = label;
  }
  if (targetingKey !== undefined) {
    // JavaScript callers can put anything here; a unit id is a string.
    if (typeof targetingKey !== 'string') {
      throw new InvalidContextError(`refinery provider: targetingKey must be a string (got ${show(targetingKey)})`);
    }
    // An empty key names no unit: the API treats it the same way.
    if (targetingKey) opts.unit = targetingKey;
  }
  return opts;
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
