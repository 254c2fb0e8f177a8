import type { ResolvedScript } from './paths';

/** What an assertion sees of one model call. */
export interface AssertionContext {
  output: string;
  /** Output tokens of the response, when the provider reported them. */
  outputTokens?: number;
  /** Wall-clock time of the call in milliseconds, when it was measured. */
  latencyMs?: number;
  vars: Record<string, unknown>;
  expected?: string;
  /** Where `javascript` assertion code comes from: the store's copy on a worker, a folder when importing. */
  scripts: ScriptSource;
}

/** A runnable file for a `javascript` assertion, or why there is none (a one-line reason naming the fix). */
export type ScriptSource = (a: { file: string; sourceRef?: string }) => Promise<ResolvedScript>;

export interface AssertionResult {
  type: string;
  pass: boolean;
  /** 0..1 */
  score: number;
  /** 0 makes the assertion informational: reported, but it never fails a case. */
  weight: number;
  /** Short; says why it failed. Empty on a pass unless the source gave a reason. */
  reason: string;
}
