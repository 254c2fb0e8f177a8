import type { EvalRunInput } from '../eval/types';
import type { ImproveInput } from '../improve/types';
import type { OptimizeInput } from '../optimizer/types';
import type { AbInput } from '../rollout/ab-types';
import type { RolloutInput } from '../rollout/types';
import type { ModelChoice, TuneInput } from '../tune/types';
import { humanDuration, inline } from './markdown';

/**
 * The fixed part of what the Temporal Web UI shows for a run: a one-line summary (what, which item and version, who
 * started it) and markdown details (settings, how to follow it, which signals it takes). Given to every start — the
 * client's and a parent's — so a run in the list says what it is. Pure: workflows import it for their children.
 */
export interface StartMetadata {
  staticSummary: string;
  staticDetails: string;
}

const model = (m: ModelChoice) => `${m.provider}:${m.model}`;
const by = (who: string | undefined) => (who ? ` — started by ${inline(who)}` : '');
const table = (rows: [string, string | number | undefined][]) =>
  [
    '| | |',
    '|---|---|',
    ...rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `| ${k} | ${inline(String(v))} |`),
  ].join('\n');

/** A tune of one skill or a chain (the folder form's tune loop). */
export function tuneMetadata(input: TuneInput): StartMetadata {
  const s = input.settings;
  const skills = input.skills.map((k) => `${k.name}@${k.originalHash.slice(0, 8)}`).join(' + ');
  return {
    staticSummary: `Tune ${s.chain ? 'chain' : 'skill'} ${skills}: up to ${s.maxIterations} iterations to score ${s.threshold}${s.dryRun ? ' (dry run)' : ''}${by(input.startedBy)}`,
    staticDetails: [
      `**Tune** of ${input.skills.map((k) => `\`${k.name}\``).join(', ')} (execute → evaluate → improve).`,
      '',
      table([
        ['Skills (version hash)', input.skills.map((k) => `${k.name} ${k.originalHash.slice(0, 12)}`).join(', ')],
        ['Threshold', s.threshold],
        ['Max iterations', s.maxIterations],
        ['Executor / judge / improver', `${model(s.executor)} / ${model(s.judge)} / ${model(s.improver)}`],
        ['Execution', s.execution ?? 'agent'],
        ['Waits for a decision up to', humanDuration(s.decisionTimeoutMs)],
        ['Dry run', s.dryRun ? 'yes' : 'no'],
        ['Started by', input.startedBy],
      ]),
      '',
      `Follow it with \`refinery status ${input.runId}\`. When it stalls, the current details say what to send (signal \`decide\`).`,
    ].join('\n'),
  };
}

/** The optimizer: any library item on a dataset (`refinery tune <name> --dataset`). */
export function optimizeMetadata(input: OptimizeInput, workflowId: string): StartMetadata {
  const s = input.settings;
  const budget = [
    ...(s.budget.calls === undefined ? [] : [`${s.budget.calls} calls`]),
    ...(s.budget.usd === undefined ? [] : [`$${s.budget.usd}`]),
  ];
  return {
    staticSummary:
      `Optimizes ${input.target.kind} ${input.target.name}@${input.target.version} on dataset ` +
      `${input.dataset.name}@${input.dataset.version}: up to ${s.maxRounds} rounds of ${s.parallel} proposals, ` +
      `threshold ${s.threshold}, seed ${s.seed}${budget.length ? `, budget ${budget.join(' / ')}` : ''}` +
      `${s.dryRun ? ' (dry run)' : ''}${s.thenRollout ? ', then a guarded rollout' : ''}${by(input.startedBy)}`,
    staticDetails: [
      `**Optimizer run** \`${input.runId}\` of ${input.target.kind} \`${input.target.name}@${input.target.version}\` on dataset \`${input.dataset.name}@${input.dataset.version}\`.`,
      '',
      table([
        ['Rounds × proposals', `${s.maxRounds} × ${s.parallel}`],
        ['Threshold', s.threshold],
        ['Seed', s.seed],
        ['Budget', budget.join(' / ') || 'none'],
        ['Executor / judge / improver', `${model(s.executor)} / ${model(s.judge)} / ${model(s.improver)}`],
        ['Waits for a decision up to', humanDuration(s.decisionTimeoutMs)],
        ['Dry run', s.dryRun ? 'yes' : 'no'],
        ['Then a guarded rollout', s.thenRollout ? 'yes' : 'no'],
        ['Started by', input.startedBy],
      ]),
      '',
      `Follow it with \`refinery status ${workflowId}\`. When it stalls, the current details say what to send (signal \`decide\`).`,
    ].join('\n'),
  };
}

/** An eval run; `purpose` names why a parent runs it (a rollout's staging gate, the monthly golden audit). */
export function evalMetadata(input: EvalRunInput, opts: { startedBy?: string; purpose?: string } = {}): StartMetadata {
  const s = input.settings;
  const what = `${input.target.name}@${input.target.version} on dataset ${input.dataset.name}@${input.dataset.version}`;
  return {
    staticSummary: `${opts.purpose ? `${opts.purpose}: eval` : 'Eval'} ${what}, pass rate ≥ ${s.passRateThreshold}${s.batch ? ' (batch)' : ''}${by(opts.startedBy)}`,
    staticDetails: [
      `**Eval run** \`${input.runId}\` of \`${input.target.name}@${input.target.version}\` on \`${input.dataset.name}@${input.dataset.version}\`${opts.purpose ? ` (${inline(opts.purpose)})` : ''}.`,
      '',
      table([
        ['Model under test', `${s.provider}:${s.model}`],
        ['Judge', `${s.judgeProvider}:${s.judgeModel}`],
        ['Samples per case', s.repeat],
        ['Pass-rate gate', s.passRateThreshold],
        ['Chunk size × parallel chunks', `${s.chunkSize} × ${s.parallelChunks}`],
        ['Cost limit', s.maxCostUsd === undefined ? 'none' : `$${s.maxCostUsd}`],
        ['Batch API', s.batch ? 'yes' : 'no'],
        ['Cache', s.noCache ? 'off' : 'on'],
        ['Started by', opts.startedBy],
      ]),
      '',
      `The summary and gate are the run's result; a stopped run resumes with \`refinery eval ${input.target.name} --resume ${input.runId}\`.`,
    ].join('\n'),
  };
}

/** A guarded rollout: gate, approval, canary steps with bakes, promotion or rollback. */
export function rolloutMetadata(input: RolloutInput, opts: { startedFrom?: string } = {}): StartMetadata {
  const steps = input.steps.map((p) => `${p} %`).join(' → ');
  return {
    staticSummary: `Guarded rollout of ${input.name} v${input.candidateVersion}: ${steps}, bake ${humanDuration(input.bakeMs)} each${by(input.startedBy)}`,
    staticDetails: [
      `**Guarded rollout** \`${input.rolloutId}\` of \`${input.name}\` version ${input.candidateVersion}${opts.startedFrom ? `, ${inline(opts.startedFrom)}` : ''}.`,
      '',
      table([
        ['Canary steps', steps],
        ['Bake per step', humanDuration(input.bakeMs)],
        ['Guard looks every', humanDuration(input.evaluationIntervalMs)],
        [
          'Staging gate',
          input.gate
            ? `${input.gate.dataset}@${input.gate.datasetVersion}, pass rate ≥ ${input.gate.passRateThreshold}`
            : 'none',
        ],
        [
          'Approval',
          input.approval.required
            ? `required, by ${input.approval.approvers.join(', ') || 'an admin'}, within ${humanDuration(input.approval.timeoutMs)}`
            : 'not required',
        ],
        ['Guard minimum samples', input.guard?.minSamples],
        ['Started by', input.startedBy],
      ]),
      '',
      `Follow it with \`refinery rollout status ${input.name}\`. Signals: \`approve\` {"decision":"approve"|"reject","by":…}, ` +
        `\`control\` {"action":"pause"|"resume"|"abort"|"emergency-rollback","by":…,"reason":…}.`,
    ].join('\n'),
  };
}

/** An A/B test between two versions of an item. */
export function abMetadata(input: AbInput, opts: { startedBy?: string } = {}): StartMetadata {
  const [a, b] = input.variants;
  return {
    staticSummary: `A/B test of ${input.name}: v${a} ${input.split[0]} % / v${b} ${input.split[1]} % on ${input.metric}${by(opts.startedBy)}`,
    staticDetails: [
      `**A/B test** \`${input.abId}\` of \`${input.name}\`: version ${a} (control) against version ${b}.`,
      '',
      table([
        ['Split', `${input.split[0]} % / ${input.split[1]} %`],
        ['Metric', input.metric],
        ['Minimum samples per variant', input.minSamples],
        ['Looks every', humanDuration(input.checkIntervalMs)],
        ['Runs at most', humanDuration(input.maxDurationMs)],
        ['Started by', opts.startedBy],
      ]),
      '',
      `Stop it early with the \`stop\` signal {"by":"<you>","reason":"…"} or \`refinery ab stop ${input.name}\`.`,
    ].join('\n'),
  };
}

const CALENDAR_WORK: Record<string, string> = {
  daily: "today's live signals against 30-day baselines → deduped, escalated alerts; failures harvested as cases",
  weekly: '7 days of quality against the 7 before → a written summary with action items',
  monthly:
    "every active prompt's golden dataset re-run and compared with last month; a tune for each regression; alert thresholds recalibrated",
  quarterly: 'library health audit, golden dataset refresh review, and a rollback drill per production prompt',
};

/** A run of the improvement calendar, as its Schedule starts it (every run of the Schedule carries it). */
export function calendarMetadata(period: string, scheduleId: string, opts: { batch?: boolean } = {}): StartMetadata {
  return {
    staticSummary: `Improvement calendar: ${period} run — started by Schedule ${scheduleId}`,
    staticDetails: [
      `**${period[0]!.toUpperCase()}${period.slice(1)} run** of the improvement calendar: ${CALENDAR_WORK[period] ?? period}.`,
      '',
      `Started by the Schedule \`${scheduleId}\` (\`refinery schedules list\`); it reviews up to the Schedule's nominal start time.` +
        (opts.batch ? ' The golden re-runs go through the providers’ batch APIs.' : ''),
    ].join('\n'),
  };
}

/**
 * The same shape for a kind of run with no builder of its own (the improve loop uses it): a summary from what it
 * does to which item and who started it, and details from a settings table and how to follow it.
 */
export function runMetadata(opts: {
  /** e.g. "Improve" */
  what: string;
  /** e.g. "greet@3" */
  item: string;
  startedBy?: string;
  /** Settings worth seeing, as label → value (undefined rows are left out). */
  settings: [string, string | number | undefined][];
  /** How to follow it, e.g. "Follow it with `refinery status <id>`." */
  follow?: string;
}): StartMetadata {
  return {
    staticSummary: `${opts.what} ${opts.item}${by(opts.startedBy)}`,
    staticDetails: [
      `**${inline(opts.what)}** \`${inline(opts.item)}\`.`,
      '',
      table([...opts.settings, ['Started by', opts.startedBy]]),
      ...(opts.follow ? ['', opts.follow] : []),
    ].join('\n'),
  };
}

/** `refinery improve` (started by the CLI, or by the monthly regression path). */
export function improveMetadata(input: ImproveInput, workflowId: string): StartMetadata {
  const skip = input.skip?.length ? ` (skipping ${input.skip.join(', ')})` : '';
  const base = runMetadata({
    what: 'Improve',
    item: input.name,
    startedBy: input.startedBy,
    settings: [
      ['Steps', `harvest → review → tune → gate → approval → rollout → check${skip}`],
      ['Dataset', input.dataset ?? input.fallbackDataset?.name],
      ['Review timeout', humanDuration(input.reviewTimeoutMs)],
      ['Approval timeout', humanDuration(input.approvalTimeoutMs)],
      ['Gate: pass rate at least', `${Math.round(input.gate.passRateThreshold * 1000) / 10} %`],
      ['Rollout steps', input.rollout.steps.map((p) => `${p} %`).join(' → ')],
      ['Post-rollout check window', humanDuration(input.check.windowMs)],
    ],
    follow: `Follow it with \`refinery improve --run ${workflowId} --status\`; stop or skip a step with the \`control\` signal.`,
  });
  return {
    staticSummary: `Improve ${input.name} from production evidence${skip}${by(input.startedBy)}`,
    staticDetails: base.staticDetails,
  };
}
