import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  addNoteSignal,
  finishSignal,
  LABEL_PATTERN,
  selfCheckStatusQuery,
  setLabelUpdate,
  type SelfCheckInput,
  type SelfCheckStatus,
  type SetLabelInput,
} from '../shared';

const { applySideEffect } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5 minutes',
  // A killed worker stops heartbeating; the server then retries the activity on another worker
  // after this, instead of waiting out the whole start-to-close timeout.
  heartbeatTimeout: '3 seconds',
  retry: { initialInterval: '200 milliseconds', maximumAttempts: 10 },
});

/** Smoke test of the whole stack: an idempotent side effect, a signal, an update and a query. */
export async function selfCheckWorkflow(input: SelfCheckInput): Promise<SelfCheckStatus> {
  const status: SelfCheckStatus = {
    phase: 'applying',
    label: 'unlabelled',
    notes: [],
    effectApplied: false,
    attempts: 0,
  };
  let finished = false;

  setHandler(selfCheckStatusQuery, () => status);
  setHandler(addNoteSignal, ({ note }) => {
    status.notes.push(note);
  });
  setHandler(finishSignal, () => {
    finished = true;
  });
  setHandler(
    setLabelUpdate,
    ({ label }) => {
      const previous = status.label;
      status.label = label;
      return previous;
    },
    {
      validator: ({ label }: SetLabelInput) => {
        if (!LABEL_PATTERN.test(label)) {
          throw new Error(
            `label "${label}" is invalid: use 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit`,
          );
        }
      },
    },
  );

  const result = await applySideEffect({ effectKey: input.effectKey, holdMs: input.holdMs ?? 0 });
  status.effectApplied = true;
  status.attempts = result.attempt;

  if (input.waitForFinish) {
    status.phase = 'waiting';
    const ok = await condition(() => finished, input.finishTimeoutMs ?? 24 * 60 * 60 * 1000);
    if (!ok) {
      status.phase = 'timed-out';
      return status;
    }
  }
  status.phase = 'done';
  return status;
}
