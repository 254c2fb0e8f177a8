/** What an assertion sees of one model call. */
export interface AssertionContext {
  output: string;
  /** Output tokens of the response, when the provider reported them. */
  outputTokens?: number;
  /** Wall-clock time of the call in milliseconds, when it was measured. */
  latencyMs?: number;
  vars: Record<string, unknown>;
  expected?: string;
  /** Where relative `javascript` assertion files resolve: the dataset's directory. */
  baseDir: string;
}

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
