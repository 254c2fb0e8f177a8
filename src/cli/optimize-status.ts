import type { Budget, OptimizeStatus, ScoreInterval, Spend } from '../optimizer/types';
import type { TuneStatus } from '../tune/types';
import { EXIT } from './exit-codes';
import { budgetText } from './optimize-projection';
import { decideCommandLine } from '../optimizer/decide-command';

export { decideCommandLine };

/** The optimizer answers the same `status` query as the tune loop; its status alone has a frontier. */
export function isOptimizeStatus(s: TuneStatus | OptimizeStatus): s is OptimizeStatus {
  return Array.isArray((s as Partial<OptimizeStatus>).frontier);
}

const short = (hash: string) => hash.slice(0, 12);
/** Scores are 0..1 in the status; people read them as 0..100, like the threshold. */
const pct = (x: number) => (Math.round(x * 1000) / 10).toFixed(1);
const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;

export function intervalText(i: ScoreInterval): string {
  return `${pct(i.mean)} (95 % interval ${pct(i.low)}–${pct(i.high)}, n = ${i.n})`;
}

export function spentText(spent: Spend, budget: Budget): string {
  const b = budgetText(budget);
  return `${spent.calls} calls, ${usd(spent.usd)}${b === 'none' ? ' (no budget)' : ` of ${b}`}`;
}

/** The command that hands a version to the guarded rollout, gated on the dataset the run tuned on. */
export function rolloutCommandLine(name: string, version: number, dataset: { name: string; version: number }): string {
  return `refinery rollout ${name} --version ${version} --dataset ${dataset.name}@${dataset.version}`;
}

/** One line of progress: round, phase, best validation with its interval, frontier, spend, last rejection. */
export function optimizeProgressLine(s: OptimizeStatus): string {
  const best = s.best.interval.n
    ? `best ${pct(s.best.interval.mean)} [${pct(s.best.interval.low)}–${pct(s.best.interval.high)}]`
    : 'best —';
  const rejection = s.lastRejection
    ? ` · last rejection ${short(s.lastRejection.hash)}: ${s.lastRejection.reason}`
    : '';
  return (
    `round ${s.round}/${s.maxRounds} · ${s.phase} · ${best} · frontier ${s.frontier.length} · ` +
    `spent ${spentText(s.spent, s.budget)} · accepted ${s.acceptances}/${s.proposals}${rejection}`
  );
}

/** What the run chose and where it went: version, evidence, the baseline delta, the rollout or its command. */
export function optimizeOutcomeLines(s: OptimizeStatus): string[] {
  const o = s.outcome;
  if (!o) return [];
  const lines: string[] = [];
  const name = s.target.name;
  if (o.version !== undefined)
    lines.push(`chosen ${short(o.chosen.hash)}: version ${o.version} of ${name}, labelled candidate`);
  else if (o.chosen.hash === o.original.hash)
    lines.push(`the original (${name}@${s.target.version}) stays: no candidate beat it on validation; no version made`);
  else lines.push(`chosen ${short(o.chosen.hash)}: no version made (dry run)`);
  lines.push(
    `validation: chosen ${intervalText(o.validation.chosen)} vs original ${intervalText(o.validation.original)}`,
  );
  if (o.test) lines.push(`test: chosen ${intervalText(o.test.chosen)} vs original ${intervalText(o.test.original)}`);
  else lines.push('test: no test split (too few cases, or --test-share 0)');
  if (o.baselineDelta) {
    const d = o.baselineDelta;
    const arm = (a: { passRate: number; tokens: number }) => `${pct(a.passRate)} % pass, ${a.tokens} tokens`;
    lines.push(
      `skill baseline: with the skill ${arm(d.withSkill)}; without it ${arm(d.withoutSkill)}; the original ${arm(d.original)}`,
    );
  }
  if (o.assertiveness !== undefined) lines.push(`assertiveness ${o.assertiveness}`);
  const unresolved = (o.recurring ?? []).filter((r) => r.classification === 'UNRESOLVED');
  if (unresolved.length)
    lines.push(`UNRESOLVED across runs: ${unresolved.map((r) => r.category).join(', ')} (see the report)`);
  if (o.rollout) lines.push(`rollout started: ${o.rollout.workflowId} (\`refinery rollout status ${name}\`)`);
  else if (o.version !== undefined)
    lines.push(`roll it out (gate → approval → canary): ${rolloutCommandLine(name, o.version, s.dataset)}`);
  return lines;
}

/** `refinery status <id>` for an optimizer run. */
export function renderOptimizeStatus(workflowId: string, s: OptimizeStatus, link: string): string[] {
  const lines = [
    `${workflowId} (${s.target.kind} ${s.target.name}@${s.target.version} on dataset ${s.dataset.name}@${s.dataset.version})`,
    `  ${link}`,
    `  round ${s.round}/${s.maxRounds} · ${s.phase}${s.stop ? ` · stopped: ${s.stop}` : ''}`,
  ];
  lines.push(
    s.split.heldOut
      ? `  split: ${s.split.train} train · ${s.split.validation} validation · ${s.split.test} test`
      : `  split: no held-out evidence (${s.split.validation} cases, too few to split): every case trains and validates; acceptance rests on repeated samples`,
  );
  lines.push(
    s.best.interval.n
      ? `  best on validation: ${short(s.best.hash)} ${intervalText(s.best.interval)}`
      : '  best on validation: — (the original is not scored yet)',
  );
  lines.push(`  frontier (${s.frontier.length}):`);
  for (const f of s.frontier) lines.push(`    ${short(f.hash)}  best on ${f.bestOn} cases · mean ${pct(f.mean)}`);
  lines.push(
    `  budget: spent ${spentText(s.spent, s.budget)}` +
      (s.projection ? ` (projected at most ${s.projection.calls} calls, ${usd(s.projection.usd)})` : ''),
  );
  lines.push(`  proposals ${s.proposals} · accepted ${s.acceptances}`);
  if (s.evaluationFailures)
    lines.push(`  judge or assertion failures: ${s.evaluationFailures} (each scored as a failed case)`);
  if (s.lastRejection)
    lines.push(
      `  last rejection: ${short(s.lastRejection.hash)} in round ${s.lastRejection.round}: ${s.lastRejection.reason}`,
    );
  if (s.stall) {
    lines.push(`  awaiting a decision since ${s.stall.since}: ${s.stall.detail}`);
    lines.push(`  decide with: ${decideCommandLine(workflowId, s.stall.reason)}`);
  }
  if (s.models?.sameFamilyWarning) lines.push(`  warning: ${s.models.sameFamilyWarning}`);
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  for (const d of s.decisions)
    lines.push(`  decision: ${d.action} by ${d.by}${d.note ? ` (${d.note})` : ''}${d.timedOut ? ' [timed out]' : ''}`);
  for (const l of optimizeOutcomeLines(s)) lines.push(`  ${l}`);
  for (const p of s.outcome?.reportPaths ?? []) lines.push(`  report: ${p}`);
  return lines;
}

/**
 * Like tuneExitCode: 0 when the run met its threshold or a person accepted it, 4 while it awaits a decision,
 * 5 when it ended otherwise (converged, budget spent, max rounds, rollback, cancel, timeout).
 */
export function optimizeExitCode(s: OptimizeStatus): number {
  if (!s.outcome && s.stall) return EXIT.awaitingDecision;
  if (s.stop === 'threshold-met' || s.stop === 'accepted') return EXIT.ok;
  return EXIT.belowThreshold;
}
