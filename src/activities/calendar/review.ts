import type { CalendarActivityDeps } from '.';

/** Daily monitoring review and weekly trends. (Placeholder: filled in by the daily/weekly work.) */
export function reviewActivities(_deps: CalendarActivityDeps) {
  return {};
}
