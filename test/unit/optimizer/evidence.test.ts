import { acceptanceEvidence, LARGE_CHANGES_ONLY_SHARE, minCleanWins } from '../../../src/optimizer/evidence';
import { pairedTest } from '../../../src/optimizer/paired-test';

/** A child that wins `wins` of `n` cases by a full point and ties the rest. */
const cleanWins = (wins: number, n: number) =>
  pairedTest(
    Array.from({ length: n }, (_, i) => (i < wins ? 1 : 0)),
    Array.from({ length: n }, () => 0),
    1,
  );

describe('what the acceptance test can see', () => {
  test.each([0.05, 0.01, 0.1, 0.2, 0.0625, 0.5])(
    'at alpha %p the real paired test accepts minCleanWins clean wins and not one fewer',
    (alpha) => {
      const k = minCleanWins(alpha);
      expect(cleanWins(k, 19).pValue).toBeLessThan(alpha);
      expect(cleanWins(k - 1, 19).pValue).toBeGreaterThanOrEqual(alpha);
    },
  );

  test('a loss makes it harder, never easier: the clean-win count is a floor', () => {
    const k = minCleanWins(0.05);
    const child = [...Array.from({ length: k }, () => 1), 0, 0];
    const parent = [...Array.from({ length: k }, () => 0), 1, 0];
    expect(pairedTest(child, parent, 1).pValue).toBeGreaterThanOrEqual(0.05);
  });

  test('19 validation cases at 0.05 (the optimizer benchmark): only large changes, with what would fix it', () => {
    const e = acceptanceEvidence(19, 0.05, 0.4);
    expect(e).toMatchObject({ validationCases: 19, alpha: 0.05, minWins: 5, minShare: 0.263 });
    expect(e.minShare).toBeGreaterThan(LARGE_CHANGES_ONLY_SHARE);
    expect(e.warning).toBe(
      'only large changes can be accepted: with 19 validation cases a change must win at least 5 of them (26 %) and ' +
        'lose none to pass the paired test at alpha 0.05; smaller improvements cannot be told from noise and the run ' +
        'keeps the original. To see them, add cases to the dataset (about 125 cases give 50 validation cases, where a ' +
        'change that wins one in ten can pass), or raise --alpha',
    );
  });

  test('fewer validation cases than the wins it needs: nothing can ever be accepted', () => {
    const e = acceptanceEvidence(4, 0.05, 1);
    expect(e.minWins).toBe(5);
    expect(e.warning).toMatch(
      /^no change can ever be accepted: .* needs at least 5 validation cases won and none lost, and validation has 4; add cases to the dataset \(about 50 cases/,
    );
  });

  test('enough validation cases, or a looser alpha: no warning', () => {
    expect(acceptanceEvidence(20, 0.05, 0.4).warning).toBeUndefined();
    const looser = acceptanceEvidence(19, 0.2, 0.4);
    expect(looser.minWins).toBe(3);
    expect(looser.warning).toBeUndefined();
  });

  test('alpha outside (0, 1] is refused', () => {
    expect(() => minCleanWins(0)).toThrow(/alpha 0 must be in \(0, 1\]/);
  });
});
