import { randomUUID } from 'node:crypto';
import type { Db } from './db';

/**
 * The identity of one store: a random id written once, when the store is first opened, and a label saying
 * where it lives (never a credential). Every run carries the id of the store it was started against, so a
 * worker holding another store refuses its activities instead of writing to the wrong database.
 */
export interface StoreIdentity {
  id: string;
  label: string;
}

/**
 * This store's identity, creating it on first use. The row has one fixed key, so concurrent first opens
 * (a worker and the API starting together) agree on whichever insert won.
 */
export async function storeIdentity(db: Db, labelIfNew = 'unlabelled store'): Promise<StoreIdentity> {
  const read = () =>
    db.get<{ store_id: string; label: string }>('SELECT store_id, label FROM store_identity WHERE singleton = 1');
  let row = await read();
  if (!row) {
    await db.run(
      `INSERT INTO store_identity (singleton, store_id, label, created_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (singleton) DO NOTHING`,
      [randomUUID(), labelIfNew, new Date().toISOString()],
    );
    row = await read();
  }
  return { id: row!.store_id, label: row!.label };
}

/** Where a store lives, for messages: the SQLite file, or PostgreSQL host/database without user or password. */
export function storeLabel(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl;
  try {
    const u = new URL(databaseUrl);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'postgres (unparsable URL)';
  }
}
