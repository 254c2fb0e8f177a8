import type { FailureKind } from '../cases/failure-kinds';
import { waitingBlock, type SignalChoice } from '../web-ui/markdown';
import {
  IMPROVE_STEPS,
  type CheckOutcome,
  type ImproveControlInput,
  type ImproveInput,
  type ImproveStatus,
  type ImproveStep,
  type KindRates,
  type StepStatus,
} from './types';

/**
 * The pure decisions of `refinery improve`: which messages a run takes in which step, and the post-rollout
 * check's verdict. The workflow (src/workflows/improve.ts) calls them; test/improve/plan.test.ts covers them.
 */

/** The shortest check window a run accepts: a shorter one measures noise. */
export const MIN_CHECK_WINDOW_MS = 1000;

export function improveInputProblem(input: ImproveInput): string | undefined {
  if (!input.runId) return 'runId is required';
  if (!input.name) return 'name is required';
  if (!(input.reviewTimeoutMs > 0)) return 'the review timeout must be above 0';
  if (!(input.approvalTimeoutMs > 0)) return 'the approval timeout must be above 0';
  if (!(input.check.windowMs >= MIN_CHECK_WINDOW_MS))
    return `the check window must be at least ${MIN_CHECK_WINDOW_MS} ms`;
  if (!(input.check.minSamples >= 1)) return 'the check needs at least 1 sample';
  const p = input.gate.passRateThreshold;
  if (!(p >= 0 && p <= 1)) return 'the gate threshold is a pass rate from 0 to 1';
  for (const s of input.skip ?? []) if (!IMPROVE_STEPS.includes(s)) return `no step "${s}" to skip`;
  return undefined;
}

export const initialSteps = (skip: readonly ImproveStep[] = []): StepStatus[] =>
  IMPROVE_STEPS.map((step) =>
    skip.includes(step)
      ? { step, state: 'skipped', detail: 'skipped when the run started' }
      : { step, state: 'pending' },
  );

const stepOf = (s: ImproveStatus, step: ImproveStep) => s.steps.find((x) => x.step === step)!;

/** Steps only an approver may skip: skipping them ships without the check a person is there for. */
const GUARDED: readonly ImproveStep[] = ['gate', 'approval'];

const isApprover = (c: ImproveControlInput, approvers: readonly string[]) =>
  approvers.includes(c.by) || (c.authenticated === true && c.admin === true);

/** Why a control message is refused now, or undefined when the run takes it. */
export function improveControlProblem(
  s: ImproveStatus,
  c: ImproveControlInput,
  approvers: readonly string[],
): string | undefined {
  if (!c.by?.trim()) return 'say who acts (--by)';
  if (s.current === 'finished') return `the improve run has finished (${s.outcome ?? 'done'})`;
  const current = stepOf(s, s.current);
  switch (c.action) {
    case 'stop':
      return undefined;
    case 'skip': {
      const step = c.step ?? s.current;
      if (!IMPROVE_STEPS.includes(step)) return `no step "${step}": steps are ${IMPROVE_STEPS.join(', ')}`;
      const target = stepOf(s, step);
      if (IMPROVE_STEPS.indexOf(step) < IMPROVE_STEPS.indexOf(s.current) || ['done', 'failed'].includes(target.state))
        return `the ${step} step is over (${target.state})`;
      if (target.state === 'skipped') return `the ${step} step is skipped already`;
      if (step === 'rollout' && target.state === 'running')
        return 'the rollout is running: stop the run (it aborts the rollout) or use `refinery rollout abort`';
      if (GUARDED.includes(step) && !isApprover(c, approvers))
        return `${c.by} may not skip the ${step}: only ${approvers.join(', ') || 'the owner or an admin'}`;
      if (c.version !== undefined && (step !== 'tune' || !Number.isInteger(c.version) || c.version < 1))
        return 'a version goes only with a skip of the tune (a whole number ≥ 1)';
      return undefined;
    }
    case 'reviewed':
      if (s.current !== 'review' || current.state !== 'waiting')
        return `the run is not waiting for the review (step: ${s.current})`;
      return undefined;
    case 'approve':
    case 'reject':
      if (s.current !== 'approval' || current.state !== 'waiting')
        return `the run is not awaiting approval (step: ${s.current})`;
      if (!isApprover(c, approvers))
        return `${c.by} may not approve: only ${approvers.join(', ')} (the owner or an admin)`;
      return undefined;
    default:
      return `unknown action "${(c as { action: string }).action}": stop, skip, reviewed, approve or reject`;
  }
}

/** A kind's rate per recorded run, or null without runs. */
export const rateOf = (r: KindRates, kind: FailureKind): number | null =>
  r.runs === 0 ? null : (r.counts[kind] ?? 0) / r.runs;

/**
 * The post-rollout check: every harvested failure kind must have fallen (a strictly lower rate per run for the
 * new version than for the old one) once the new version has `minSamples` runs in the window. A kind the old
 * version never showed in the window cannot fall and does not count against the new one unless it rose.
 */
export function checkVerdict(
  kinds: readonly FailureKind[],
  before: KindRates,
  after: KindRates,
  minSamples: number,
): Pick<CheckOutcome, 'verdict' | 'kinds' | 'detail'> {
  const rows = kinds.map((kind) => {
    const b = rateOf(before, kind);
    const a = rateOf(after, kind);
    const fell = b !== null && a !== null && (a < b || (b === 0 && a === 0));
    return { kind, before: b, after: a, fell };
  });
  const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 1000) / 10}%`);
  const shown = rows.map((r) => `${r.kind} ${pct(r.before)} → ${pct(r.after)}`).join(', ');
  if (kinds.length === 0)
    return { verdict: 'insufficient', kinds: rows, detail: 'no failure kinds were harvested: nothing to compare' };
  if (after.runs < minSamples || before.runs === 0)
    return {
      verdict: 'insufficient',
      kinds: rows,
      detail: `too few runs to judge: ${before.runs} before, ${after.runs} after (at least ${minSamples} after)`,
    };
  const rose = rows.filter((r) => !r.fell);
  if (rose.length === 0) return { verdict: 'improved', kinds: rows, detail: `every harvested kind fell: ${shown}` };
  return {
    verdict: 'not-improved',
    kinds: rows,
    detail: `did not fall: ${rose.map((r) => r.kind).join(', ')} (${shown})`,
  };
}

/**
 * The step after `step`, or 'finished'. Skipped steps are not passed over here: the loop visits each one and does
 * what skipping it means (a skipped tune still publishes the dataset the gate needs; a skipped rollout ends the run
 * with nothing shipped, so the check never measures a rollout that did not happen).
 */
export function nextStep(step: ImproveStep): ImproveStep | 'finished' {
  return IMPROVE_STEPS[IMPROVE_STEPS.indexOf(step) + 1] ?? 'finished';
}

/**
 * The step after `step` that is not skipped, or 'finished': how runs started before nextStep took their path. Kept
 * for them alone (see the patch in the improve workflow), since replaying their histories must take it again.
 */
export function nextUnskippedStep(s: ImproveStatus, step: ImproveStep): ImproveStep | 'finished' {
  for (let i = IMPROVE_STEPS.indexOf(step) + 1; i < IMPROVE_STEPS.length; i++) {
    const next = IMPROVE_STEPS[i]!;
    if (stepOf(s, next).state !== 'skipped') return next;
  }
  return 'finished';
}

/** The Web UI's current details: the steps as a list, the one running marked, what a person may send. */
export function improveDetails(s: ImproveStatus, workflowId: string): string {
  const mark: Record<string, string> = {
    pending: '·',
    running: '▶',
    waiting: '⏸',
    done: '✓',
    skipped: '↷',
    failed: '✗',
    stopped: '■',
  };
  const lines = s.steps.map(
    (x) => `- ${mark[x.state] ?? '·'} **${x.step}** ${x.state}${x.detail ? `: ${x.detail}` : ''}`,
  );
  const head = `**refinery improve ${s.name}** (run ${s.runId}) — ${s.current === 'finished' ? `finished: ${s.outcome ?? ''}` : `step ${s.current}`}`;
  const send =
    s.current === 'finished'
      ? ''
      : `\n\nStop or skip: \`refinery improve ${s.name} --stop\` / \`--skip <step>\`, or signal \`control\` to ${workflowId}.`;
  return `${head}\n\n${lines.join('\n')}${send}${waitingFor(s, workflowId)}`;
}

/** A run that waits for a person (the review, the approval) ends its details with the exact signals to send. */
function waitingFor(s: ImproveStatus, workflowId: string): string {
  const current = s.steps.find((x) => x.step === s.current);
  if (!current || current.state !== 'waiting') return '';
  const control = (what: string, payload: Record<string, unknown>): SignalChoice => ({
    what,
    signal: 'control',
    payload: { ...payload, by: 'your-name' },
  });
  const skipOrStop = [control('skip this step', { action: 'skip' }), control('stop the run', { action: 'stop' })];
  if (s.current === 'review')
    return `\n\n${waitingBlock({
      waitsFor: `the review of the harvested cases (\`refinery cases review ${s.name}\`)`,
      choices: [control('the review is done: tune on the accepted cases', { action: 'reviewed' }), ...skipOrStop],
      cli: `refinery improve --run ${workflowId} --reviewed`,
    })}`;
  if (s.current === 'approval')
    return `\n\n${waitingBlock({
      waitsFor: 'an approver to let the tuned version roll out',
      choices: [
        control('approve the rollout', { action: 'approve' }),
        control('reject it', { action: 'reject' }),
        ...skipOrStop,
      ],
      cli: `refinery improve --run ${workflowId} --approve`,
    })}`;
  return '';
}

/** The gate against production: the candidate reaches the threshold and does not fall below production. */
export function gateVerdict(
  candidate: number,
  production: number | undefined,
  threshold: number,
): { passed: boolean; detail: string } {
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  const vs = production === undefined ? '' : ` vs production ${pct(production)}`;
  if (candidate < threshold)
    return { passed: false, detail: `candidate ${pct(candidate)} below the threshold ${pct(threshold)}${vs}` };
  if (production !== undefined && candidate < production)
    return { passed: false, detail: `candidate ${pct(candidate)} below production ${pct(production)}` };
  return { passed: true, detail: `candidate ${pct(candidate)}${vs} (threshold ${pct(threshold)})` };
}
