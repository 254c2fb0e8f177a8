import { compareGolden, fallZ, toPrevious, type GoldenResult } from '../../../src/calendar/monthly/golden-compare';

const result = (over: Partial<GoldenResult> = {}): GoldenResult => ({
  name: 'summarise',
  kind: 'skill',
  version: 4,
  dataset: 'summaries',
  datasetVersion: 2,
  evalRunId: 'monthly-2026-06-golden-summarise',
  cases: 100,
  passed: 95,
  passRate: 0.95,
  gatePassed: true,
  gateCauses: [],
  ...over,
});
const lastMonth = (over: Partial<GoldenResult> = {}) => toPrevious(result(over))!;

describe('this month against last month', () => {
  test('the first run of a prompt sets the comparison and flags nothing', () => {
    expect(compareGolden(result({ gatePassed: false, passRate: 0.2 }), undefined)).toEqual({
      name: 'summarise',
      verdict: 'first-run',
      reasons: [],
    });
  });

  test('a gate that passed last month and fails now is a regression, whatever the size of the drop', () => {
    const c = compareGolden(
      result({ version: 5, passed: 94, passRate: 0.94, gatePassed: false, gateCauses: ['required-case-failed'] }),
      lastMonth(),
    );
    expect(c.verdict).toBe('regressed');
    expect(c.reasons).toEqual(['the gate passed last month (v4) and fails now (v5: required-case-failed)']);
    expect(c.deltaPoints).toBe(-1);
  });

  test('a fall of 10 points on the same 100 cases is a regression while the gate still passes', () => {
    const c = compareGolden(result({ passed: 85, passRate: 0.85 }), lastMonth());
    expect(c.verdict).toBe('regressed');
    expect(c.reasons[0]).toMatch(/pass rate fell 10 points \(95% → 85%\) on the same 100 cases/);
  });

  test('a fall within noise is steady: one case of ten flipping is not a regression', () => {
    expect(fallZ(1, 10, 0.9, 10)).toBeLessThan(2);
    const c = compareGolden(
      result({ cases: 10, passed: 9, passRate: 0.9 }),
      lastMonth({ cases: 10, passed: 10, passRate: 1 }),
    );
    expect(c).toMatchObject({ verdict: 'steady', deltaPoints: -10, reasons: [] });
  });

  test('a fall under 5 points is steady even on a large dataset', () => {
    const c = compareGolden(
      result({ cases: 5000, passed: 4550, passRate: 0.91 }),
      lastMonth({ cases: 5000, passed: 4750, passRate: 0.95 }),
    );
    expect(fallZ(0.95, 5000, 0.91, 5000)).toBeGreaterThan(2);
    expect(c.verdict).toBe('steady');
  });

  test('against another dataset version only the gate counts (the cases differ)', () => {
    const other = compareGolden(result({ datasetVersion: 3, passed: 70, passRate: 0.7 }), lastMonth());
    expect(other).toMatchObject({ verdict: 'steady', reasons: [] });
    expect(other.deltaPoints).toBeUndefined();
    const failing = compareGolden(
      result({ datasetVersion: 3, passed: 70, passRate: 0.7, gatePassed: false, gateCauses: ['pass-rate'] }),
      lastMonth(),
    );
    expect(failing.verdict).toBe('regressed');
  });

  test('a prompt failing both months at the same rate is not flagged again; a recovery is an improvement', () => {
    const failing = { passed: 60, passRate: 0.6, gatePassed: false, gateCauses: ['pass-rate'] };
    expect(compareGolden(result(failing), lastMonth(failing)).verdict).toBe('steady');
    expect(compareGolden(result(), lastMonth(failing)).verdict).toBe('improved');
  });

  test('an eval run that did not finish is an error, and is not carried to next month', () => {
    const broken = result({ error: 'provider refused', cases: 0, passed: 0, passRate: 0, gatePassed: false });
    expect(compareGolden(broken, lastMonth()).verdict).toBe('error');
    expect(toPrevious(broken)).toBeUndefined();
  });
});
