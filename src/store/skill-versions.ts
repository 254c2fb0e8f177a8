import type { SkillFiles } from '../skills/limits';
import { getJson, putJson } from './blobs';
import type { Db } from './db';
import { skillHash } from './hash';

export interface SkillVersion {
  skill: string;
  versionNo: number;
  hash: string;
  parentHash: string | null;
  rationale: string;
  author: string;
  createdAt: string;
}

interface Row {
  skill: string;
  version_no: number;
  hash: string;
  files_ref: string;
  parent_hash: string | null;
  rationale: string;
  author: string;
  created_at: string;
}

const toVersion = (r: Row): SkillVersion => ({
  skill: r.skill,
  versionNo: Number(r.version_no),
  hash: r.hash,
  parentHash: r.parent_hash,
  rationale: r.rationale,
  author: r.author,
  createdAt: r.created_at,
});

/**
 * Records files as an immutable version of skill, content-addressed: the same files give back the
 * existing version, so retries and repeated snapshots never duplicate one.
 */
export async function recordSkillVersion(
  db: Db,
  skill: string,
  files: SkillFiles,
  meta: { parentHash?: string | null; rationale: string; author: string },
): Promise<SkillVersion> {
  const hash = skillHash(files);
  return db.transaction(async (tx) => {
    const existing = await tx.get<Row>('SELECT * FROM skill_versions WHERE skill = ? AND hash = ?', [skill, hash]);
    if (existing) return toVersion(existing);
    const now = new Date().toISOString();
    await tx.run('INSERT INTO skills (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING', [skill, now]);
    const filesRef = await putJson(tx, files);
    const next = await tx.get<{ n: number | null }>('SELECT MAX(version_no) AS n FROM skill_versions WHERE skill = ?', [
      skill,
    ]);
    const versionNo = Number(next?.n ?? 0) + 1;
    await tx.run(
      `INSERT INTO skill_versions (skill, version_no, hash, files_ref, parent_hash, rationale, author, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [skill, versionNo, hash, filesRef, meta.parentHash ?? null, meta.rationale, meta.author, now],
    );
    return {
      skill,
      versionNo,
      hash,
      parentHash: meta.parentHash ?? null,
      rationale: meta.rationale,
      author: meta.author,
      createdAt: now,
    };
  });
}

export async function getSkillVersion(
  db: Db,
  skill: string,
  ref: { hash: string } | { versionNo: number },
): Promise<SkillVersion | undefined> {
  const row =
    'hash' in ref
      ? await db.get<Row>('SELECT * FROM skill_versions WHERE skill = ? AND hash = ?', [skill, ref.hash])
      : await db.get<Row>('SELECT * FROM skill_versions WHERE skill = ? AND version_no = ?', [skill, ref.versionNo]);
  return row ? toVersion(row) : undefined;
}

export async function getSkillFiles(db: Db, skill: string, hash: string): Promise<SkillFiles> {
  const row = await db.get<{ files_ref: string }>('SELECT files_ref FROM skill_versions WHERE skill = ? AND hash = ?', [
    skill,
    hash,
  ]);
  if (!row) throw new Error(`skill ${skill} has no version ${hash.slice(0, 12)} in the store`);
  return getJson<SkillFiles>(db, row.files_ref);
}

export async function listSkillVersions(db: Db, skill: string): Promise<SkillVersion[]> {
  const rows = await db.all<Row>('SELECT * FROM skill_versions WHERE skill = ? ORDER BY version_no', [skill]);
  return rows.map(toVersion);
}
