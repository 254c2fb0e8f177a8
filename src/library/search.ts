import { skillFileUsage, withUnread, type FileUsage } from '../skills/tool-call-store';
import type { Db } from '../store/db';
import { contributionsByPerson, type Contribution } from './contribution';
import { contributionsByItem } from './contribution-store';
import { getLabels } from './label-store';
import { versionUsage, type VersionUsage } from './records';
import { getContent, listVersions, type LibraryItem, type LibraryVersion } from './versions';

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
   * removal or merging: `unread` lists the newest version's text files that no run read (SKILL.md aside, which
   * every run loads; empty until some agent run was recorded).
   */
  fileUsage?: { agentRuns: number; files: FileUsage[]; unread: string[] };
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
    const versions = await listVersions(db, name);
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
      versions: versions.map((v) => ({
        ...v,
        usage: usage.find((u) => u.version === v.version),
      })),
      ...(item.kind === 'skill' ? { fileUsage: await fileUsageOf(db, name, versions) } : {}),
      contribution: contributionsByPerson(contribution.filter((c) => c.name === name)),
    });
  }
  return hits;
}

/** A skill's per-file usage over all its versions, with the newest version's files that no run read. */
async function fileUsageOf(db: Db, name: string, versions: LibraryVersion[]) {
  const newest = versions[versions.length - 1];
  const content = newest ? await getContent(db, name, { version: newest.version }) : undefined;
  return withUnread(await skillFileUsage(db, name), content?.type === 'skill' ? Object.keys(content.files) : []);
}
