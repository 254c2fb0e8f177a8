import type { CallRecord } from './sim-ops';

/**
 * The critical path of provider latency with parallel proposals: what the run would take if only the providers
 * took time and every round's proposals ran side by side. Within a phase (the start, then each round), each
 * proposal's chain is its calls in sequence (parent on the minibatch → improver → child on the minibatch → child
 * on validation), each call as long as its slowest (case, sample) pair (executor then judge); the phase is as long
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
        minibatch: r.caseIds.join(','),
        child: r.child,
        ms: r.latencyMs,
        taken: new Set<string>(),
      }));
    let sequential = 0;
    for (const r of records) {
      if (r.op !== 'evaluate') continue;
      // Two proposals may share a parent or even a child: each chain takes one evaluation of each kind.
      const childKey = `child ${r.purpose}`;
      const chain =
        chains.find((c) => c.child === r.candidate && !c.taken.has(childKey)) ??
        chains.find(
          (c) =>
            !c.taken.has('parent') &&
            r.purpose === 'minibatch' &&
            c.parent === r.candidate &&
            c.minibatch === r.caseIds.join(','),
        );
      if (!chain) {
        // The original's baseline runs alone; anything else is a proposal that ended before the improver (its
        // parent passed the whole minibatch): a chain of its own, beside the others.
        if (r.purpose === 'baseline') sequential += r.latencyMs;
        else {
          unattributed++;
          chains.push({ parent: r.candidate, minibatch: '', child: undefined, ms: r.latencyMs, taken: new Set() });
        }
        continue;
      }
      chain.taken.add(chain.child === r.candidate ? childKey : 'parent');
      chain.ms += r.latencyMs;
    }
    ms += sequential + Math.max(0, ...chains.map((c) => c.ms));
  }
  return { ms, unattributed };
}
