import type { Resolver, ResolverOptions } from '../resolver';

/** A flag to resolve during initialize(), so the first evaluations answer from memory. */
export type WarmFlag = string | { name: string; label?: string; unit?: string };

interface Common {
  /** Flags resolved by initialize(); a failure there is reported by the SDK (setProviderAndWait rejects). */
  warm?: WarmFlag[];
}

export type RefineryProviderOptions =
  /** An application's own resolver: shared with its other uses, so the provider never closes it. */
  | (Common & { resolver: Resolver })
  /** Settings for a resolver the provider creates, owns and closes in onClose(). */
  | (Common & ResolverOptions & { resolver?: undefined });
