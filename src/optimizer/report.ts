import type { LibraryContent } from '../library/content';
import { unifiedDiff } from '../text/unified-diff';
import type { DecisionRecord, RecurringFinding, RunModels } from '../tune/types';
import { toDocuments } from './documents';
import type {
  AcceptedCandidate,
  Budget,
  CandidateRef,
  DatasetSplit,
  LineageEntry,
  OptimizeInput,
  OptimizeOutcome,
  OptimizerState,
  PairedTest,
  Projection,
  ScoreInterval,
  Spend,
} from './types';

/** Everything the report of one optimize run shows; contents are read from the store by the caller. */
export interface OptimizeReportData {
  runId: string;
  cycleDate: string;
  target: OptimizeInput['target'];
  dataset: OptimizeInput['dataset'];
  splitSettings: OptimizeInput['split'];
  split: DatasetSplit;
  settings: OptimizeInput['settings'];
  /** The models as the worker resolved them, when known; else the choices of the settings are shown. */
  models?: RunModels;
  projection: Projection;
  budget: Budget;
  state: OptimizerState;
  /** The whole lineage of proposals (the state keeps only the newest). */
  lineage: LineageEntry[];
  chosen: CandidateRef;
  original: CandidateRef;
  /** Contents by candidate hash: at least the original, the chosen and every accepted candidate. */
  contents: Record<string, LibraryContent>;
  /** The library version the chosen candidate became; absent when the original won or on a dry run. */
  version?: number;
  /** Where that version is served (the API's version link). */
  versionLink?: string;
  test?: OptimizeOutcome['test'];
  baselineDelta?: OptimizeOutcome['baselineDelta'];
  decisions: DecisionRecord[];
  warnings: string[];
  /** The assertiveness score (reference 003), as the tune loop's report gives it. */
  assertiveness?: number;
  /** Validation cases the chosen still fails that earlier runs of this item also failed. */
  recurring?: RecurringFinding[];
}

const short = (hash: string) => hash.slice(0, 12);
/** Scores are 0..1 per case; shown on the 0..100 scale of --threshold. */
const pct = (x: number) => (Math.round(x * 1000) / 10).toFixed(1);
const interval = (i: ScoreInterval) => `${pct(i.mean)} [${pct(i.low)}, ${pct(i.high)}] (n = ${i.n})`;
const usd = (x: number) => `$${x.toFixed(4)}`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

/** A content as named text documents (the ones the improver edits), to diff one against another. */
export function contentDocuments(content: LibraryContent): Record<string, string> {
  return Object.fromEntries(toDocuments(content).map((d) => [d.path, d.text.endsWith('\n') ? d.text : `${d.text}\n`]));
}

/** The unified diff of two contents, document by document ('' when they are equal). */
export function contentDiff(from: LibraryContent, to: LibraryContent, names: { from: string; to: string }): string {
  const a = contentDocuments(from);
  const b = contentDocuments(to);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .sort()
    .map((doc) =>
      unifiedDiff(a[doc] ?? '', b[doc] ?? '', {
        from: doc in a ? `${names.from}/${doc}` : '/dev/null',
        to: doc in b ? `${names.to}/${doc}` : '/dev/null',
      }),
    )
    .join('');
}

const fence = (diff: string, max = 20_000) => [
  '```diff',
  diff.length > max ? `${diff.slice(0, max)}\n… (truncated)` : diff.trimEnd(),
  '```',
];

function pairedTestLine(t: PairedTest): string {
  return (
    `${t.name} over ${t.n} validation cases: mean difference ${t.meanDiff >= 0 ? '+' : ''}${pct(t.meanDiff)} points, ` +
    `p = ${pValue(t.pValue)} (one-sided), ${t.wins} wins / ${t.losses} losses / ${t.ties} ties`
  );
}

/** Per validation case: the chosen against the original (win, loss, tie), for the cases both were scored on. */
export function perCaseComparison(
  original: Record<string, number>,
  chosen: Record<string, number>,
): { wins: string[]; losses: string[]; ties: string[] } {
  const out = { wins: [] as string[], losses: [] as string[], ties: [] as string[] };
  for (const id of Object.keys(original).sort()) {
    const c = chosen[id];
    if (c === undefined) continue;
    const o = original[id]!;
    if (Math.abs(c - o) < 1e-9) out.ties.push(id);
    else (c > o ? out.wins : out.losses).push(id);
  }
  return out;
}

/** The markdown report of an optimize run: what was tuned, on what evidence, what it cost, and what changed. */
export function renderOptimizeReport(d: OptimizeReportData): string {
  const out: string[] = [];
  const accepted = d.state.accepted;
  const byHash = new Map(accepted.map((a) => [a.ref.hash, a]));
  const originalAcc = byHash.get(d.original.hash) ?? accepted[0];
  const chosenAcc = byHash.get(d.chosen.hash);
  const same = d.chosen.hash === d.original.hash;
  const { target, dataset } = d;

  out.push(`# Optimize report: ${target.name}`, '');
  out.push(`- **Run:** \`${d.runId}\``);
  out.push(`- **Cycle:** ${d.cycleDate}`);
  out.push(
    `- **Target:** ${target.name}@${target.version} (${target.kind === 'skill' ? 'skill' : `${target.kind} prompt`})`,
  );
  out.push(`- **Dataset:** ${dataset.name}@${dataset.version}`);
  out.push(`- **Stop:** ${d.state.stop ?? 'running'}`);
  out.push(
    `- **Outcome:** ` +
      (same
        ? 'the original stayed best on validation: no new version'
        : d.settings.dryRun
          ? `dry run: candidate \`${short(d.chosen.hash)}\` was chosen, no version was recorded`
          : d.version !== undefined
            ? `candidate \`${short(d.chosen.hash)}\` became ${target.name}@${d.version}${d.versionLink ? ` (${d.versionLink})` : ''}, labelled \`candidate\` (not production: the guarded rollout decides that)`
            : `candidate \`${short(d.chosen.hash)}\` was chosen`),
  );
  if (chosenAcc && originalAcc)
    out.push(`- **Validation:** chosen ${interval(chosenAcc.interval)} · original ${interval(originalAcc.interval)}`);
  out.push(`- **Proposals:** ${d.state.proposals}, accepted ${d.state.acceptances}, rounds ${d.state.round}`, '');

  out.push('## Dataset and split', '');
  const s = d.split;
  out.push(`| Split | Cases | Used for |`, `|---|---|---|`);
  out.push(`| train | ${s.train.length} | the failures proposals learn from |`);
  out.push(`| validation | ${s.validation.length} | screening, acceptance and the final pick |`);
  out.push(`| test | ${s.test.length} | scored once at the end, never used to choose |`, '');
  out.push(
    `Seed ${s.seed}; stratified by tags; validation share ${d.splitSettings.validationShare}, test share ${d.splitSettings.testShare}.`,
    '',
  );
  if (!s.heldOut)
    out.push(
      `**No held-out evidence:** the dataset has fewer than ${d.splitSettings.minCasesForSplit} cases, so train and ` +
        'validation are the same cases and there is no test split. Acceptance rested on repeated samples of the ' +
        'cases the proposals learned from: treat the gain as unconfirmed until a larger dataset shows it.',
      '',
    );

  out.push('## Models and settings', '');
  const m = (r: { provider: string; model: string }) => `${r.provider}:${r.model}`;
  const models = d.models ?? { executor: d.settings.executor, judge: d.settings.judge, improver: d.settings.improver };
  out.push(
    `- **Executor:** ${m(models.executor)} · **Judge:** ${m(models.judge)} · **Improver:** ${m(models.improver)}`,
  );
  if (d.models?.sameFamilyWarning) out.push(`- **Judge family:** ${d.models.sameFamilyWarning}`);
  const st = d.settings;
  out.push(
    `- **Rounds:** at most ${st.maxRounds}, ${st.parallel} proposal(s) in parallel; patience ${st.patience}; threshold ${st.threshold}`,
    `- **Screening:** minibatch of ${st.minibatchSize} training cases; validation with one sample per case, ${st.repeat} per judge-graded case where child and parent disagree`,
    `- **Acceptance:** one-sided paired test at alpha ${st.alpha}`,
    `- **Change budget:** ${st.changeBudget.lines} lines, ${st.changeBudget.bytes} bytes per proposal; reflection prompt ${st.reflectionTokens} tokens`,
    `- **Seed:** ${st.seed}${st.dryRun ? ' · **dry run**' : ''}`,
    '',
  );

  out.push('## Budget: projected and spent', '');
  const spent: Spend = d.state.spent;
  const limit = (x: number | undefined, f: (n: number) => string) => (x === undefined ? '—' : f(x));
  out.push(`| | Calls | Dollars |`, `|---|---|---|`);
  out.push(`| Budget | ${limit(d.budget.calls, String)} | ${limit(d.budget.usd, usd)} |`);
  out.push(`| Projected, whole run | ${d.projection.calls} | ${usd(d.projection.usd)} |`);
  out.push(`| Projected, per round | ${d.projection.perRound.calls} | ${usd(d.projection.perRound.usd)} |`);
  out.push(
    `| Projected, baseline + one validation | ${d.projection.baselineAndOneValidation.calls} | ${usd(d.projection.baselineAndOneValidation.usd)} |`,
  );
  out.push(`| Spent | ${spent.calls} | ${usd(spent.usd)} |`, '');
  if (d.projection.warning) out.push(`**Projection warning:** ${d.projection.warning}`, '');

  out.push('## Progression', '');
  out.push(
    'Validation score (0–100) of each accepted candidate with its 95 % interval, in the round it was accepted.',
    '',
  );
  out.push(`| Round | Candidate | Parent | Validation | Summary |`, `|---|---|---|---|---|`);
  for (const a of accepted)
    out.push(
      `| ${a.round} | \`${short(a.ref.hash)}\`${a.ref.hash === d.chosen.hash ? ' (chosen)' : ''} | ${a.parent ? `\`${short(a.parent)}\`` : '—'} | ${interval(a.interval)} | ${cell(a.summary || (a.parent ? '' : 'the original'))} |`,
    );
  out.push('');

  out.push('## Accepted lineage', '');
  const children = accepted.filter((a) => a.parent !== undefined);
  if (!children.length) out.push('No proposal was accepted: the original stands.', '');
  for (const a of children) out.push(...acceptedSection(a, d));

  out.push('## Rejected proposals', '');
  const rejected = d.lineage.filter((l) => l.status === 'rejected');
  if (!rejected.length) out.push('None.', '');
  else {
    out.push(`| Round | Candidate | Parent | Why | Summary |`, `|---|---|---|---|---|`);
    for (const r of rejected)
      out.push(
        `| ${r.round} | ${r.hash ? `\`${short(r.hash)}\`` : '—'} | \`${short(r.parent)}\` | ${cell(r.reason)} | ${cell(r.summary)} |`,
      );
    out.push('');
  }

  out.push('## Per case on validation: chosen against the original', '');
  if (same || !chosenAcc || !originalAcc) out.push('The chosen is the original: no difference to show.', '');
  else {
    const cmp = perCaseComparison(originalAcc.validation, chosenAcc.validation);
    out.push(
      `${count(cmp.wins.length, 'win')}, ${count(cmp.losses.length, 'loss', 'losses')}, ${count(cmp.ties.length, 'tie')}.`,
      '',
    );
    if (cmp.wins.length + cmp.losses.length) {
      out.push(`| Case | Original | Chosen | |`, `|---|---|---|---|`);
      for (const id of [...cmp.wins, ...cmp.losses].sort())
        out.push(
          `| ${cell(id)} | ${pct(originalAcc.validation[id]!)} | ${pct(chosenAcc.validation[id]!)} | ${cmp.wins.includes(id) ? 'win' : 'loss'} |`,
        );
      out.push('');
    }
  }

  out.push('## Test split', '');
  if (d.test)
    out.push(
      `| | Test score |`,
      `|---|---|`,
      `| Chosen | ${interval(d.test.chosen)} |`,
      `| Original | ${interval(d.test.original)} |`,
      '',
      'Scored once, after the choice was made: the test split never chose anything.',
      '',
    );
  else
    out.push(s.test.length ? 'The test split was not scored (the run stopped before its end).' : 'No test split.', '');

  if (d.baselineDelta) {
    const b = d.baselineDelta;
    const delta = (x: number, y: number, f: (n: number) => string) => `${x - y >= 0 ? '+' : ''}${f(x - y)}`;
    out.push('## Baseline delta (skill)', '');
    out.push(`| | Pass rate | Tokens |`, `|---|---|---|`);
    out.push(`| With the chosen skill | ${pct(b.withSkill.passRate)} % | ${b.withSkill.tokens} |`);
    out.push(`| Without the skill | ${pct(b.withoutSkill.passRate)} % | ${b.withoutSkill.tokens} |`);
    out.push(`| With the original skill | ${pct(b.original.passRate)} % | ${b.original.tokens} |`, '');
    out.push(
      `Against no skill: ${delta(b.withSkill.passRate, b.withoutSkill.passRate, pct)} points, ${delta(b.withSkill.tokens, b.withoutSkill.tokens, String)} tokens. ` +
        `Against the original: ${delta(b.withSkill.passRate, b.original.passRate, pct)} points, ${delta(b.withSkill.tokens, b.original.tokens, String)} tokens.`,
      '',
    );
  }

  if (d.assertiveness !== undefined) out.push('## Assertiveness', '', `**${d.assertiveness}** / 100`, '');
  if (d.recurring?.length) {
    out.push('## Recurring failures across runs', '');
    for (const r of d.recurring) out.push(`- ${r.classification}: ${r.category} (run ${r.occurrence} to fail it)`);
    out.push('');
  }
  out.push('## Decisions', '');
  if (!d.decisions.length) out.push('None.', '');
  else {
    for (const dec of d.decisions)
      out.push(
        `- ${dec.decidedAt}: **${dec.action}**${dec.iterations ? ` (+${dec.iterations} rounds)` : ''} by ${dec.by} on "${dec.reason}"${dec.timedOut ? ' (timed out)' : ''}${dec.note ? ` — ${dec.note}` : ''}`,
      );
    out.push('');
  }
  out.push('## Warnings', '');
  const warnings = [
    ...d.warnings,
    ...(d.projection.warning && !d.warnings.includes(d.projection.warning) ? [d.projection.warning] : []),
  ];
  out.push(...(warnings.length ? warnings.map((w) => `- ${w}`) : ['None.']), '');
  return out.join('\n');
}

function acceptedSection(a: AcceptedCandidate, d: OptimizeReportData): string[] {
  const out = [`### Round ${a.round}: \`${short(a.ref.hash)}\` from \`${short(a.parent!)}\``, ''];
  if (a.summary) out.push(`- **Change:** ${a.summary}`);
  out.push(`- **Validation:** ${interval(a.interval)}`);
  const entry = d.lineage.find((l) => l.hash === a.ref.hash && l.status === 'accepted');
  if (entry?.minibatch)
    out.push(`- **Minibatch:** ${entry.minibatch.child} against the parent's ${entry.minibatch.parent}`);
  const test = a.test ?? entry?.test;
  out.push(`- **Paired test:** ${test ? pairedTestLine(test) : 'not recorded'}`, '');
  const from = d.contents[a.parent!];
  const to = d.contents[a.ref.hash];
  if (from && to) {
    const diff = contentDiff(from, to, { from: short(a.parent!), to: short(a.ref.hash) });
    out.push(...(diff ? fence(diff) : ['No textual change.']), '');
  } else out.push('(The contents were not available to diff.)', '');
  return out;
}
