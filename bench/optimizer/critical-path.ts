import type { CallRecord } from './sim-ops';

interface Chain {
  parent: string;
  minibatch: string[];
  child?: string;
  /** The parent on the minibatch, the improver and the child on the minibatch, in sequence. */
  ms: number;
  taken: Set<string>;
  /** The child's validation evaluations in order: the first sample of every case, then the disputed cases. */
  childValidation: CallRecord[];
  /** The parent's, read back or bought beside them: its first samples, then the disputed cases. */
  parentValidation: CallRecord[];
}

/**
 * The critical path of provider latency with parallel proposals: what the run would take if only the providers
 * took time and every round's proposals ran side by side. Within a phase (the start, then each round), each
 * proposal's chain is its calls in sequence: the parent on the minibatch (shared by the proposals that drew that
 * parent) → improver → child on the minibatch → the parent's first validation samples (stored: no latency) → the
 * child's first validation samples → the extra samples of the disputed cases, the child's and the parent's side by
 * side. Each call is as long as its slowest (case, sample) pair (executor then judge) not yet stored; the phase is as
 * long as its longest chain. The original's baseline runs alone; an evaluation no proposal claims (a proposal that
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
    const chains: Chain[] = records
      .filter((r) => r.op === 'propose')
      .map((r) => ({
        parent: r.candidate,
        minibatch: r.caseIds,
        child: r.child,
        ms: r.latencyMs,
        taken: new Set<string>(),
        childValidation: [],
        parentValidation: [],
      }));
    let sequential = 0;
    const parentValidations: CallRecord[] = [];
    for (const r of records) {
      if (r.op !== 'evaluate') continue;
      // Two proposals may share a parent or even a child: each chain takes one evaluation of each kind.
      if (r.purpose === 'validation') {
        const own = chains.find((c) => c.child === r.candidate && c.childValidation.length < 2);
        if (own) own.childValidation.push(r);
        else parentValidations.push(r);
        continue;
      }
      const childChain = chains.find((c) => c.child === r.candidate && !c.taken.has('child minibatch'));
      if (r.purpose === 'minibatch' && childChain) {
        childChain.taken.add('child minibatch');
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
        chains.push({ ...orphan(r), ms: r.latencyMs });
      }
    }
    // A parent's validation belongs to the chain of a child of it: its extra samples to the one that asked for the
    // same disputed cases, its first samples to one that validated and has none yet.
    const sameCases = (a: CallRecord, b: CallRecord) => a.caseIds.join() === b.caseIds.join();
    for (const r of parentValidations) {
      const mine = (c: Chain) => c.parent === r.candidate && c.childValidation.length > 0;
      const chain =
        chains.find(
          (c) => mine(c) && c.childValidation[1] && sameCases(c.childValidation[1], r) && !c.taken.has('pv2'),
        ) ?? chains.find((c) => mine(c) && !c.taken.has('pv1'));
      if (!chain) {
        unattributed++;
        chains.push({ ...orphan(r), ms: r.latencyMs });
        continue;
      }
      const second = chain.childValidation[1] && sameCases(chain.childValidation[1], r) && !chain.taken.has('pv2');
      chain.taken.add(second ? 'pv2' : 'pv1');
      chain.parentValidation[second ? 1 : 0] = r;
    }
    const validationMs = (c: Chain) =>
      (c.parentValidation[0]?.latencyMs ?? 0) +
      (c.childValidation[0]?.latencyMs ?? 0) +
      Math.max(c.childValidation[1]?.latencyMs ?? 0, c.parentValidation[1]?.latencyMs ?? 0);
    ms += sequential + Math.max(0, ...chains.map((c) => c.ms + validationMs(c)));
  }
  return { ms, unattributed };
}

function orphan(r: CallRecord): Chain {
  return {
    parent: r.candidate,
    minibatch: [],
    ms: 0,
    taken: new Set(),
    childValidation: [],
    parentValidation: [],
  };
}
