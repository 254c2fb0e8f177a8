import type { CalendarInput, CalendarRunResult } from '../calendar/periods';

// Placeholders: the monthly/quarterly work replaces these.
export function monthlyGoldenWorkflow(_input: CalendarInput = {}): Promise<CalendarRunResult> {
  return Promise.reject(new Error('monthlyGoldenWorkflow is not built yet'));
}
export function quarterlyAuditWorkflow(_input: CalendarInput = {}): Promise<CalendarRunResult> {
  return Promise.reject(new Error('quarterlyAuditWorkflow is not built yet'));
}
