import { parseArgs } from 'node:util';
import type { Config } from '../../config';
import { contributionsByPerson, describeContribution } from '../../library/contribution';
import { contributionsByItem } from '../../library/contribution-store';
import { searchLibrary } from '../../library/search';
import { parseDuration } from '../duration';
import { CliError, EXIT } from '../exit-codes';
import { withStore } from '../with-store';

export const librarySearchHelp = `refinery library search [text] [--tag T] [--owner O] [--kind prompt|skill] [--json]
  Library items matching the text (name, description, tags, owner), their labels, and who contributed to each:
  versions authored that reached production, improvement runs shipped, review cases accepted, feedback resolved.
refinery library contributors [--since 90d|<ISO date>] [--name N] [--json]
  The same four figures per person over the whole library (or one item), most first; --since counts only what
  completed in the window (a version's first production move, a review, the newer version that shipped after it).`;

export async function libraryCommand(config: Config, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'search') return searchCommand(config, rest);
  if (sub === 'contributors') return contributorsCommand(config, rest);
  throw new CliError(`usage: refinery library search|contributors … (got "${sub ?? ''}"; see refinery library --help)`);
}

async function searchCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tag: { type: 'string' },
      owner: { type: 'string' },
      kind: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.kind && values.kind !== 'prompt' && values.kind !== 'skill')
    throw new CliError(`--kind ${values.kind}: use prompt or skill`);
  return withStore(config, async (db) => {
    const hits = await searchLibrary(db, {
      q: positionals.join(' ') || undefined,
      tag: values.tag,
      owner: values.owner,
      kind: values.kind as 'prompt' | 'skill' | undefined,
    });
    if (values.json) {
      console.log(JSON.stringify(hits.map(({ versions: _versions, fileUsage: _files, ...h }) => h)));
      return EXIT.ok;
    }
    if (hits.length === 0) console.log('no library items match');
    for (const h of hits) {
      const labels = Object.entries(h.labels)
        .map(([l, v]) => `${l}=v${v}`)
        .join(' ');
      console.log(
        `${h.name} (${h.kind}, owner ${h.owner}, ${h.versions.length} versions${labels ? `, ${labels}` : ''})`,
      );
      if (h.description) console.log(`    ${h.description}`);
      for (const c of h.contribution) console.log(`    ${describeContribution(c)}`);
    }
    return EXIT.ok;
  });
}

async function contributorsCommand(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { since: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const since = values.since === undefined ? undefined : sinceArg(values.since);
  return withStore(config, async (db) => {
    const people = contributionsByPerson(
      await contributionsByItem(db, { since, names: values.name ? [values.name] : undefined }),
    );
    if (values.json) console.log(JSON.stringify(people));
    else if (people.length === 0) console.log(`no contributions${since ? ` since ${since}` : ''}`);
    else for (const c of people) console.log(describeContribution(c));
    return EXIT.ok;
  });
}

/** A duration back from now (90d) or an ISO date or time. */
function sinceArg(text: string): string {
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(text.trim()))
    return new Date(Date.now() - parseDuration(text, '--since')).toISOString();
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new CliError(`--since ${text}: use a duration like 90d or an ISO date like 2026-10-01`);
  return new Date(t).toISOString();
}
