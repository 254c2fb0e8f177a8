/**
 * The `refinery decide` command that answers an optimizer run's stall, by the run's id or by its item's name: one
 * builder for the CLI's lines, a parent's status and the Web UI's details, so they never offer different actions.
 * An unresolved recurring issue takes no more rounds (the run refuses `continue`), so it is not offered then.
 * Pure (no Node built-ins): workflows import it.
 */
export function decideCommandLine(target: string, reason?: string): string {
  const actions =
    reason === 'unresolved-recurring' ? 'accept|rollback|cancel' : 'continue|accept|rollback|cancel [--iterations N]';
  return `refinery decide ${target} --action ${actions} --by <name> [--note "…"]`;
}
