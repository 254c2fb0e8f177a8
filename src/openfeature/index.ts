/**
 * OpenFeature server provider for Refinery: evaluate prompt and skill versions as feature flags.
 * See RefineryProvider and README.md.
 */
export { RefineryProvider } from './provider';
export type { RefineryProviderOptions, WarmFlag } from './options';
