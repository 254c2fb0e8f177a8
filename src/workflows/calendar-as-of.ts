import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';
import { asOfProblem, chooseAsOf, type AsOfChoice } from '../calendar/shared/as-of';
import type { CalendarInput } from '../calendar/shared/periods';

// Set by the server on runs a Schedule starts, backfills included.
const scheduledStartKey = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** The "as of" time of a calendar run (see chooseAsOf); a malformed asOf fails the run at once. */
export function calendarAsOf(input: CalendarInput): AsOfChoice {
  const problem = asOfProblem(input.asOf);
  if (problem) throw ApplicationFailure.create({ type: 'InvalidCalendarInput', message: problem, nonRetryable: true });
  return chooseAsOf({
    input: input.asOf,
    scheduledStart: workflowInfo().typedSearchAttributes.get(scheduledStartKey),
    workflowNow: new Date(),
  });
}
