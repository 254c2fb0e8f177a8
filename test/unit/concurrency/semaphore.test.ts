import { Fifo } from '../../../src/concurrency/fifo';
import { Semaphore } from '../../../src/concurrency/semaphore';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('Semaphore.run', () => {
  test.each([1, 2, 3])('runs at most %i tasks at once, in arrival order', async (max) => {
    const slots = new Semaphore(max);
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const all = gates.map((gate, i) =>
      slots.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await settle();
    expect(started).toEqual([...Array(max).keys()]);
    // Finish them in reverse: queued tasks still start first-come, first-served.
    for (const gate of [...gates].reverse()) gate.resolve();
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(max);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(slots.inFlight).toBe(0);
  });

  test('a failing task frees its slot', async () => {
    const slots = new Semaphore(1);
    await expect(slots.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(slots.inFlight).toBe(0);
    await expect(slots.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  test('urgent waiters are served before normal ones, each kind in arrival order', async () => {
    const slots = new Semaphore(1);
    const gate = deferred();
    const order: string[] = [];
    const note = (name: string) => () => Promise.resolve(void order.push(name));
    const first = slots.run(() => gate.promise);
    const rest = [
      slots.run(note('n1')),
      slots.run(note('u1'), { urgent: true }),
      slots.run(note('n2')),
      slots.run(note('u2'), { urgent: true }),
    ];
    expect(slots.waiting).toBe(4);
    gate.resolve();
    await Promise.all([first, ...rest]);
    expect(order).toEqual(['u1', 'u2', 'n1', 'n2']);
  });

  test('keeps within its limit under load, and no newcomer overtakes a waiter', async () => {
    const slots = new Semaphore(4);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const all: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) {
      all.push(
        slots.run(async () => {
          started.push(i);
          peak = Math.max(peak, ++running);
          // Uneven task lengths, so slots free up in a shuffled order.
          for (let k = i % 5; k > 0; k--) await Promise.resolve();
          running--;
        }),
      );
      // Newcomers arrive while earlier tasks are finishing.
      if (i % 7 === 0) await Promise.resolve();
    }
    await Promise.all(all);
    expect(peak).toBe(4);
    expect(started).toEqual([...Array(2000).keys()]);
    expect(slots.inFlight).toBe(0);
    expect(slots.waiting).toBe(0);
  });
});

describe('Semaphore.acquire', () => {
  test('an uncontended acquire is granted at once; release hands the slot to the longest waiter', async () => {
    const slots = new Semaphore(1);
    await slots.acquire();
    expect(slots.tryAcquire()).toBe(false);
    const woken: number[] = [];
    const a = slots.acquire().then(() => woken.push(1));
    const b = slots.acquire().then(() => woken.push(2));
    slots.release();
    await a;
    // The slot went to the waiter without ever being free.
    expect(slots.inFlight).toBe(1);
    expect(woken).toEqual([1]);
    slots.release();
    await b;
    expect(woken).toEqual([1, 2]);
    slots.release();
    expect(slots.inFlight).toBe(0);
  });

  test('aborting while waiting rejects with the reason, holds no slot, and leaves the queue in order', async () => {
    const slots = new Semaphore(1);
    await slots.acquire();
    const controller = new AbortController();
    const woken: string[] = [];
    const first = slots.acquire().then(() => woken.push('first'));
    const aborted = slots.acquire({ signal: controller.signal });
    const last = slots.acquire().then(() => woken.push('last'));
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    expect(slots.waiting).toBe(2);
    slots.release();
    await first;
    slots.release();
    await last;
    expect(woken).toEqual(['first', 'last']);
    expect(slots.inFlight).toBe(1);
  });

  test('an already aborted signal is refused even when a slot is free', async () => {
    const slots = new Semaphore(1);
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(slots.acquire({ signal: controller.signal })).rejects.toThrow('too late');
    await expect(slots.run(() => Promise.resolve(1), { signal: controller.signal })).rejects.toThrow('too late');
    expect(slots.inFlight).toBe(0);
  });

  test('aborting after the slot was granted changes nothing', async () => {
    const slots = new Semaphore(1);
    await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire({ signal: controller.signal });
    slots.release();
    await waiting;
    controller.abort();
    expect(slots.inFlight).toBe(1);
    slots.release();
    expect(slots.inFlight).toBe(0);
  });

  test('raising the limit wakes waiters at once; lowering it takes no slot back', async () => {
    const slots = new Semaphore(1);
    await slots.acquire();
    let woken = 0;
    const waiters = Array.from({ length: 3 }, () => slots.acquire().then(() => woken++));
    slots.limit = 3;
    await settle();
    expect(woken).toBe(2);
    expect(slots.inFlight).toBe(3);
    slots.limit = 1;
    expect(slots.inFlight).toBe(3);
    slots.release();
    slots.release();
    await settle();
    // Two released, but the limit is 1 and one slot is still held: the last waiter keeps waiting.
    expect(woken).toBe(2);
    slots.release();
    await Promise.all(waiters);
    expect(woken).toBe(3);
  });

  test('refuses a limit that is not a whole number ≥ 1, and a release without a held slot', () => {
    expect(() => new Semaphore(0)).toThrow('whole number ≥ 1, got 0');
    expect(() => new Semaphore(1.5)).toThrow('got 1.5');
    const slots = new Semaphore(2);
    expect(() => (slots.limit = -1)).toThrow('got -1');
    expect(() => slots.release()).toThrow('without a held slot');
  });
});

describe('Fifo', () => {
  test('shift, indexOf and removeAt keep order across compactions', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 3000; i++) q.push(i);
    for (let i = 0; i < 2500; i++) expect(q.shift()).toBe(i);
    expect(q.length).toBe(500);
    expect(q.indexOf(2600)).toBe(100);
    expect(q.removeAt(100)).toBe(2600);
    expect(q.indexOf(2600)).toBe(-1);
    const rest: number[] = [];
    for (let x = q.shift(); x !== undefined; x = q.shift()) rest.push(x);
    expect(rest).toEqual([...Array(500).keys()].map((i) => 2500 + i).filter((x) => x !== 2600));
    expect(q.shift()).toBeUndefined();
  });
});
