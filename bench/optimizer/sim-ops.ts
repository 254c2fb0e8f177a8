import type {
  EvaluateRequest,
  EvaluateResponse,
  OptimizerOps,
  ProposeRequest,
  ProposeResponse,
} from '../../src/optimizer/types';
import { applyEdits, describe, reflectiveEdits, type Edit } from './improver';
import { keyedUniform } from './random';
import { candidateOf, rulesOf, sampleCase, trueRate, type Sample, type World } from './world';

/** Simulated provider latency per call, drawn uniformly in [min, max] ms per call (keyed, so reproducible). */
export interface Latency {
  executorMs: [number, number];
  judgeMs: [number, number];
  improverMs: [number, number];
}

/** Nominal prices, only so Spend.usd is not zero: the budgets of this benchmark are in calls. */
export const USD_PER_CALL = { executor: 0.002, judge: 0.003, improver: 0.01 };

/** One ops call as the critical path needs it. */
export interface CallRecord {
  op: 'evaluate' | 'propose';
  purpose?: EvaluateRequest['purpose'];
  candidate: string;
  caseIds: string[];
  /** Provider latency this call waited for: the slowest of its (case, sample) pairs not already done when it was
   * called (paid by it, or in flight for another call), each pair an executor call then a judge call; 0 when all
   * were stored. For propose: the improver call. */
  latencyMs: number;
  slot?: number;
  child?: string;
}

export interface ProposalRecord {
  round: number;
  slot: number;
  parent: string;
  child?: string;
  edits: Edit[];
  refused?: string;
  /** The child's true pass rate minus its parent's, over every case of the world (0..1): what the proposal is worth. */
  trueGain?: number;
}

/**
 * OptimizerOps over the simulated world, paying as the real activities do: 1 executor + 1 judge call per (case,
 * sample) not yet stored, 1 improver call per proposal; every (candidate, case, sample) result is stored once, and a
 * pair already in flight for another call is awaited, not bought again.
 */
export class SimOps implements OptimizerOps {
  readonly calls = { executor: 0, judge: 0, improver: 0 };
  readonly log: CallRecord[] = [];
  readonly proposals: ProposalRecord[] = [];
  private readonly stored = new Map<string, Sample>();
  private readonly inFlight = new Map<string, Promise<Sample>>();
  /** Per (candidate, case): passed in its latest evaluation, what the improver is shown of the parent. */
  private readonly lastPassed = new Map<string, boolean>();

  constructor(
    private readonly world: World,
    private readonly accuracy: number,
    private readonly maxEdits: number,
    private readonly latency?: Latency,
  ) {}

  async evaluate(req: EvaluateRequest): Promise<EvaluateResponse> {
    let paid = 0;
    let latencyMs = 0;
    const pairs = req.caseIds.flatMap((caseId) =>
      Array.from({ length: Math.max(1, req.samples) }, (_, sample) => ({ caseId, sample })),
    );
    const samples = await Promise.all(
      pairs.map(({ caseId, sample }): Promise<Sample> => {
        const key = `${req.candidate.hash}|${caseId}|${sample}`;
        const done = this.stored.get(key);
        if (done) return Promise.resolve(done);
        const pairMs = this.ms('executor', key) + this.ms('judge', key);
        latencyMs = Math.max(latencyMs, pairMs);
        const waiting = this.inFlight.get(key);
        if (waiting) return waiting;
        paid++;
        this.calls.executor++;
        this.calls.judge++;
        return Promise.resolve(this.pay(key, () => sampleCase(this.world, req.candidate, caseId, sample)));
      }),
    );
    const scores: Record<string, number> = {};
    const passed: Record<string, boolean> = {};
    pairs.forEach(({ caseId }, i) => {
      const s = samples[i]!;
      scores[caseId] = (scores[caseId] ?? 0) + s.score / Math.max(1, req.samples);
      passed[caseId] = (passed[caseId] ?? true) && s.passed;
    });
    for (const caseId of req.caseIds) this.lastPassed.set(`${req.candidate.hash}|${caseId}`, passed[caseId]!);
    this.log.push({
      op: 'evaluate',
      purpose: req.purpose,
      candidate: req.candidate.hash,
      caseIds: req.caseIds,
      latencyMs,
    });
    return {
      scores,
      passed,
      spent: { calls: 2 * paid, usd: paid * (USD_PER_CALL.executor + USD_PER_CALL.judge) },
      tokens: 300 * pairs.length,
      failures: 0,
    };
  }

  async propose(req: ProposeRequest): Promise<ProposeResponse> {
    const failing = req.minibatch
      .filter((id) => this.lastPassed.get(`${req.parent.hash}|${id}`) === false)
      .map((id) => this.world.byId.get(id)!);
    const record: ProposalRecord = { round: req.round, slot: req.slot, parent: req.parent.hash, edits: [] };
    this.proposals.push(record);
    // Nothing failed on the minibatch: nothing to reflect on, refused before any model call.
    if (failing.length === 0) {
      record.refused = 'nothing failed on the minibatch';
      this.log.push({
        op: 'propose',
        candidate: req.parent.hash,
        caseIds: req.minibatch,
        latencyMs: 0,
        slot: req.slot,
      });
      return { refused: record.refused, spent: { calls: 0, usd: 0 } };
    }
    const ms = this.ms('improver', `${req.round}|${req.slot}|${req.parent.hash}`);
    this.calls.improver++;
    if (this.latency) await sleep(ms);
    const spent = { calls: 1, usd: USD_PER_CALL.improver };
    const rules = rulesOf(req.parent);
    // The improver reads the lineage: it does not propose again a child already rejected (up to three tries).
    const rejected = new Set(req.lineage.filter((l) => l.status === 'rejected').map((l) => l.hash));
    let child = rules;
    for (let attempt = 0; attempt < 3; attempt++) {
      const draw = (name: string) =>
        keyedUniform(this.world.seed, 'improver', req.round, req.slot, req.parent.hash, attempt, name);
      record.edits = reflectiveEdits(this.world, rules, failing, this.accuracy, this.maxEdits, draw);
      child = applyEdits(rules, record.edits);
      if (!rejected.has(candidateOf(child).hash)) break;
    }
    this.log.push({ op: 'propose', candidate: req.parent.hash, caseIds: req.minibatch, latencyMs: ms, slot: req.slot });
    if (JSON.stringify(child) === JSON.stringify(rules)) {
      record.refused = 'no edit';
      return { refused: record.refused, spent };
    }
    const ref = candidateOf(child);
    record.child = ref.hash;
    const all = this.world.cases.map((c) => c.id);
    record.trueGain = trueRate(this.world, child, all) - trueRate(this.world, rules, all);
    this.log[this.log.length - 1]!.child = ref.hash;
    return { child: ref, summary: describe(record.edits), spent };
  }

  get totalCalls(): number {
    return this.calls.executor + this.calls.judge + this.calls.improver;
  }

  private pay(key: string, draw: () => Sample): Sample | Promise<Sample> {
    if (!this.latency) {
      const s = draw();
      this.stored.set(key, s);
      return s;
    }
    const work = (async () => {
      await sleep(this.ms('executor', key));
      await sleep(this.ms('judge', key));
      const s = draw();
      this.stored.set(key, s);
      this.inFlight.delete(key);
      return s;
    })();
    this.inFlight.set(key, work);
    return work;
  }

  private ms(role: keyof typeof USD_PER_CALL, key: string): number {
    if (!this.latency) return 0;
    const [lo, hi] = this.latency[`${role}Ms`];
    return Math.round(lo + (hi - lo) * keyedUniform(this.world.seed, 'latency', role, key));
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
