// The bounds of the QuickJS sandbox that runs `javascript` assertion scripts (worker-source.ts).

/** Memory for one script's engine: objects, strings and stack together. */
export const SCRIPT_MEMORY_BYTES = 32 * 1024 * 1024;
/** The engine's own stack limit; under the thread's native stack, so deep recursion is a catchable error. */
export const SCRIPT_STACK_BYTES = 256 * 1024;
/** Strings a script hands back (a reason, an error message) are cut to this many characters. */
export const SCRIPT_TEXT_CHARS = 2000;
/** A reason longer than this is refused (the assertion fails) rather than cut: a verdict is not a place for data. */
export const SCRIPT_REASON_MAX_CHARS = 64 * 1024;
/** Said whenever a script reaches for the host. */
export const NO_HOST =
  'assertion scripts run in a sandbox with no modules, files, network, processes or environment: ' +
  'use the (output, context) arguments and standard JavaScript only';
