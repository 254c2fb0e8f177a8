import { AdaptiveLimiter } from '../../eval/limiter';

/**
 * Per-run state shared by the chunk activities running in one worker: one concurrency limiter (so
 * parallel chunks together stay within `--concurrency`) and the spend so far (for `--max-cost`).
 */
interface RunState {
  limiter: AdaptiveLimiter;
  spentUsd: number;
  users: number;
}

const runs = new Map<string, RunState>();

export function enterRun(runId: string, concurrency: number, spentSoFar: number): RunState {
  let state = runs.get(runId);
  if (!state) {
    state = { limiter: new AdaptiveLimiter(concurrency), spentUsd: spentSoFar, users: 0 };
    runs.set(runId, state);
  }
  state.users++;
  return state;
}

export function leaveRun(runId: string): void {
  const state = runs.get(runId);
  if (state && --state.users === 0) runs.delete(runId);
}
