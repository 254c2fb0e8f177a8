import type { CalendarInput, CalendarRunResult } from '../calendar/periods';

// Placeholders: the daily/weekly work replaces these.
export function dailyReviewWorkflow(_input: CalendarInput = {}): Promise<CalendarRunResult> {
  return Promise.reject(new Error('dailyReviewWorkflow is not built yet'));
}
export function weeklyTrendsWorkflow(_input: CalendarInput = {}): Promise<CalendarRunResult> {
  return Promise.reject(new Error('weeklyTrendsWorkflow is not built yet'));
}
