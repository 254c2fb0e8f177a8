import { skillFileUsage, withUnread, type FileUsage } from '../skills/tool-call-store';
import type { Db } from '../store/db';
import { contributionsByPerson, type Contribution } from './contribution';
import { contributionsByItem } from './contribution-store';
import { getLabels } from './label-store';
import { versionUsage, type VersionUsage } from './records';
import { getItem, searchItemNames, type ItemFilter } from './library-store';
import { getContent, listVersions, type LibraryItem, type LibraryVersion } from './versions';

export type SearchQuery = ItemFilter;

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
  const names = await searchItemNames(db, query, limit);
  const contribution = await contributionsByItem(db, { names });
  const hits: SearchHit[] = [];
  for (const name of names) {
    const item = (await getItem(db, name))!;
    const usage = await versionUsage(db, name);
    const versions = await listVersions(db, name);
    hits.push({
      ...item,
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
