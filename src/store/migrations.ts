import type { Db } from './db';

/**
 * Ordered, append-only schema migrations in the SQL both backends accept. Never edit a shipped
 * migration: add a new one.
 */
export const migrations: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'side effects ledger',
    sql: `
      CREATE TABLE side_effects (
        effect_key TEXT PRIMARY KEY,
        payload TEXT NOT NULL,
        applied_at TEXT NOT NULL
      );
      CREATE TABLE activity_attempts (
        effect_key TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        worker_pid INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        PRIMARY KEY (effect_key, attempt)
      );`,
  },
];

export async function migrate(db: Db): Promise<void> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  for (const m of migrations) {
    await db.transaction(async (tx) => {
      const done = await tx.get('SELECT id FROM schema_migrations WHERE id = ?', [m.id]);
      if (done) return;
      for (const statement of m.sql
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)) {
        await tx.run(statement);
      }
      await tx.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [
        m.id,
        m.name,
        new Date().toISOString(),
      ]);
    });
  }
}
