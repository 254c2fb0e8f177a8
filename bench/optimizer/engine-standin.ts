// TEMPORARY development stand-in for src/optimizer/engine.ts (deleted when the real engine lands).
import type { AcceptedCandidate, CandidateRef, DatasetSplit, OptimizerOps, OptimizerSettings, OptimizerState } from '../../src/optimizer/types';
import { stream } from './random';

export async function startOptimizer(ops: OptimizerOps, original: CandidateRef, split: DatasetSplit, settings: OptimizerSettings): Promise<OptimizerState> {
  const r = await ops.evaluate({ candidate: original, caseIds: split.validation, samples: settings.repeat, purpose: 'baseline' });
  const mean = Object.values(r.scores).reduce((a, b) => a + b, 0) / split.validation.length;
  return {
    round: 0, accepted: [{ ref: original, round: 0, summary: 'original', validation: r.scores, interval: { mean, low: mean, high: mean, n: split.validation.length } }],
    lineage: [], lineageCount: 0, proposals: 0, acceptances: 0, spent: r.spent, roundsWithoutAcceptance: 0, consecutiveErrors: 0,
  } as unknown as OptimizerState;
}

function pValue(d: number[]): number {
  const nz = d.filter((x) => Math.abs(x) > 1e-12); const obs = nz.reduce((a, b) => a + b, 0);
  let n = 0; const N = 1 << nz.length;
  for (let m = 0; m < N; m++) { let s = 0; for (let i = 0; i < nz.length; i++) s += m & (1 << i) ? Math.abs(nz[i]!) : -Math.abs(nz[i]!); if (s >= obs - 1e-12) n++; }
  return nz.length ? n / N : 1;
}

export async function optimizerRound(ops: OptimizerOps, state: OptimizerState, split: DatasetSplit, settings: OptimizerSettings): Promise<OptimizerState> {
  const round = state.round + 1;
  const s: OptimizerState = { ...state, round, accepted: [...state.accepted], lineage: [...state.lineage], spent: { ...state.spent } };
  const add = (x: { calls: number; usd: number }) => { s.spent.calls += x.calls; s.spent.usd += x.usd; };
  const results = await Promise.all(Array.from({ length: settings.parallel }, async (_, slot) => {
    const random = stream(settings.seed * 1000 + round * 10 + slot);
    const parent = state.accepted[Math.floor(random() * state.accepted.length)]!;
    const mb = [...split.train].sort(() => random() - 0.5).slice(0, settings.minibatchSize);
    const pm = await ops.evaluate({ candidate: parent.ref, caseIds: mb, samples: 1, purpose: 'minibatch' }); add(pm.spent);
    const p = await ops.propose({ parent: parent.ref, minibatch: mb, round, slot, lineage: s.lineage }); add(p.spent);
    if ('refused' in p) return undefined;
    const cm = await ops.evaluate({ candidate: p.child, caseIds: mb, samples: 1, purpose: 'minibatch' }); add(cm.spent);
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    if (sum(cm.scores) <= sum(pm.scores)) return { hash: p.child.hash, parent: parent.ref.hash, ok: false };
    const v = await ops.evaluate({ candidate: p.child, caseIds: split.validation, samples: settings.repeat, purpose: 'validation' }); add(v.spent);
    const d = split.validation.map((c) => v.scores[c]! - parent.validation[c]!);
    const ok = d.reduce((a, b) => a + b, 0) > 0 && pValue(d) < settings.alpha;
    const mean = sum(v.scores) / split.validation.length;
    return { hash: p.child.hash, parent: parent.ref.hash, ok, acc: { ref: p.child, parent: parent.ref.hash, round, summary: p.summary, validation: v.scores, interval: { mean, low: mean, high: mean, n: split.validation.length } } as AcceptedCandidate };
  }));
  for (const r of results) {
    s.proposals++;
    if (!r) continue;
    s.lineage.push({ hash: r.hash, parent: r.parent, round, status: r.ok ? 'accepted' : 'rejected', reason: '', summary: '' });
    if (r.ok && r.acc) { s.accepted.push(r.acc); s.acceptances++; }
  }
  return s;
}

export function stopReason(state: OptimizerState, settings: OptimizerSettings): OptimizerState['stop'] {
  if (settings.budget.calls !== undefined && state.spent.calls + 2 * settings.minibatchSize * 2 * settings.parallel > settings.budget.calls) return 'budget-spent';
  if (state.round >= settings.maxRounds) return 'max-iterations';
  return undefined;
}

export function bestOnValidation(state: OptimizerState): AcceptedCandidate {
  return [...state.accepted].sort((a, b) => b.interval.mean - a.interval.mean)[0]!;
}
