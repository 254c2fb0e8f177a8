const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC days of a window of `days` days ending with today, oldest first, as YYYY-MM-DD. */
export function windowDays(now: Date, days: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}
