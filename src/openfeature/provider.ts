import {
  GeneralError,
  StandardResolutionReasons,
  TypeMismatchError,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import { createResolver, type Resolved, type Resolver, type ResolverOptions } from '../resolver';
import { getOptionsOf } from './context';
import { toOpenFeatureError } from './errors';
import type { RefineryProviderOptions, WarmFlag } from './options';
import { metadataOf, objectValue, stringValue } from './values';

/**
 * OpenFeature server provider over the Refinery resolver: the flag key is a prompt or skill name, the
 * value is the version the API serves for the context's label and unit. Evaluations answer from the
 * resolver's memory (kept fresh by the change feed), so they cost no request after the first.
 */
export class RefineryProvider implements Provider {
  readonly metadata = { name: 'refinery' } as const;
  readonly runsOn = 'server' as const;
  private current: Resolver;
  /** Set when the provider built its resolver: only then is closing it the provider's business. */
  private readonly owned: ResolverOptions | undefined;
  private readonly warm: WarmFlag[];
  private closed = false;

  constructor(options: RefineryProviderOptions) {
    this.warm = options.warm ?? [];
    if (options.resolver) {
      this.owned = undefined;
      this.current = options.resolver;
    } else {
      const { warm: _warm, resolver: _none, ...settings } = options;
      this.owned = settings;
      this.current = createResolver(settings);
    }
  }

  /** The resolver evaluations use, e.g. to record runs and feedback of the version a flag served. */
  get resolver(): Resolver {
    return this.current;
  }

  /** Resolves the warm-up flags; rejects (so setProviderAndWait does) naming each one that failed. */
  async initialize(): Promise<void> {
    // Registered again after OpenFeature.clearProviders() closed it: a closed resolver only serves memory.
    if (this.owned && this.closed) {
      this.current = createResolver(this.owned);
      this.closed = false;
    }
    const results = await Promise.allSettled(
      this.warm.map((flag) => (typeof flag === 'string' ? this.current.get(flag) : this.current.get(flag.name, flag))),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [errorText(r.reason)] : []));
    if (failures.length) {
      throw new GeneralError(
        `refinery provider: warm-up failed for ${failures.length} flag(s): ${failures.join('; ')}`,
      );
    }
  }

  async onClose(): Promise<void> {
    if (!this.owned || this.closed) return;
    this.closed = true;
    await this.current.close();
  }

  resolveNumberEvaluation(flagKey: string, _default: number, context: EvaluationContext) {
    return this.evaluate(flagKey, context, (r) => r.version);
  }

  resolveStringEvaluation(flagKey: string, _default: string, context: EvaluationContext) {
    return this.evaluate(flagKey, context, stringValue);
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, _default: T, context: EvaluationContext) {
    // The SDK leaves checking T to the caller; the shape is documented: { name, version, hash, content, link }.
    return this.evaluate(flagKey, context, (r) => objectValue(r) as T);
  }

  resolveBooleanEvaluation(flagKey: string): Promise<ResolutionDetails<boolean>> {
    return Promise.reject(
      new TypeMismatchError(
        `refinery provider: "${flagKey}" is a prompt or skill version; evaluate it as a number, string or object`,
      ),
    );
  }

  private async evaluate<T>(
    flagKey: string,
    context: EvaluationContext,
    valueOf: (r: Resolved) => T,
  ): Promise<ResolutionDetails<T>> {
    try {
      const opts = getOptionsOf(context ?? {});
      const resolved = await this.current.get(flagKey, opts);
      return {
        value: valueOf(resolved),
        variant: `v${resolved.version}`,
        // With a unit the API may place it in a rollout arm; without one every caller gets the label's version.
        reason: opts.unit !== undefined ? StandardResolutionReasons.TARGETING_MATCH : StandardResolutionReasons.STATIC,
        flagMetadata: metadataOf(resolved),
      };
    } catch (err) {
      throw toOpenFeatureError(flagKey, err);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
