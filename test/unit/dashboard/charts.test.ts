import {
  PALETTE,
  compactNumber,
  lineChart,
  niceScale,
  stackedBarChart,
  stackedColumnChart,
} from '../../../src/dashboard/charts';

const opts = { title: 'Runs per day', empty: 'No runs in this window' };
const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;
/** The <g data-series="name"> group of one series. */
const group = (svg: string, name: string) => new RegExp(`<g data-series="${name}">(.*?)</g>`).exec(svg)?.[1] ?? '';
const attr = (el: string, name: string) => Number(new RegExp(`${name}="([-\\d.]+)"`).exec(el)![1]);

describe('axis scales', () => {
  test('run from 0 to a round top in four or five 1-2-5 steps', () => {
    expect(niceScale(7, true)).toEqual({ top: 8, step: 2 });
    expect(niceScale(84)).toEqual({ top: 100, step: 50 });
    expect(niceScale(100)).toEqual({ top: 100, step: 50 });
    expect(niceScale(0.9)).toEqual({ top: 1, step: 0.5 });
    expect(niceScale(1234)).toEqual({ top: 1500, step: 500 });
    // Counts never get fractional steps, and an all-zero chart still has an axis.
    expect(niceScale(1, true)).toEqual({ top: 4, step: 1 });
    expect(niceScale(0, true)).toEqual({ top: 4, step: 1 });
    expect(niceScale(0)).toEqual({ top: 1, step: 0.25 });
  });

  test('numbers are compact on axes and in tooltips', () => {
    expect([0, 7, 12.34, 0.0135, 950, 1200, 2_500_000].map(compactNumber)).toEqual([
      '0',
      '7',
      '12',
      '0.01',
      '950',
      '1.2k',
      '2.5M',
    ]);
  });
});

describe('lineChart', () => {
  const days = ['05-01', '05-02', '05-03', '05-04'];

  test('draws one path per series through every value, with a dot and a tooltip on each', () => {
    const svg = lineChart(
      days,
      [
        { name: 'tune', values: [1, 3, 0, 2] },
        { name: 'eval', values: [0, 1, 1, 4] },
      ],
      { ...opts, integer: true },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(count(svg, /<path /g)).toBe(2);
    expect(count(svg, /<circle /g)).toBe(8);
    const tune = group(svg, 'tune');
    expect(tune).toContain(`stroke="${PALETTE[0]}"`);
    expect(group(svg, 'eval')).toContain(`stroke="${PALETTE[1]}"`);
    // One move, then a line to each following point.
    expect(/d="([^"]+)"/.exec(tune)![1]!.match(/[ML]/g)).toEqual(['M', 'L', 'L', 'L']);
    expect(tune).toContain('<title>tune · 05-02: 3</title>');
    // Higher values sit higher (smaller y); x moves right day by day.
    const dots = [...tune.matchAll(/<circle [^>]+>/g)].map((m) => m[0]);
    expect(attr(dots[1]!, 'cy')).toBeLessThan(attr(dots[0]!, 'cy'));
    expect(attr(dots[2]!, 'cy')).toBeGreaterThan(attr(dots[0]!, 'cy'));
    expect(dots.map((d) => attr(d, 'cx'))).toEqual([...dots.map((d) => attr(d, 'cx'))].sort((a, b) => a - b));
    // Two series get a legend; the y axis runs to a round top (4 → 4, steps of 1).
    expect(svg).toContain('class="legend">tune</text>');
    expect(svg).toContain('class="tick">4</text>');
  });

  test('a null is a gap: the line lifts and starts again after it', () => {
    const svg = lineChart(['1', '2', '3', '4'], [{ name: 'run-a', values: [60, 64, null, 65] }], opts);
    expect(/d="([^"]+)"/.exec(svg)![1]!.match(/[ML]/g)).toEqual(['M', 'L', 'M']);
    expect(count(svg, /<circle /g)).toBe(3);
    expect(svg).toContain('class="legend">run-a</text>'); // even one series is named: which run is it?
  });

  test('escapes names and labels, so stored text never becomes markup', () => {
    const svg = lineChart(['<day>'], [{ name: '"><script>alert(1)</script>', values: [1] }], opts);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('data-series="&quot;&gt;&lt;script&gt;');
  });

  test('nothing to draw says so instead of drawing empty axes', () => {
    for (const svg of [
      lineChart([], [], opts),
      lineChart(days, [{ name: 'x', values: [null, null, null, null] }], opts),
    ]) {
      expect(svg).toContain('class="empty">No runs in this window</text>');
      expect(svg).not.toContain('<path');
    }
  });
});

describe('stackedColumnChart', () => {
  test('stacks the series in each column, one rect per non-zero value, heights in proportion', () => {
    const svg = stackedColumnChart(
      ['05-01', '05-02', '05-03'],
      [
        { name: 'rollout', values: [0, 2, 1] },
        { name: 'tune', values: [0, 2, 0] },
      ],
      { ...opts, integer: true },
    );
    const rects = (name: string) => [...group(svg, name).matchAll(/<rect [^>]+>/g)].map((m) => m[0]);
    expect(rects('rollout')).toHaveLength(2);
    expect(rects('tune')).toHaveLength(1);
    const [rollout2, rollout3] = rects('rollout');
    const [tune2] = rects('tune');
    // Same value, same height; double the value, double the height.
    expect(attr(tune2!, 'height')).toBeCloseTo(attr(rollout2!, 'height'), 0);
    expect(attr(rollout2!, 'height')).toBeCloseTo(2 * attr(rollout3!, 'height'), 0);
    // tune sits on top of rollout in the same column.
    expect(attr(tune2!, 'x')).toBe(attr(rollout2!, 'x'));
    expect(attr(tune2!, 'y') + attr(tune2!, 'height')).toBeCloseTo(attr(rollout2!, 'y'), 0);
    expect(svg).toContain('<title>rollout · 05-03: 1</title>');
  });

  test('all zeros is nothing to draw', () => {
    expect(stackedColumnChart(['a'], [{ name: 'x', values: [0] }], opts)).toContain('class="empty"');
  });
});

describe('stackedBarChart', () => {
  test('one bar per category with its total at the end; long names are cut with the full name kept', () => {
    const long = 'a-prompt-with-a-very-long-name-indeed-v2';
    const svg = stackedBarChart(
      ['support-reply', long],
      [
        { name: 'succeeded', values: [9, 4] },
        { name: 'errors', values: [3, 0] },
      ],
      { ...opts, integer: true },
    );
    expect(count(svg, /<rect x=/g)).toBe(3 + 2); // three bars, two legend keys
    expect(svg).toContain('class="total">12</text>');
    expect(svg).toContain('class="total">4</text>');
    expect(svg).toContain(`<title>${long}</title>a-prompt-with-a-very-long-n…`);
    const bars = (name: string) => [...group(svg, name).matchAll(/<rect [^>]+>/g)].map((m) => m[0]);
    const [ok1, ok2] = bars('succeeded');
    const [err1] = bars('errors');
    expect(attr(ok1!, 'width')).toBeCloseTo((9 / 4) * attr(ok2!, 'width'), 0);
    // errors continue the first bar where succeeded ends.
    expect(attr(err1!, 'x')).toBeCloseTo(attr(ok1!, 'x') + attr(ok1!, 'width'), 0);
  });
});
