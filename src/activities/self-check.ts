import { Context } from '@temporalio/activity';
import type { Db } from '../store/db';

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
      await db.run(
        'INSERT INTO activity_attempts (effect_key, attempt, worker_pid, started_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [effectKey, attempt, process.pid, now],
      );
      const { changes } = await db.run(
        'INSERT INTO side_effects (effect_key, payload, applied_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        [effectKey, JSON.stringify({ workflowId: ctx.info.workflowExecution?.workflowId }), now],
      );
      const deadline = Date.now() + holdMs;
      while (Date.now() < deadline) {
        ctx.heartbeat({ phase: 'holding' });
        await ctx.sleep(Math.min(200, Math.max(1, deadline - Date.now())));
      }
      return { attempt, newlyApplied: changes === 1 };
    },
  };
}
