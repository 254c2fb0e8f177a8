import type { Queryable } from '../store/db';

/** Notes that an attempt of the keyed side effect started (one row per attempt; a replayed attempt adds none). */
export async function recordActivityAttempt(
  db: Queryable,
  a: { effectKey: string; attempt: number; workerPid: number; startedAt: string },
): Promise<void> {
  await db.run(
    'INSERT INTO activity_attempts (effect_key, attempt, worker_pid, started_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    [a.effectKey, a.attempt, a.workerPid, a.startedAt],
  );
}

/** Applies the keyed side effect once: true when this call applied it, false when an earlier attempt had. */
export async function applySideEffectOnce(
  db: Queryable,
  e: { effectKey: string; payload: unknown; appliedAt: string },
): Promise<boolean> {
  const { changes } = await db.run(
    'INSERT INTO side_effects (effect_key, payload, applied_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    [e.effectKey, JSON.stringify(e.payload), e.appliedAt],
  );
  return changes === 1;
}
