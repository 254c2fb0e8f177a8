import { datasetShift, inputTokens, jensenShannon } from '../../../src/calendar/quarterly/dataset-refresh';

// A small deterministic generator: the same intents with different details, as production sends them.
function generator(seed: number) {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const item = () => pick(['shoes', 'jacket', 'lamp', 'phone case', 'headphones']);
  const support = () =>
    pick([
      () =>
        `I want a refund for order ${Math.floor(rnd() * 9999)}, the ${item()} arrived ${pick(['broken', 'late', 'damaged'])}`,
      () => `How do I change the delivery address for my order ${Math.floor(rnd() * 9999)}?`,
      () => `My ${item()} never arrived, can you track parcel ${Math.floor(rnd() * 99999)}`,
      () => `Can I return the ${item()} after ${Math.floor(rnd() * 60)} days?`,
      () => 'Cancel my subscription please, I was charged twice this month',
      () => `The discount code ${pick(['SPRING', 'SAVE10', 'WELCOME'])} does not work at checkout`,
    ])();
  const other = () =>
    pick([
      () =>
        `Write a poem about ${pick(['autumn', 'the sea', 'my cat'])} in the style of ${pick(['Keats', 'a pirate'])}`,
      () => `Translate this paragraph into German: ${pick(['the meeting is moved', 'our revenue grew'])}`,
      () => `Explain kubernetes ${pick(['pods', 'services', 'ingress'])} to a beginner with examples`,
    ])();
  return { rnd, support, other };
}
const many = (n: number, f: () => string) => Array.from({ length: n }, f);

describe('dataset refresh review: dataset inputs against last quarter’s production inputs', () => {
  test('tokens: lowercase words, numbers as #, function words dropped', () => {
    expect(inputTokens('Refund for ORDER 1234, please!')).toEqual(['refund', 'order', '#']);
  });

  test('Jensen–Shannon divergence: 0 for the same distribution, 1 for disjoint ones, symmetric', () => {
    const a = new Map([
      ['x', 2],
      ['y', 2],
    ]);
    const b = new Map([['z', 1]]);
    expect(
      jensenShannon(
        a,
        new Map([
          ['x', 5],
          ['y', 5],
        ]),
      ),
    ).toBeCloseTo(0, 10);
    expect(jensenShannon(a, b)).toBeCloseTo(1, 10);
    const c = new Map([
      ['x', 3],
      ['y', 1],
    ]);
    expect(jensenShannon(a, c)).toBeCloseTo(jensenShannon(c, a), 12);
  });

  test.each([
    [10, 30],
    [20, 200],
    [200, 1000],
  ])('the same intents (%i dataset, %i production inputs) are still representative', (d, p) => {
    const g = generator(d * 7 + p);
    const v = datasetShift(many(d, g.support), many(p, g.support));
    expect(v.status).toBe('ok');
    expect(v.divergence).toBeLessThan(0.3);
    expect(v.farShare).toBeLessThan(0.1);
  });

  test('a third of production in intents the dataset lacks: refresh, for the uncovered share', () => {
    const g = generator(3);
    const v = datasetShift(
      many(50, g.support),
      many(300, () => (g.rnd() < 0.35 ? g.other() : g.support())),
    );
    expect(v.status).toBe('refresh');
    expect(v.farShare).toBeGreaterThan(0.25);
    expect(v.reasons).toEqual([expect.stringMatching(/% of production inputs have no similar dataset input/)]);
  });

  test('production moved entirely: every measure says so', () => {
    const g = generator(5);
    const v = datasetShift(many(30, g.support), many(100, g.other));
    expect(v).toMatchObject({ status: 'refresh', farShare: 1 });
    expect(v.divergence).toBeGreaterThan(0.9);
    expect(v.reasons).toHaveLength(2);
  });

  test('inputs now much longer (pasted documents) are flagged by length alone', () => {
    const g = generator(9);
    const dataset = many(40, g.support);
    const long = many(60, () => `${g.support()} ${dataset.slice(0, 4).join(' ')} ${g.support()} ${g.support()}`);
    const v = datasetShift(dataset, long);
    expect(v.lengthRatio).toBeGreaterThanOrEqual(2);
    expect(v.reasons.some((r) => r.startsWith('median input length moved'))).toBe(true);
  });

  test('too few production inputs to judge is not a flag', () => {
    const g = generator(11);
    expect(datasetShift(many(20, g.support), many(19, g.other))).toMatchObject({
      status: 'insufficient',
      reasons: [],
    });
  });
});
