import type { RecurringFinding } from './types';

/**
 * Reference 003's repetition rule across runs of the same skill: a weakness category seen in a 2nd
 * run is RECURRING, in a 3rd or later UNRESOLVED (which needs a human decision before write-back).
 */
export function classifyRecurring(skill: string, thisRun: string[], earlierRuns: string[][]): RecurringFinding[] {
  const findings: RecurringFinding[] = [];
  for (const category of [...new Set(thisRun)].sort()) {
    const occurrence = 1 + earlierRuns.filter((run) => run.includes(category)).length;
    if (occurrence === 2) findings.push({ skill, category, occurrence, classification: 'RECURRING' });
    else if (occurrence >= 3) findings.push({ skill, category, occurrence, classification: 'UNRESOLVED' });
  }
  return findings;
}
