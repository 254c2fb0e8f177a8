/** Quotes a shell word only when it needs it, so the usual workflow ids stay readable. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9._:@/=+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that decides a stalled tune run (see `refinery decide --help`), ready to paste. */
export function decideCommand(workflowId: string): string {
  return `refinery decide ${shellWord(workflowId)} --action continue|accept|rollback|cancel --by <name>`;
}
