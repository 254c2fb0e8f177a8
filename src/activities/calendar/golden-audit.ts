import type { CalendarActivityDeps } from '.';

/** Monthly golden re-run and quarterly audit. (Placeholder: filled in by the monthly/quarterly work.) */
export function goldenAuditActivities(_deps: CalendarActivityDeps) {
  return {};
}
