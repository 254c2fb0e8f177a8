import type { Db } from './db';
import { migrate } from './migrations';
import { openPostgres } from './postgres';
import { openSqlite } from './sqlite';
import { storeIdentity, storeLabel } from './store-identity';

/** Advisory lock key for migrations ("refine" in ASCII): shared by every process on one database. */
const MIGRATION_LOCK = 0x726566696e65;

/**
 * Opens the store named by REFINERY_DATABASE_URL (sqlite:<file> by default, or postgres://...) and runs
 * migrations; the first open also writes the store's identity (store-identity.ts).
 */
export async function openStore(databaseUrl: string): Promise<Db> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = openSqlite(databaseUrl.slice('sqlite:'.length));
    await migrate(db);
    await storeIdentity(db, storeLabel(databaseUrl));
    return db;
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const db = await openPostgres(databaseUrl);
    try {
      // Workers and the API may start together: one migrates while the others wait, then find it done.
      await db.withLock(MIGRATION_LOCK, async () => {
        await migrate(db);
        await storeIdentity(db, storeLabel(databaseUrl));
      });
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }
  throw new Error('REFINERY_DATABASE_URL: expected sqlite:<file> or postgres://user:password@host:port/database');
}
