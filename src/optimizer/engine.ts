import { drawParent, paretoFrontier } from './frontier';
import { scoreInterval } from './intervals';
import { pairedTest } from './paired-test';
import { deriveSeed, seededRandom, shuffle } from './random';
import type {
  AcceptedCandidate,
  CandidateRef,
  DatasetSplit,
  EvaluateResponse,
  LineageEntry,
  OptimizerOps,
  OptimizerSettings,
  OptimizerState,
  Spend,
  StopReason,
} from './types';

/**
 * The optimizer's method, free of Temporal: the workflow runs it with activities, the benchmark with a simulated
 * world. Each round proposes children in parallel; a child is screened on a training minibatch against its parent,
 * validated only if it wins there, and accepted only on a paired test over the validation cases. Parents come from
 * the per-case Pareto frontier of accepted candidates (GEPA); rejected attempts stay in the lineage the improver
 * reads (SkillOpt's buffer of rejected edits).
 */

/** Lineage entries carried in the state (and shown to the improver); older ones are in the store's history. */
export const LINEAGE_KEPT = 30;
/** Lineage entries shown to the improver per proposal. */
const LINEAGE_SHOWN = 8;
/** Failed proposals (an activity that failed for good) in a row that spend the error budget. */
export const MAX_CONSECUTIVE_ERRORS = 3;
/** Without held-out cases, acceptance rests on repeated samples: at least this many per judge-graded case. */
const MIN_SAMPLES_WITHOUT_HOLDOUT = 3;
/** First-sample scores this far apart (0..1) are verdicts that disagree: those cases get more samples. */
const DISAGREE = 0.5;

const ZERO: Spend = { calls: 0, usd: 0 };
const add = (a: Spend, b: Spend): Spend => ({ calls: a.calls + b.calls, usd: a.usd + b.usd });
const times = (a: Spend, k: number): Spend => ({ calls: a.calls * k, usd: a.usd * k });
const sum = (scores: Record<string, number>, ids: readonly string[]) => ids.reduce((a, id) => a + (scores[id] ?? 0), 0);

/**
 * Samples per judge-graded validation case where a child and its parent disagree: --repeat, and never fewer than 3
 * when nothing is held out (then every case gets them).
 */
export function validationSamples(split: DatasetSplit, settings: OptimizerSettings): number {
  return split.heldOut ? settings.repeat : Math.max(settings.repeat, MIN_SAMPLES_WITHOUT_HOLDOUT);
}

/**
 * Evaluates the original on validation, one sample per case, and returns the starting state. More samples of the
 * original are bought later, only on the cases where a child's verdict differs from it (see optimizerRound).
 */
export async function startOptimizer(
  ops: OptimizerOps,
  original: CandidateRef,
  split: DatasetSplit,
  settings: OptimizerSettings,
): Promise<OptimizerState> {
  const ev = await ops.evaluate({
    candidate: original,
    caseIds: split.validation,
    samples: 1,
    purpose: 'baseline',
  });
  return {
    round: 0,
    accepted: [
      {
        ref: original,
        round: 0,
        summary: 'the original',
        validation: ev.scores,
        interval: scoreInterval(split.validation.map((id) => ev.scores[id] ?? 0)),
      },
    ],
    lineage: [],
    lineageCount: 0,
    proposals: 0,
    acceptances: 0,
    spent: ev.spent,
    evaluationFailures: ev.failures,
    roundsWithoutAcceptance: 0,
    consecutiveErrors: 0,
    // A full validation at every sample, priced from the first: what the end of the run holds back per test case.
    validationCost: times(ev.spent, validationSamples(split, settings)),
    maxRounds: settings.maxRounds,
  };
}

type SlotOutcome =
  | { kind: 'accepted'; entry: LineageEntry; candidate: AcceptedCandidate }
  | { kind: 'rejected'; entry: LineageEntry }
  | { kind: 'skipped' }
  | { kind: 'error'; reason: string }
  | { kind: 'budget' };

/** One round: `parallel` proposals at once, each screened, validated and tested against its own parent. */
export async function optimizerRound(
  ops: OptimizerOps,
  state: OptimizerState,
  split: DatasetSplit,
  settings: OptimizerSettings,
): Promise<OptimizerState> {
  const round = state.round + 1;
  const frontier = paretoFrontier(state.accepted);
  const known = new Set(state.accepted.map((a) => a.ref.hash));
  // Children of this round, so two slots that propose the same content do not both pay to evaluate it.
  const proposedNow = new Set<string>();
  // Spend is shared by the round's proposals as they run. Each stage reserves what it may cost before it awaits
  // anything, so parallel proposals never both pass the budget check on the same calls; the reservation is released
  // once the stage's actual spend is charged.
  const ledger = { spent: state.spent, reserved: ZERO, failures: state.evaluationFailures };
  const charge = (s: Spend, failures = 0) => {
    ledger.spent = add(ledger.spent, s);
    ledger.failures += failures;
  };
  const reserve = (cost: Spend): (() => void) | undefined => {
    if (!canAfford(settings, add(ledger.spent, ledger.reserved), cost)) return undefined;
    ledger.reserved = add(ledger.reserved, cost);
    let held = true;
    // Released once, whichever comes first: the next stage or the slot's end.
    return () => {
      if (held) ledger.reserved = add(ledger.reserved, { calls: -cost.calls, usd: -cost.usd });
      held = false;
    };
  };
  const samples = validationSamples(split, settings);
  // A case costs at most an executor and a judge call per sample; dollars per case as the original's validation did.
  const perCaseUsd = split.validation.length ? state.validationCost.usd / split.validation.length / samples : 0;
  const screenCost = (m: number): Spend => ({ calls: 4 * m + 1, usd: 3 * m * perCaseUsd });
  /** What `n` (case, sample) evaluations may cost: an executor and a judge call each. */
  const perSample = (n: number): Spend => ({ calls: 2 * n, usd: n * perCaseUsd });

  // Each slot's parent and minibatch are drawn first; the slots that drew one parent share one evaluation of it over
  // their minibatches together, so two slots never pay twice for the same (parent, case).
  const draws = Array.from({ length: Math.max(1, settings.parallel) }, (_, slot) => {
    const random = seededRandom(deriveSeed(settings.seed, round, slot));
    const parent = drawParent(frontier, random);
    const minibatch = shuffle(split.train, random).slice(0, Math.max(1, settings.minibatchSize));
    // The screen (parent and child on the minibatch, the improver) is reserved whole before anything starts, and
    // only the slots it was reserved for run: the parent's shared evaluation covers their minibatches alone.
    const releaseScreen = reserve(screenCost(minibatch.length));
    return { slot, parent, minibatch, releaseScreen };
  });
  const parentEvaluations = new Map<string, Promise<EvaluateResponse>>();
  const evaluateParent = (parent: AcceptedCandidate) => {
    let pending = parentEvaluations.get(parent.ref.hash);
    if (!pending) {
      const caseIds = [
        ...new Set(
          draws.filter((d) => d.releaseScreen && d.parent.ref.hash === parent.ref.hash).flatMap((d) => d.minibatch),
        ),
      ];
      pending = ops
        .evaluate({ candidate: parent.ref, caseIds, samples: 1, purpose: 'minibatch' })
        .then((r) => (charge(r.spent, r.failures), r));
      parentEvaluations.set(parent.ref.hash, pending);
    }
    return pending;
  };

  const runSlot = async ({ slot, parent, minibatch, releaseScreen }: (typeof draws)[number]): Promise<SlotOutcome> => {
    const base = { parent: parent.ref.hash, round };
    if (!releaseScreen) return { kind: 'budget' };
    let releaseValidation: (() => void) | undefined;
    try {
      const parentMini = await evaluateParent(parent);
      // Nothing to learn from a minibatch the parent passed whole (GEPA skips it too).
      if (minibatch.every((id) => parentMini.passed[id])) return { kind: 'skipped' };
      const proposal = await ops.propose({
        parent: parent.ref,
        minibatch,
        round,
        slot,
        lineage: state.lineage.slice(-LINEAGE_SHOWN),
      });
      charge(proposal.spent);
      if ('refused' in proposal)
        return {
          kind: 'rejected',
          entry: { ...base, hash: '', status: 'rejected', reason: proposal.refused, summary: '' },
        };
      const child = proposal.child;
      const entry = { ...base, hash: child.hash, summary: proposal.summary };
      if (child.hash === parent.ref.hash || known.has(child.hash))
        return {
          kind: 'rejected',
          entry: { ...entry, status: 'rejected', reason: 'no new content (already evaluated)' },
        };
      if (proposedNow.has(child.hash))
        return {
          kind: 'rejected',
          entry: { ...entry, status: 'rejected', reason: 'the same change as another proposal of this round' },
        };
      proposedNow.add(child.hash);
      const childMini = await ops.evaluate({ candidate: child, caseIds: minibatch, samples: 1, purpose: 'minibatch' });
      charge(childMini.spent, childMini.failures);
      const mini = { child: sum(childMini.scores, minibatch), parent: sum(parentMini.scores, minibatch) };
      if (mini.child <= mini.parent)
        return {
          kind: 'rejected',
          entry: {
            ...entry,
            status: 'rejected',
            minibatch: mini,
            reason: `lost the minibatch screen (${fmt(mini.child)} vs the parent's ${fmt(mini.parent)} of ${minibatch.length})`,
          },
        };
      releaseScreen();
      // Stage 1: the child's first sample of every validation case against the parent's first, which its own
      // validation stored (read back, not paid; reserved all the same in case the store lost it). For an accepted
      // parent those samples are the ones that won its acceptance, biased upwards: that only makes its children's
      // test stricter, never looser.
      const stage = async (candidate: CandidateRef, caseIds: string[], n: number) => {
        const release = reserve(perSample(caseIds.length * n));
        if (!release) return undefined;
        releaseValidation = release;
        try {
          const r = await ops.evaluate({ candidate, caseIds, samples: n, purpose: 'validation' });
          charge(r.spent, r.failures);
          return r;
        } finally {
          release();
        }
      };
      const parentFirst = await stage(parent.ref, split.validation, 1);
      const first = parentFirst && (await stage(child, split.validation, 1));
      if (!parentFirst || !first) return { kind: 'budget' };
      const firstDiff = split.validation.reduce(
        (a, id) => a + (first.scores[id] ?? 0) - (parentFirst.scores[id] ?? 0),
        0,
      );
      if (firstDiff <= 0)
        return {
          kind: 'rejected',
          entry: {
            ...entry,
            status: 'rejected',
            minibatch: mini,
            reason: `won the minibatch but not validation: no better than its parent on the first sample of every validation case (${signed(firstDiff / split.validation.length)})`,
          },
        };
      const childBy: Record<string, number> = { ...first.scores };
      const parentBy: Record<string, number> = { ...parentFirst.scores };
      // Stage 2: more samples, for the child and the parent alike, only where their first verdicts disagree (every
      // case without held-out evidence). The choice looks only at |child − parent| per case, never at which is
      // ahead, so under "no difference" each case's difference stays symmetric and the sign-flip test stays valid.
      const disputed = split.heldOut
        ? split.validation.filter((id) => Math.abs((first.scores[id] ?? 0) - (parentFirst.scores[id] ?? 0)) >= DISAGREE)
        : split.validation;
      if (samples > 1 && disputed.length > 0) {
        // Both at once: the samples they lack (the first of each is stored) are reserved together.
        const release = reserve(perSample(2 * disputed.length * (samples - 1)));
        if (!release) return { kind: 'budget' };
        releaseValidation = release;
        const [c, p] = await Promise.all([
          ops.evaluate({ candidate: child, caseIds: disputed, samples, purpose: 'validation' }),
          ops.evaluate({ candidate: parent.ref, caseIds: disputed, samples, purpose: 'validation' }),
        ]);
        charge(c.spent, c.failures);
        charge(p.spent, p.failures);
        release();
        Object.assign(childBy, c.scores);
        Object.assign(parentBy, p.scores);
      }
      const childScores = split.validation.map((id) => childBy[id] ?? 0);
      const test = pairedTest(
        childScores,
        split.validation.map((id) => parentBy[id] ?? 0),
        deriveSeed(settings.seed, round, slot, 7),
      );
      const verdict = `${test.wins} wins, ${test.losses} losses over ${test.n} validation cases, mean ${signed(test.meanDiff)}, p = ${test.pValue.toFixed(3)}`;
      if (!(test.meanDiff > 0 && test.pValue < settings.alpha))
        return {
          kind: 'rejected',
          entry: {
            ...entry,
            status: 'rejected',
            minibatch: mini,
            test,
            reason: `won the minibatch but not validation beyond noise (${verdict}; needs p < ${settings.alpha})`,
          },
        };
      const accepted: AcceptedCandidate = {
        ref: child,
        parent: parent.ref.hash,
        round,
        summary: proposal.summary,
        validation: childBy,
        interval: scoreInterval(childScores),
        test,
      };
      return {
        kind: 'accepted',
        candidate: accepted,
        entry: { ...entry, status: 'accepted', minibatch: mini, test, reason: `accepted: ${verdict}` },
      };
    } catch (err) {
      if (ops.isCancellation?.(err)) throw err;
      return { kind: 'error', reason: err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300) };
    } finally {
      releaseScreen();
      releaseValidation?.();
    }
  };

  const outcomes = await Promise.all(draws.map(runSlot));

  // Folded in slot order, so the state is the same whatever order the proposals finished in.
  const next: OptimizerState = {
    ...state,
    round,
    spent: ledger.spent,
    evaluationFailures: ledger.failures,
    accepted: [...state.accepted],
  };
  let acceptedNow = 0;
  let errors = 0;
  const entries: LineageEntry[] = [];
  for (const o of outcomes) {
    if (o.kind === 'budget') next.stop = 'budget-spent';
    if (o.kind === 'error') errors++;
    if (o.kind === 'accepted' || o.kind === 'rejected') {
      entries.push(o.entry);
      next.proposals++;
    }
    if (o.kind === 'accepted' && !next.accepted.some((a) => a.ref.hash === o.candidate.ref.hash)) {
      next.accepted.push(o.candidate);
      next.acceptances++;
      acceptedNow++;
    }
    if (o.kind === 'rejected') next.lastRejection = { hash: o.entry.hash, round, reason: o.entry.reason };
  }
  next.lineage = [...state.lineage, ...entries].slice(-LINEAGE_KEPT);
  next.lineageCount = state.lineageCount + entries.length;
  next.roundsWithoutAcceptance = acceptedNow > 0 ? 0 : state.roundsWithoutAcceptance + 1;
  next.consecutiveErrors = errors === outcomes.length ? state.consecutiveErrors + 1 : 0;
  if (errors > 0) {
    const reason = outcomes.find((o) => o.kind === 'error') as { reason: string };
    next.lastRejection = { hash: '', round, reason: `a proposal failed: ${reason.reason}` };
  }
  return next;
}

/** Whether spending `cost` more stays within the budget. */
export function canAfford(settings: Pick<OptimizerSettings, 'budget'>, spent: Spend, cost: Spend): boolean {
  const { calls, usd } = settings.budget;
  if (calls !== undefined && spent.calls + cost.calls > calls) return false;
  if (usd !== undefined && spent.usd + cost.usd > usd) return false;
  return true;
}

/** Why the run stops now, or undefined to go on (the four rules of the reference documents, and the budget). */
export function stopReason(state: OptimizerState, settings: OptimizerSettings): StopReason | undefined {
  if (state.stop) return state.stop;
  if (bestOnValidation(state).interval.mean * 100 >= settings.threshold) return 'threshold-met';
  if (state.consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) return 'error-budget';
  if (!canAfford(settings, state.spent, { calls: 1, usd: 0 })) return 'budget-spent';
  if (state.round >= state.maxRounds) return 'max-iterations';
  if (state.round > 0 && state.roundsWithoutAcceptance >= settings.patience) return 'converged';
  return undefined;
}

/** The final pick: the best accepted candidate on validation (the earliest among equals). */
export function bestOnValidation(state: OptimizerState): AcceptedCandidate {
  return state.accepted.reduce((best, a) => (a.interval.mean > best.interval.mean + 1e-12 ? a : best));
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(3)}`;
