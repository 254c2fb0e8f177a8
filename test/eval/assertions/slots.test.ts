import { createSlots } from '../../../src/eval/assertions/slots';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createSlots', () => {
  test.each([1, 2, 3])('runs at most %i tasks at once, in arrival order', async (max) => {
    const slot = createSlots(max);
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const all = gates.map((gate, i) =>
      slot(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([...Array(max).keys()]);
    // Finish them in reverse: queued tasks still start first-come, first-served.
    for (const gate of [...gates].reverse()) gate.resolve();
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(max);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('a failing task frees its slot', async () => {
    const slot = createSlots(1);
    await expect(slot(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(slot(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
