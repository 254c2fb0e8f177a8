import type { Db } from './db';

/** One item of a chunk's batch: its id at the provider and the sample it answers. */
export interface EvalBatchItem {
  customId: string;
  caseId: string;
  sample: number;
}

/**
 * A chunk's batch as the store keeps it. The row is written before the provider is asked (the intent), so a worker
 * that dies between the provider accepting the batch and `batchId` being set leaves a trace a retry can act on:
 * `marker` is in every custom id and in the display name, `createdAt` bounds when the provider can have made it.
 */
export interface EvalBatchRecord {
  batchKey: string;
  runId: string;
  chunk: number;
  provider: string;
  model: string;
  marker: string;
  items: EvalBatchItem[];
  createdAt: string;
  /** Null while only the intent is known. */
  batchId: string | null;
  /** `submitted` when the create call answered, `adopted` when a retry found it in the provider's list. */
  foundBy: 'submitted' | 'adopted' | null;
}

interface Row {
  batch_key: string;
  run_id: string;
  chunk: number;
  provider: string;
  model: string;
  marker: string;
  items: string;
  created_at: string;
  batch_id: string | null;
  found_by: string | null;
}

const toRecord = (r: Row): EvalBatchRecord => ({
  batchKey: r.batch_key,
  runId: r.run_id,
  chunk: Number(r.chunk),
  provider: r.provider,
  model: r.model,
  marker: r.marker,
  items: JSON.parse(r.items) as EvalBatchItem[],
  createdAt: r.created_at,
  batchId: r.batch_id,
  foundBy: r.found_by === 'submitted' || r.found_by === 'adopted' ? r.found_by : null,
});

export async function getEvalBatch(db: Db, batchKey: string): Promise<EvalBatchRecord | undefined> {
  const row = await db.get<Row>('SELECT * FROM eval_batches WHERE batch_key = ?', [batchKey]);
  return row ? toRecord(row) : undefined;
}

/**
 * Records the intent to submit. A second intent for the same key (a retry that found no batch of the first one)
 * keeps the first `createdAt`, so the window a later retry searches covers every attempt, and takes the new items.
 * Never touches a row whose batch id is known.
 */
export async function recordEvalBatchIntent(
  db: Db,
  intent: Omit<EvalBatchRecord, 'batchId' | 'foundBy'>,
): Promise<EvalBatchRecord> {
  await db.run(
    `INSERT INTO eval_batches (batch_key, run_id, chunk, provider, model, marker, items, created_at, batch_id, found_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)
     ON CONFLICT (batch_key) DO UPDATE SET items = excluded.items WHERE eval_batches.batch_id IS NULL`,
    [
      intent.batchKey,
      intent.runId,
      intent.chunk,
      intent.provider,
      intent.model,
      intent.marker,
      JSON.stringify(intent.items),
      intent.createdAt,
    ],
  );
  const row = await getEvalBatch(db, intent.batchKey);
  if (!row) throw new Error(`the eval batch intent ${intent.batchKey} was not recorded`);
  return row;
}

/** Sets the batch id once; false when the row already had one (another attempt got there first). */
export async function setEvalBatchId(
  db: Db,
  batchKey: string,
  batchId: string,
  foundBy: 'submitted' | 'adopted',
): Promise<boolean> {
  const r = await db.run(
    'UPDATE eval_batches SET batch_id = ?, found_by = ? WHERE batch_key = ? AND batch_id IS NULL',
    [batchId, foundBy, batchKey],
  );
  return r.changes > 0;
}

/** The provider's batch ids that some chunk already holds: a retry must not adopt another chunk's batch. */
export async function claimedEvalBatchIds(db: Db, provider: string, since: string): Promise<Set<string>> {
  const rows = await db.all<{ batch_id: string }>(
    'SELECT batch_id FROM eval_batches WHERE provider = ? AND batch_id IS NOT NULL AND created_at >= ?',
    [provider, since],
  );
  return new Set(rows.map((r) => r.batch_id));
}

/** Intents still without a batch id, recorded since `since`: other chunks that may own a batch in the same window. */
export async function openEvalBatchIntents(db: Db, provider: string, since: string): Promise<EvalBatchRecord[]> {
  const rows = await db.all<Row>(
    'SELECT * FROM eval_batches WHERE provider = ? AND batch_id IS NULL AND created_at >= ? ORDER BY batch_key',
    [provider, since],
  );
  return rows.map(toRecord);
}
