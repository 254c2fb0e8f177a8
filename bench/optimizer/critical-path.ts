import type { CallRecord } from './sim-ops';

/**
 * The critical path of provider latency with parallel proposals: what the run would take if only the providers
 * took time and every round's proposals ran side by side. Within a phase (the start, then each round), each
 * proposal's chain is its calls in sequence (parent on the minibatch, shared by the proposals that drew that
 * parent → improver → child on the minibatch → child on validation), each call as long as its slowest (case, sample) pair (executor then judge); the phase is as long
 * as its longest chain. The original's baseline runs alone; an evaluation no proposal claims (a proposal that
 * stopped before the improver) is a chain of its own, and counted.
 */
export function criticalPath(
  log: readonly CallRecord[],
  phaseEnds: readonly number[],
): { ms: number; unattributed: number } {
  let ms = 0;
  let unattributed = 0;
  for (let p = 1; p < phaseEnds.length; p++) {
    const records = log.slice(phaseEnds[p - 1], phaseEnds[p]);
    const chains = records
      .filter((r) => r.op === 'propose')
      .map((r) => ({
        parent: r.candidate,
        minibatch: r.caseIds,
        child: r.child,
        ms: r.latencyMs,
        taken: new Set<string>(),
      }));
    let sequential = 0;
    for (const r of records) {
      if (r.op !== 'evaluate') continue;
      // Two proposals may share a parent or even a child: each chain takes one evaluation of each kind.
      const childKey = `child ${r.purpose}`;
      const childChain = chains.find((c) => c.child === r.candidate && !c.taken.has(childKey));
      if (childChain) {
        childChain.taken.add(childKey);
        childChain.ms += r.latencyMs;
        continue;
      }
      // The engine evaluates a parent drawn by several proposals once, over their minibatches together: every one
      // of them waits for it.
      const cases = new Set(r.caseIds);
      const parentOf = chains.filter(
        (c) =>
          r.purpose === 'minibatch' &&
          !c.taken.has('parent') &&
          c.parent === r.candidate &&
          c.minibatch.every((id) => cases.has(id)),
      );
      for (const c of parentOf) {
        c.taken.add('parent');
        c.ms += r.latencyMs;
      }
      if (parentOf.length) continue;
      // The original's baseline runs alone; anything else is a proposal that ended before the improver (its
      // parent passed the whole minibatch): a chain of its own, beside the others.
      if (r.purpose === 'baseline') sequential += r.latencyMs;
      else {
        unattributed++;
        chains.push({ parent: r.candidate, minibatch: [], child: undefined, ms: r.latencyMs, taken: new Set() });
      }
    }
    ms += sequential + Math.max(0, ...chains.map((c) => c.ms));
  }
  return { ms, unattributed };
}
