import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

/** What the Web UI reads as a run's current details: the SDK's built-in metadata query, answered by the worker. */
export async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return meta.currentDetails ?? '';
}

export interface EventSummary {
  kind: 'activity' | 'local activity' | 'timer' | 'child';
  /** Activity or child workflow type; empty for a timer. */
  type: string;
  summary?: string;
}

/** The user metadata summaries on a run's history events, as the Web UI shows them on each event. */
export async function historySummaries(handle: WorkflowHandle): Promise<EventSummary[]> {
  const history = await handle.fetchHistory();
  const out: EventSummary[] = [];
  for (const e of history.events ?? []) {
    const raw = e.userMetadata?.summary;
    const summary = raw ? defaultPayloadConverter.fromPayload<string>(raw) : undefined;
    if (e.activityTaskScheduledEventAttributes)
      out.push({ kind: 'activity', type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '', summary });
    else if (e.timerStartedEventAttributes) out.push({ kind: 'timer', type: '', summary });
    else if (e.startChildWorkflowExecutionInitiatedEventAttributes)
      out.push({
        kind: 'child',
        type: e.startChildWorkflowExecutionInitiatedEventAttributes.workflowType?.name ?? '',
        summary,
      });
  }
  return out;
}

/**
 * The signals a waiting run's details offer, parsed back from their markdown ("signal `decide` with `{…}`"), so a
 * test sends exactly what a person would copy from the Web UI.
 */
export function offeredSignals(details: string): { signal: string; payload: Record<string, unknown> }[] {
  return [...details.matchAll(/signal `([^`]+)` with `(\{[^`]*\})`/g)].map((m) => ({
    signal: m[1]!,
    payload: JSON.parse(m[2]!) as Record<string, unknown>,
  }));
}
