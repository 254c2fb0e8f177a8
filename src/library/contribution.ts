/** What one person contributed: the four figures of the contribution view (see contribution-store). */
export interface Contribution {
  person: string;
  versionsToProduction: number;
  improvementsShipped: number;
  casesContributed: number;
  feedbackResolved: number;
}

export interface ItemContribution extends Contribution {
  name: string;
}

export const contributionTotal = (c: Contribution): number =>
  c.versionsToProduction + c.improvementsShipped + c.casesContributed + c.feedbackResolved;

/** Sums per person (over items), largest total first, then by name so equal totals list stably. */
export function contributionsByPerson(rows: Contribution[]): Contribution[] {
  const byPerson = new Map<string, Contribution>();
  for (const r of rows) {
    const c = byPerson.get(r.person) ?? {
      person: r.person,
      versionsToProduction: 0,
      improvementsShipped: 0,
      casesContributed: 0,
      feedbackResolved: 0,
    };
    c.versionsToProduction += r.versionsToProduction;
    c.improvementsShipped += r.improvementsShipped;
    c.casesContributed += r.casesContributed;
    c.feedbackResolved += r.feedbackResolved;
    byPerson.set(r.person, c);
  }
  return [...byPerson.values()]
    .filter((c) => contributionTotal(c) > 0)
    .sort((a, b) => contributionTotal(b) - contributionTotal(a) || (a.person < b.person ? -1 : 1));
}

/** One line per person: "alice: 2 versions to production, 1 improvement shipped, 3 cases, 4 feedback resolved". */
export function describeContribution(c: Contribution): string {
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  return `${c.person}: ${n(c.versionsToProduction, 'version', 'versions')} to production, ${n(
    c.improvementsShipped,
    'improvement',
  )} shipped, ${n(c.casesContributed, 'case')} contributed, ${c.feedbackResolved} feedback resolved`;
}
