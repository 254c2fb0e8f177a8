import type { ReviewCase, UserTendency } from './case-store';
import { ALL_USERS } from './case-store';

/** Least votes (or ratings) before a user's tendency is called out: fewer say nothing about the user. */
const MIN_VOTES = 5;

/**
 * One line on a user's rating habits against everyone's on the same prompt, flagging those who rate low far
 * more often than others: their thumbs-down may say more about them than about the prompt.
 */
export function describeTendency(u: UserTendency, all: UserTendency | undefined): string {
  const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
  const parts = [`${u.votes} vote(s), ${pct(u.thumbsDownShare)} thumbs-down`];
  if (u.ratings > 0) parts.push(`${u.ratings} rating(s), average ${u.averageRating}`);
  if (all) {
    const base = [`everyone: ${pct(all.thumbsDownShare)} thumbs-down`];
    if (all.averageRating !== null) base.push(`average ${all.averageRating}`);
    parts.push(`(${base.join(', ')})`);
  }
  const harsh =
    !!all &&
    ((u.votes >= MIN_VOTES &&
      u.thumbsDownShare !== null &&
      all.thumbsDownShare !== null &&
      u.thumbsDownShare >= all.thumbsDownShare + 0.25) ||
      (u.ratings >= MIN_VOTES &&
        u.averageRating !== null &&
        all.averageRating !== null &&
        u.averageRating <= all.averageRating - 1));
  return `${u.userId}: ${parts.join(' ')}${harsh ? ' — rates low far more often than most users' : ''}`;
}

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

/** A case as a person reviews it: the version, the evidence and who gave it. */
export function formatCase(c: ReviewCase, tendencies: UserTendency[], maxText = 2000): string {
  const lines = [
    `${c.caseId}  ${c.name} v${c.version}  ${c.kinds.join(', ')}  [${c.status}]${c.duplicates ? `  +${c.duplicates} near-identical` : ''}`,
    `  run:        ${c.runId ?? '(feedback without a run)'} at ${c.runAt}`,
    `  input:      ${c.input === null ? '(not recorded)' : clip(c.input, maxText)}`,
    `  output:     ${c.output === null ? '(not recorded)' : clip(c.output, maxText)}`,
  ];
  if (c.error !== null) lines.push(`  error:      ${clip(c.error, 500)}`);
  if (c.correction !== null) lines.push(`  correction: ${clip(c.correction, maxText)}`);
  for (const f of c.feedback) {
    const what = [
      f.thumbs ? `thumbs-${f.thumbs}` : '',
      f.rating !== null ? `rating ${f.rating}/5` : '',
      f.correction !== null ? 'correction' : '',
      f.comment !== null ? `"${clip(f.comment, 300)}"` : '',
    ].filter(Boolean);
    lines.push(`  feedback:   ${what.join(', ')} by ${f.userId ?? 'an unnamed user'} at ${f.at}`);
  }
  const all = tendencies.find((t) => t.userId === ALL_USERS);
  const users = [...new Set(c.feedback.map((f) => f.userId).filter((u): u is string => !!u))];
  for (const id of users) {
    const t = tendencies.find((x) => x.userId === id);
    if (t) lines.push(`  user:       ${describeTendency(t, all)}`);
  }
  if (c.status === 'rejected') lines.push(`  rejected:   ${c.reason} (by ${c.reviewer})`);
  if (c.status === 'accepted')
    lines.push(
      `  accepted:   by ${c.reviewer}${c.datasetVersion !== null ? `, in dataset ${c.dataset}@${c.datasetVersion}` : ''}`,
    );
  return lines.join('\n');
}
