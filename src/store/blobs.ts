import type { Queryable } from './db';
import { sha256 } from './hash';

/** Content-addressed text blobs: large artifacts travel through workflow history as this hash. */
export async function putBlob(db: Queryable, content: string): Promise<string> {
  const hash = sha256(content);
  await db.run('INSERT INTO blobs (hash, size, content, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
    hash,
    Buffer.byteLength(content),
    content,
    new Date().toISOString(),
  ]);
  return hash;
}

export async function getBlob(db: Queryable, hash: string): Promise<string> {
  const row = await db.get<{ content: string }>('SELECT content FROM blobs WHERE hash = ?', [hash]);
  if (!row) throw new Error(`blob ${hash} is not in the store`);
  return row.content;
}

export async function putJson(db: Queryable, value: unknown): Promise<string> {
  return putBlob(db, JSON.stringify(value));
}

export async function getJson<T>(db: Queryable, hash: string): Promise<T> {
  return JSON.parse(await getBlob(db, hash)) as T;
}
