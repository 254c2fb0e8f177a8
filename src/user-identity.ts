/**
 * Who a decision came from, as far as Refinery can tell. Decisions that reach a workflow through the
 * HTTP API carry the token's subject (`authenticated: true`); a Temporal signal (what the Web UI sends)
 * carries whatever name was typed, so it is kept but marked. Pure: workflows import it.
 */
export interface Attributed {
  by: string;
  /** true: `by` is the subject of the API token that sent it; false: typed into a signal; absent: local CLI. */
  authenticated?: boolean;
}

export const SIGNAL_MARK = 'unauthenticated: Temporal signal, as the Web UI sends';

/** The input as recorded when it arrived as a signal: the typed name stays, marked as unverified. */
export function viaSignal<T extends Attributed>(input: T): T {
  return { ...input, by: `${input.by} (${SIGNAL_MARK})`, authenticated: false };
}
