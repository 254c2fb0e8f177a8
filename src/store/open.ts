import type { Db } from './db';
import { migrate } from './migrations';
import { openPostgres } from './postgres';
import { openSqlite } from './sqlite';

/** Advisory lock key for migrations ("refine" in ASCII): shared by every process on one database. */
const MIGRATION_LOCK = 0x726566696e65;

/**
 * Opens the store named by REFINERY_DATABASE_URL (sqlite:<file> by default, or postgres://...) and runs
 * migrations.
 */
export async function openStore(databaseUrl: string): Promise<Db> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = openSqlite(databaseUrl.slice('sqlite:'.length));
    await migrate(db);
    return db;
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const db = await openPostgres(databaseUrl);
    try {
      // Workers and the API may start together: one migrates while the others wait, then find it done.
      await db.withLock(MIGRATION_LOCK, () => migrate(db));
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }
  throw new Error('REFINERY_DATABASE_URL: expected sqlite:<file> or postgres://user:password@host:port/database');
}
