/** Documented exit codes of the `refinery` CLI (README, "CLI"). */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (a workflow failed, a server did not start). */
  failed: 1,
  /** Bad input or configuration: nothing was started or written. */
  badInput: 2,
  /** Something is already running where this command would start it. */
  alreadyRunning: 3,
  /** A tune ended waiting for a human decision (`refinery decide`). */
  awaitingDecision: 4,
  /** A tune ended without meeting its threshold (max iterations, rollback, cancel, timeout). */
  belowThreshold: 5,
  /** A gate failed (eval/rollout). */
  gateFailed: 100,
} as const;

/** An error the CLI reports as one line with its exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.badInput,
  ) {
    super(message);
  }
}
