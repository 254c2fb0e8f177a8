import {
  hammingDistance,
  inputKey,
  NEAR_BITS,
  NearDuplicateIndex,
  fingerprint,
  normaliseInput,
  simhash,
} from '../../../src/cases/near-duplicates';
import { stratifiedSample, type FailureKind } from '../../../src/cases/failure-kinds';
import { describeTendency } from '../../../src/cases/case-view';

describe('near-duplicate inputs', () => {
  test('normalising ignores case, punctuation, spacing and Unicode forms', () => {
    expect(normaliseInput('  What IS the refund-policy?!\n')).toBe('what is the refund policy');
    expect(inputKey('ﬁle   Name')).toBe(inputKey('file name'));
    expect(inputKey('a b')).not.toBe(inputKey('a c'));
  });

  test('small edits stay within NEAR_BITS, different questions do not', () => {
    const near = [
      [
        'Please summarise this article about climate change in three bullet points',
        'Please summarize this article about climate change in three bullet points',
      ],
      [
        'Translate "good morning" into French for my grandmother',
        'Translate "good morning" into French for my grandma',
      ],
    ];
    for (const [a, b] of near) expect(hammingDistance(simhash(a!), simhash(b!))).toBeLessThanOrEqual(NEAR_BITS);
    const far = [
      ['What is the refund policy for orders shipped to Canada?', 'How do I reset my password on the mobile app?'],
      ['Write a haiku about autumn leaves', 'Write a limerick about a cat named Bob'],
      ['Order 1234 arrived damaged, I want a refund', 'Order 5678 arrived damaged, I want a refund'],
    ];
    for (const [a, b] of far) expect(hammingDistance(simhash(a!), simhash(b!))).toBeGreaterThan(NEAR_BITS);
    expect(simhash('hi')).toMatch(/^[0-9a-f]{16}$/);
  });

  test('the index finds exact and near matches and nothing else', () => {
    const index = new NearDuplicateIndex<string>();
    index.add(fingerprint('Write a haiku about autumn leaves'), 'haiku');
    index.add(fingerprint('Please summarise this article about climate change in three bullet points'), 'summary');
    expect(index.find(fingerprint('write a HAIKU about autumn leaves.'))).toBe('haiku');
    expect(index.find(fingerprint('Please summarize this article about climate change in three bullet points'))).toBe(
      'summary',
    );
    expect(index.find(fingerprint('How do I reset my password on the mobile app?'))).toBeUndefined();
  });
});

describe('stratified sampling', () => {
  const items = (version: number, kind: FailureKind, n: number) =>
    Array.from({ length: n }, (_, i) => ({ key: `${version}-${kind}-${i}`, version, kind }));

  test('strata take turns, so a rare kind is represented whole next to large ones', () => {
    const all = [...items(1, 'error', 50), ...items(2, 'format-failure', 50), ...items(2, 'correction', 1)];
    const { chosen, strata } = stratifiedSample(all, 9, 'seed');
    expect(chosen).toHaveLength(9);
    expect(strata).toEqual([
      { version: 2, kind: 'correction', seen: 1, sampled: 1 },
      { version: 2, kind: 'format-failure', seen: 50, sampled: 4 },
      { version: 1, kind: 'error', seen: 50, sampled: 4 },
    ]);
  });

  test('repeatable for a seed, different for another, and everything when under the limit', () => {
    const all = items(1, 'error', 30);
    const keys = (seed: string) => stratifiedSample(all, 5, seed).chosen.map((c) => c.key);
    expect(keys('a')).toEqual(keys('a'));
    expect(keys('a')).not.toEqual(keys('b'));
    expect(stratifiedSample(all, 100, 'a').chosen).toHaveLength(30);
    expect(stratifiedSample(all, 0, 'a').chosen).toHaveLength(0);
  });
});

describe('user rating tendencies', () => {
  const all = { userId: '*', votes: 200, thumbsDownShare: 0.1, ratings: 100, averageRating: 4.1 };
  test('a user who votes down far more often than everyone is called out', () => {
    const harsh = { userId: 'u1', votes: 10, thumbsDownShare: 0.8, ratings: 0, averageRating: null };
    expect(describeTendency(harsh, all)).toMatch(
      /^u1: 10 vote\(s\), 80% thumbs-down .*everyone: 10%.* rates low far more often/,
    );
  });
  test('few votes, or votes like everyone’s, are not', () => {
    expect(
      describeTendency({ userId: 'u2', votes: 2, thumbsDownShare: 1, ratings: 0, averageRating: null }, all),
    ).not.toMatch(/rates low/);
    expect(
      describeTendency({ userId: 'u3', votes: 20, thumbsDownShare: 0.15, ratings: 6, averageRating: 3.9 }, all),
    ).not.toMatch(/rates low/);
    expect(
      describeTendency({ userId: 'u4', votes: 0, thumbsDownShare: null, ratings: 6, averageRating: 2 }, all),
    ).toMatch(/rates low/);
  });
});
