import type { Db } from './db';
import { migrate } from './migrations';
import { openSqlite } from './sqlite';

/** Opens the store named by REFINERY_DATABASE_URL (sqlite:<file> by default) and runs migrations. */
export async function openStore(databaseUrl: string): Promise<Db> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = openSqlite(databaseUrl.slice('sqlite:'.length));
    await migrate(db);
    return db;
  }
  throw new Error(
    `REFINERY_DATABASE_URL: PostgreSQL is not available in this build; use sqlite:<file> or leave it unset`,
  );
}
