/**
 * How far from the server's clock a run or feedback timestamp may be. Writers hold only a writer token, and
 * guards and alerts read the recent past: a run stamped a week ago (or tomorrow) could trigger or mask a
 * rollback. Older data comes in through the admin import, which takes any past time.
 */
export const RECORD_WINDOW = { futureMs: 5 * 60_000, pastMs: 24 * 3_600_000 } as const;

export interface WindowProblem {
  field: string;
  message: string;
}

/**
 * The first item whose `at` falls outside the window, as a refusal naming the field, the bound and the fix;
 * undefined when every item fits. `pastMs` undefined means no past bound (the admin import).
 */
export function recordWindowProblem(
  kind: 'runs' | 'feedback',
  items: readonly { at?: string }[],
  now: number,
  window: { futureMs: number; pastMs: number | undefined } = RECORD_WINDOW,
): WindowProblem | undefined {
  for (const [i, item] of items.entries()) {
    if (item.at === undefined) continue; // stamped with the server's time on arrival
    const at = Date.parse(item.at);
    const field = `${kind}[${i}].at`;
    if (at > now + window.futureMs) {
      return {
        field,
        message: `${field}: ${item.at} is more than ${minutes(window.futureMs)} ahead of the server's clock (${new Date(now).toISOString()}); send the time it happened, and check the sender's clock`,
      };
    }
    if (window.pastMs !== undefined && at < now - window.pastMs) {
      return {
        field,
        message: `${field}: ${item.at} is more than ${hours(window.pastMs)} in the past; /v1/${kind} takes recent ${kind} only: import older ${kind} with POST /v1/admin/import/${kind} (admin role)`,
      };
    }
  }
  return undefined;
}

const minutes = (ms: number) => `${ms / 60_000} minutes`;
const hours = (ms: number) => `${ms / 3_600_000} hours`;
