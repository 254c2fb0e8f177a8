import { sha256 } from '../store/hash';

/**
 * The response cache key: provider, model, the version's content hash, the case's variables, the
 * request parameters and the sample index (so `--repeat k` draws k answers, not one k times).
 */
export function responseCacheKey(k: {
  provider: string;
  model: string;
  contentHash: string;
  vars: Record<string, unknown>;
  params: Record<string, unknown>;
  sample: number;
  role: 'output' | 'judge';
}): string {
  const sortedVars = Object.fromEntries(
    Object.keys(k.vars)
      .sort()
      .map((key) => [key, k.vars[key]]),
  );
  return sha256(JSON.stringify([k.role, k.provider, k.model, k.contentHash, sortedVars, k.params, k.sample]));
}
