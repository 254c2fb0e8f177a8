import { AlertError } from '../calendar/alerts/alert-store';
import type { Config } from '../config';
import { LibraryError } from '../library/errors';
import type { Db } from '../store/db';
import { openStore } from '../store/open';
import { CliError, EXIT } from './exit-codes';

/**
 * Runs fn over the store the CLI acts on and closes it. The store's refusals (a missing item, an alert
 * already resolved) are bad input: one line and exit 2, not a stack trace.
 */
export async function withStore<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openStore(config.databaseUrl);
  try {
    return await fn(db);
  } catch (err) {
    if (err instanceof LibraryError || err instanceof AlertError) throw new CliError(err.message, EXIT.badInput);
    throw err;
  } finally {
    await db.close();
  }
}
