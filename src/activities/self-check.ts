import { Context } from '@temporalio/activity';
import type { Db } from '../store/db';
import { applySideEffectOnce, recordActivityAttempt } from './self-check-store';

export interface ApplySideEffectInput {
  effectKey: string;
  holdMs: number;
}

/**
 * Applies a side effect keyed by the caller's idempotency key, then keeps working (heartbeating) for
 * holdMs. A retry after a crash re-runs it; the key makes the effect land once all the same.
 */
export function selfCheckActivities(db: Db) {
  return {
    async applySideEffect({
      effectKey,
      holdMs,
    }: ApplySideEffectInput): Promise<{ attempt: number; newlyApplied: boolean }> {
      const ctx = Context.current();
      const attempt = ctx.info.attempt;
      const now = new Date().toISOString();
      await recordActivityAttempt(db, { effectKey, attempt, workerPid: process.pid, startedAt: now });
      const newlyApplied = await applySideEffectOnce(db, {
        effectKey,
        payload: { workflowId: ctx.info.workflowExecution?.workflowId },
        appliedAt: now,
      });
      const deadline = Date.now() + holdMs;
      while (Date.now() < deadline) {
        ctx.heartbeat({ phase: 'holding' });
        await ctx.sleep(Math.min(200, Math.max(1, deadline - Date.now())));
      }
      return { attempt, newlyApplied };
    },
  };
}
