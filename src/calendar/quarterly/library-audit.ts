/**
 * The quarterly library health audit (reference 001: ownership, staleness, taxonomy consistency,
 * coverage gaps). One rule each:
 *
 * - no-owner: the owner is blank or a placeholder. Reference 002 makes the owner the person who may
 *   move production and who answers its alerts; nobody can do either for a placeholder.
 * - stale: no new version and no recorded run for STALE_DAYS. Either alone is normal (a finished
 *   prompt runs unchanged for years; a draft changes without running); both together mean nobody uses
 *   or maintains it, and it should be retired or handed over.
 * - inconsistent-tags: tags are lowercase kebab-case (`customer-support`, `v2`), so search and
 *   filters match one spelling. A tag breaks the convention, or is a variant of another tag in the
 *   library that differs only in case, separators or a plural "s"; the suggestion is the variant most
 *   items use (a conforming one when there is a tie).
 * - no-golden-dataset: no dataset targets it, so neither the monthly re-run nor a release gate can
 *   catch a regression.
 */

export const STALE_DAYS = 90;
export const TAG_CONVENTION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const OWNER_PLACEHOLDERS = new Set(['', 'unknown', 'none', 'nobody', 'tbd', 'n/a', '-', '?']);

export type AuditRule = 'no-owner' | 'stale' | 'inconsistent-tags' | 'no-golden-dataset';

export interface AuditItem {
  name: string;
  kind: 'prompt' | 'skill';
  owner: string;
  tags: string[];
  /** ISO time of the newest version. */
  lastVersionAt: string | null;
  /** ISO time of the newest recorded run, if any. */
  lastRunAt: string | null;
  hasDataset: boolean;
  /** Production version, when labelled. */
  production?: number;
}

export interface AuditFinding {
  name: string;
  rule: AuditRule;
  detail: string;
}

/** The key two spellings of one tag share: lowercase, separators gone, a trailing plural "s" dropped. */
export function tagKey(tag: string): string {
  const k = tag.toLowerCase().replace(/[\s_\-./]+/g, '');
  return k.length > 3 && k.endsWith('s') && !k.endsWith('ss') ? k.slice(0, -1) : k;
}

/** For each tag key with more than one spelling in the library: the spelling to keep. */
export function canonicalTags(items: Pick<AuditItem, 'tags'>[]): Map<string, string> {
  const uses = new Map<string, Map<string, number>>();
  for (const item of items)
    for (const tag of new Set(item.tags)) {
      const spellings = uses.get(tagKey(tag)) ?? new Map<string, number>();
      spellings.set(tag, (spellings.get(tag) ?? 0) + 1);
      uses.set(tagKey(tag), spellings);
    }
  const canonical = new Map<string, string>();
  for (const [key, spellings] of uses) {
    const best = [...spellings.entries()].sort(
      (a, b) =>
        b[1] - a[1] ||
        Number(TAG_CONVENTION.test(b[0])) - Number(TAG_CONVENTION.test(a[0])) ||
        a[0].localeCompare(b[0]),
    )[0]![0];
    // A lone nonconforming spelling still gets a conforming suggestion.
    canonical.set(key, TAG_CONVENTION.test(best) ? best : conformingSpelling(best));
  }
  return canonical;
}

function conformingSpelling(tag: string): string {
  return tag
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const daysBetween = (fromIso: string, toIso: string) => (Date.parse(toIso) - Date.parse(fromIso)) / 86_400_000;

export function auditLibrary(items: AuditItem[], asOf: string): AuditFinding[] {
  const canonical = canonicalTags(items);
  const findings: AuditFinding[] = [];
  for (const item of [...items].sort((a, b) => a.name.localeCompare(b.name))) {
    if (OWNER_PLACEHOLDERS.has(item.owner.trim().toLowerCase()))
      findings.push({
        name: item.name,
        rule: 'no-owner',
        detail: item.owner.trim() ? `owner "${item.owner}" is a placeholder` : 'no owner',
      });

    const lastActivity = [item.lastVersionAt, item.lastRunAt]
      .filter((x): x is string => x !== null)
      .sort()
      .pop();
    if (!lastActivity || daysBetween(lastActivity, asOf) >= STALE_DAYS)
      findings.push({
        name: item.name,
        rule: 'stale',
        detail: `no new version since ${item.lastVersionAt?.slice(0, 10) ?? 'ever'} and ${
          item.lastRunAt ? `no run since ${item.lastRunAt.slice(0, 10)}` : 'no recorded run'
        } (${STALE_DAYS} days or more)`,
      });

    const bad = item.tags
      .filter((t) => !TAG_CONVENTION.test(t) || canonical.get(tagKey(t)) !== t)
      .map((t) => `"${t}" → "${canonical.get(tagKey(t))}"`);
    if (bad.length) findings.push({ name: item.name, rule: 'inconsistent-tags', detail: bad.join(', ') });

    if (!item.hasDataset)
      findings.push({ name: item.name, rule: 'no-golden-dataset', detail: 'no golden dataset targets it' });
  }
  return findings;
}
