import fs from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { sharedTestEnv } from '../support/shared-env';

// Runs under way when new workflow code is deployed replay their histories on it: every change to a workflow since
// the deployed code must take, for those histories, the path they took. The fixtures are histories recorded on the
// dev server (and the time-skipping server) by the code deployed at 6db34e7, before the child's stall signal, the
// improve loop's visit of skipped steps and the chain's RefineryStatus upsert existed; each replays here on the
// current workflow bundle (the one the tests' workers run) with no determinism error. Some end mid-run, as a
// deploy finds them. How they were made: test/fixtures/histories/README.md.

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;

const DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * A fixture as the protobuf History the replayer takes. The fixtures are the generated code's plain-object form,
 * not historyToJSON's: that (and historyFromJSON, which runReplayHistory applies to JSON) fails in this install,
 * where @temporalio/common and @temporalio/proto each carry their own copy of protobufjs ("type must be a Type").
 */
function load(name: string): { workflowId: string; history: History; events: Event[] } {
  const raw = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as {
    workflowId: string;
    history: object;
  };
  const history = temporal.api.history.v1.History.fromObject(raw.history);
  return { workflowId: raw.workflowId, history, events: history.events ?? [] };
}

const E = temporal.api.enums.v1.EventType;
const ofType = (events: Event[], t: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === t);
const workflowType = (events: Event[]) => events[0]!.workflowExecutionStartedEventAttributes!.workflowType!.name;
const ended = (events: Event[]) => ofType(events, E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED).length === 1;
/** The RefineryStatus values the run wrote, in order. */
const statuses = (events: Event[]) =>
  events.flatMap((e) => {
    const p = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.RefineryStatus;
    return p ? [defaultPayloadConverter.fromPayload<string>(p)] : [];
  });
const updates = (events: Event[]) =>
  ofType(events, E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).map(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name,
  );
const activities = (events: Event[]) =>
  ofType(events, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map(
    (e) => e.activityTaskScheduledEventAttributes!.activityType!.name,
  );

async function replay(name: string): Promise<void> {
  const { workflowId, history } = load(name);
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: sharedTestEnv().workflowBundlePath } },
    history,
    workflowId,
  );
}

describe('histories recorded by the deployed code replay on the current workflows', () => {
  describe('an optimizer run with a parent that stalled awaiting a decision (no childStall signal in its history)', () => {
    test.each([
      ['chain-step-stalled-decided', 'a chain step, decided (accept) and completed'],
      ['improve-tune-child-stalled-decided', "an improve run's tune, decided (accept) and completed"],
    ])('%s: %s', async (name) => {
      const { events } = load(name);
      // What the fixture must hold for the replay to test the patch: a child run, its stall, the decision, the end,
      // and not one signal to the parent.
      expect(workflowType(events)).toBe('optimizeWorkflow');
      expect(events[0]!.workflowExecutionStartedEventAttributes!.parentWorkflowExecution?.workflowId).toBeTruthy();
      expect(statuses(events)).toContain('awaiting-decision');
      expect(updates(events)).toEqual(['decide']);
      expect(ended(events)).toBe(true);
      expect(ofType(events, E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED)).toHaveLength(0);
      await replay(name);
    });

    test('chain-step-running-stalled: a chain step still paused at its stall when recorded (the deploy-time case)', async () => {
      const name = 'chain-step-running-stalled';
      const { events } = load(name);
      expect(workflowType(events)).toBe('optimizeWorkflow');
      expect(events[0]!.workflowExecutionStartedEventAttributes!.parentWorkflowExecution?.workflowId).toBeTruthy();
      expect(statuses(events).at(-1)).toBe('awaiting-decision');
      expect(updates(events)).toEqual([]);
      expect(ended(events)).toBe(false);
      await replay(name);
    });
  });

  describe('an improve run that passed over a skipped step (its history never visits it)', () => {
    test('improve-tune-skipped-completed: tune skipped with v1 during the review; no dataset published, the gate skipped; approval timed out', async () => {
      const name = 'improve-tune-skipped-completed';
      const { events } = load(name);
      expect(workflowType(events)).toBe('improveWorkflow');
      // The skip, then the review: the old loop went from review to the gate; the new one visits the skipped tune,
      // which publishes the dataset (an activity this history never scheduled).
      expect(updates(events)).toEqual(['control', 'control']);
      expect(activities(events)).toEqual(['startImprove']);
      expect(statuses(events)).toEqual(expect.arrayContaining(['review', 'gate', 'approval', 'completed']));
      expect(statuses(events)).not.toContain('tune');
      expect(ended(events)).toBe(true);
      await replay(name);
    });

    test('improve-tune-skipped-running: the same run recorded while it waited for approval, past the skipped tune', async () => {
      const name = 'improve-tune-skipped-running';
      const { events } = load(name);
      expect(statuses(events).at(-1)).toBe('approval');
      expect(activities(events)).toEqual(['startImprove']);
      expect(ended(events)).toBe(false);
      await replay(name);
    });

    test('improve-tune-stalled-completed: harvest and review skipped from the start; its tune child stalled, decided', async () => {
      const name = 'improve-tune-stalled-completed';
      const { events } = load(name);
      expect(workflowType(events)).toBe('improveWorkflow');
      // From harvest straight to tune: the new loop would visit the skipped review first (one more status upsert).
      expect(statuses(events).slice(0, 2)).toEqual(['harvest', 'tune']);
      expect(ofType(events, E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)).toHaveLength(1);
      expect(ofType(events, E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)).toHaveLength(0);
      expect(ended(events)).toBe(true);
      await replay(name);
    });
  });

  describe('a chain run (no RefineryStatus upsert in its history)', () => {
    test('chain-completed: two steps, each stalled and decided; completed', async () => {
      const name = 'chain-completed';
      const { events } = load(name);
      expect(workflowType(events)).toBe('chainTuneWorkflow');
      expect(ofType(events, E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED)).toHaveLength(2);
      expect(statuses(events)).toEqual([]);
      expect(ended(events)).toBe(true);
      await replay(name);
    });

    test('chain-running-step-stalled: recorded while its first step waited for a decision', async () => {
      const name = 'chain-running-step-stalled';
      const { events } = load(name);
      expect(workflowType(events)).toBe('chainTuneWorkflow');
      expect(ofType(events, E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED)).toHaveLength(1);
      expect(ended(events)).toBe(false);
      await replay(name);
    });
  });
});
