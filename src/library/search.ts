import { skillFileUsage, type FileUsage } from '../skills/tool-call-store';
import type { Db } from '../store/db';
import { contributionsByPerson, type Contribution } from './contribution';
import { contributionsByItem } from './contribution-store';
import { getLabels } from './label-store';
import { versionUsage, type VersionUsage } from './records';
import { listVersions, type LibraryItem, type LibraryVersion } from './versions';

export interface SearchQuery {
  q?: string;
  tag?: string;
  owner?: string;
  name?: string;
  kind?: 'prompt' | 'skill';
}

export interface SearchHit extends LibraryItem {
  labels: Record<string, number>;
  versions: (LibraryVersion & { usage: VersionUsage | undefined })[];
  /**
   * Skills: how often agent runs read each file (over all versions). A file that no run reads is a candidate for
   * removal or merging; files never read are absent here (compare with the version's file list).
   */
  fileUsage?: { agentRuns: number; files: FileUsage[] };
  /** Who contributed to this item, most first: versions to production, improvements, cases, feedback resolved. */
  contribution: Contribution[];
}

/** Library search by name, tag, owner and free text (name, description, tags, owner), with usage per version. */
export async function searchLibrary(db: Db, query: SearchQuery, limit = 50): Promise<SearchHit[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (query.name) {
    where.push('name = ?');
    params.push(query.name);
  }
  if (query.owner) {
    where.push('owner = ?');
    params.push(query.owner);
  }
  if (query.kind) {
    where.push('kind = ?');
    params.push(query.kind);
  }
  if (query.tag) {
    // Tags are stored as a sorted JSON array of strings: match the quoted element.
    where.push('tags LIKE ?');
    params.push(`%${JSON.stringify(query.tag)}%`);
  }
  if (query.q) {
    where.push('(LOWER(name) LIKE ? OR LOWER(description) LIKE ? OR LOWER(tags) LIKE ? OR LOWER(owner) LIKE ?)');
    const like = `%${query.q.toLowerCase()}%`;
    params.push(like, like, like, like);
  }
  const rows = await db.all<{ name: string }>(
    `SELECT name FROM library_items${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY name LIMIT ?`,
    [...params, limit],
  );
  const contribution = await contributionsByItem(db, { names: rows.map((r) => r.name) });
  const hits: SearchHit[] = [];
  for (const { name } of rows) {
    const item = (await db.get<Record<string, string>>('SELECT * FROM library_items WHERE name = ?', [name]))!;
    const usage = await versionUsage(db, name);
    hits.push({
      name,
      kind: item.kind as 'prompt' | 'skill',
      owner: item.owner!,
      contributors: JSON.parse(item.contributors!) as string[],
      consumers: JSON.parse(item.consumers!) as string[],
      tags: JSON.parse(item.tags!) as string[],
      description: item.description!,
      createdAt: item.created_at!,
      updatedAt: item.updated_at!,
      labels: await getLabels(db, name),
      versions: (await listVersions(db, name)).map((v) => ({
        ...v,
        usage: usage.find((u) => u.version === v.version),
      })),
      ...(item.kind === 'skill' ? { fileUsage: await skillFileUsage(db, name) } : {}),
      contribution: contributionsByPerson(contribution.filter((c) => c.name === name)),
    });
  }
  return hits;
}
