import { createHash } from 'node:crypto';
import type { Queryable } from './db';

/** sha256 of bytes, hex: the address of a binary skill file. */
export function bytesHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Stores the bytes of a binary skill file under their sha256; storing the same bytes twice is a no-op. */
export async function putFileBlob(db: Queryable, bytes: Buffer): Promise<string> {
  const hash = bytesHash(bytes);
  await db.run('INSERT INTO file_blobs (hash, size, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
    hash,
    bytes.length,
    bytes,
    new Date().toISOString(),
  ]);
  return hash;
}

/** The bytes stored under hash, or undefined. */
export async function findFileBlob(db: Queryable, hash: string): Promise<Buffer | undefined> {
  const row = await db.get<{ data: Uint8Array }>('SELECT data FROM file_blobs WHERE hash = ?', [hash]);
  return row ? Buffer.from(row.data) : undefined;
}

export async function getFileBlob(db: Queryable, hash: string): Promise<Buffer> {
  const bytes = await findFileBlob(db, hash);
  if (!bytes) throw new Error(`file blob ${hash} is not in the store`);
  return bytes;
}

/** The hashes of those given that the store does not hold. */
export async function missingFileBlobs(db: Queryable, hashes: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const hash of [...new Set(hashes)]) {
    if (!(await db.get('SELECT hash FROM file_blobs WHERE hash = ?', [hash]))) missing.push(hash);
  }
  return missing;
}
