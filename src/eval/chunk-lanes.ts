/**
 * Rounds of provider calls that the chunks queued behind the running ones must cover. A lane that finishes its
 * chunk waits a Temporal round trip (completion, workflow task, scheduling, pick-up) and the next chunk's set-up
 * before that chunk's calls queue; on a loaded worker that takes a few hundred milliseconds, several calls' worth.
 */
export const QUEUED_ROUNDS = 3;

/**
 * How many chunk activities an eval run keeps in flight: at least `parallelChunks`, and enough that while one lane
 * is between chunks the others hold work for every concurrency slot. The chunks share one limiter that serves
 * waiters in order, so the oldest chunk runs nearly alone and the rest queue behind it: with L lanes of S samples
 * and C slots, the other L - 1 chunks hold about (L - 1)·S samples, C of them in flight. They keep every slot busy
 * through QUEUED_ROUNDS more rounds when (L - 1)·S ≥ C·(1 + QUEUED_ROUNDS). Never more lanes than chunks, nor than
 * MAX_LANES unless `parallelChunks` asks for more.
 */
/** The most lanes one run takes, whatever its settings: a worker's activity slots serve other runs too. */
export const MAX_LANES = 32;

export function chunkLanes(p: {
  chunks: number;
  chunkSize: number;
  concurrency: number;
  parallelChunks: number;
}): number {
  const cover = 1 + Math.ceil((p.concurrency * (1 + QUEUED_ROUNDS)) / Math.max(1, p.chunkSize));
  return Math.max(1, Math.min(p.chunks, Math.max(p.parallelChunks, Math.min(MAX_LANES, cover))));
}
