/** Something in the config that has no faithful Refinery equivalent; `--skip-unsupported` drops it. */
export interface Unsupported {
  /** Where, as a person finds it: "test 3", "defaultTest", "prompt 2", "config". */
  at: string;
  /** The test's number (1-based, in the order the config and its files list them), when in a test. */
  test?: number;
  /** The prompt's number, when a prompt. */
  prompt?: number;
  /** What it is: `assertion type "similar"`, `test field "threshold"`… */
  what: string;
}
