/**
 * Whether a person at this terminal can answer a run that stalls awaiting a decision: stdout is a terminal and
 * CI is not set. `refinery start` and `tune --wait` (through the CLI's entry) end at a stall otherwise, with exit 4
 * and the decide command, rather than wait for someone who is not there.
 */
export function personCanDecideHere(): boolean {
  return Boolean(!process.env.CI && process.stdout.isTTY);
}
