import type { Db } from '../store/db';
import type { SkillCard } from './trigger';

/** Skills an agent is shown at once, at most, beside the candidate when a trigger case gives no distractors. */
export const LIBRARY_DISTRACTORS_MAX = 30;

/**
 * The library's other skills as an agent discovers them (name and description), as distractors for a trigger case:
 * skills without a description are left out (nothing could make an agent pick them).
 */
export async function librarySkillCards(db: Db, exclude: string): Promise<SkillCard[]> {
  const rows = await db.all<{ name: string; description: string }>(
    `SELECT name, description FROM library_items WHERE kind = 'skill' AND name <> ? AND description <> ''
     ORDER BY name LIMIT ?`,
    [exclude, LIBRARY_DISTRACTORS_MAX],
  );
  return rows.map((r) => ({ name: r.name, description: r.description }));
}
