import { chunkLanes, MAX_LANES, QUEUED_ROUNDS } from '../../src/eval/chunk-lanes';

const lanes = (p: Partial<Parameters<typeof chunkLanes>[0]>) =>
  chunkLanes({ chunks: 1000, chunkSize: 100, concurrency: 8, parallelChunks: 4, ...p });

describe('chunkLanes: how many chunks an eval run keeps in flight', () => {
  test('low concurrency keeps the parallelChunks setting', () => {
    expect(lanes({ concurrency: 8 })).toBe(4);
    expect(lanes({ concurrency: 1, parallelChunks: 1, chunkSize: 5 })).toBe(2);
  });

  test('enough lanes that the chunks behind the running one fill every slot for QUEUED_ROUNDS more rounds', () => {
    for (const [concurrency, chunkSize] of [
      [128, 100],
      [128, 250],
      [64, 10],
      [32, 7],
      [512, 100],
    ] as const) {
      const l = lanes({ concurrency, chunkSize, parallelChunks: 1 });
      if (l === MAX_LANES) continue;
      // The lanes other than the one between chunks hold work for the slots and the rounds behind them…
      expect((l - 1) * chunkSize).toBeGreaterThanOrEqual(concurrency * (1 + QUEUED_ROUNDS));
      // …and no more lanes than that needs.
      expect((l - 2) * chunkSize).toBeLessThan(concurrency * (1 + QUEUED_ROUNDS));
    }
    expect(lanes({ concurrency: 128, chunkSize: 100 })).toBe(7);
  });

  test('the concurrency a run may use is never capped by the chunk size', () => {
    for (const concurrency of [2, 8, 33, 128, 300])
      for (const chunkSize of [1, 5, 100, 1000]) {
        const l = lanes({ concurrency, chunkSize, parallelChunks: 1 });
        expect(l * chunkSize >= concurrency || l === MAX_LANES).toBe(true);
      }
  });

  test('never more lanes than chunks, never fewer than one, at most MAX_LANES unless asked', () => {
    expect(lanes({ chunks: 3, concurrency: 128 })).toBe(3);
    expect(lanes({ chunks: 0 })).toBe(1);
    expect(lanes({ concurrency: 512, chunkSize: 1 })).toBe(MAX_LANES);
    expect(lanes({ concurrency: 8, parallelChunks: MAX_LANES + 8 })).toBe(MAX_LANES + 8);
  });
});
