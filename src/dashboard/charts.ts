import { escapeHtml } from './escape';

/**
 * Inline SVG charts, rendered on the server as strings: the dashboard works offline and without
 * scripts (its content security policy allows none). Pure: data in, markup out. Each series is a
 * `<g data-series="…">`, each data point carries a `<title>` the browser shows on hover.
 */
export interface Series {
  name: string;
  /** One value per x position; null leaves a gap (e.g. an iteration a run has not reached). */
  values: (number | null)[];
}

export interface ChartOptions {
  /** Read by screen readers and shown on hover over the chart. */
  title: string;
  /** Shown when there is nothing to draw. */
  empty: string;
  /** Formats values on the y axis and in tooltips; compact numbers by default. */
  format?: (value: number) => string;
  /** Counts: y ticks at whole numbers only. */
  integer?: boolean;
}

/** Colour-blind-safe (Okabe–Ito) colours, darkened where needed for contrast on white. */
export const PALETTE = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#8a6d00', '#555555'];

export const colorOf = (index: number) => PALETTE[index % PALETTE.length]!;

/** Styles for the class names the charts use; the page that embeds them includes this once. */
export const CHART_CSS = `
svg { display: block; width: 100%; height: auto; font-family: system-ui, sans-serif; }
svg .tick, svg .total, svg text.legend { font-size: 11px; fill: #4b5563; }
svg .total { fill: #111827; font-weight: 600; }
svg .grid { stroke: #e5e7eb; }
svg .axis { stroke: #9ca3af; }
svg .empty { font-size: 13px; fill: #6b7280; }
svg circle:hover, svg rect:hover { opacity: 0.75; }
`;

const WIDTH = 640;
const PLOT_HEIGHT = 190;
const LEFT = 48;
const RIGHT = 16;
const BOTTOM = 28;
const CHAR_WIDTH = 6.6; // of the 11 px sans-serif labels, for layout only

const round = (n: number) => Math.round(n * 10) / 10;

/** Compact number for axes and tooltips: 950, 1.2k, 3.4M; up to two decimals below 10. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  if (abs >= 10 || Number.isInteger(value)) return String(Math.round(value));
  return String(+value.toFixed(2));
}

/** A y axis from 0 with four or five round steps covering max (1, 2 or 5 times a power of ten). */
export function niceScale(max: number, integer = false): { top: number; step: number } {
  // Small counts get an axis up to 4, so a single event is a short bar rather than a full-height one.
  if (integer && max <= 4) return { top: 4, step: 1 };
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
  if (integer) step = Math.max(1, Math.round(step));
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

/** Legend entries laid out in rows across the chart's width; returns the markup and the height it takes. */
function legend(series: { name: string }[], width: number): { svg: string; height: number } {
  if (series.length === 0) return { svg: '', height: 8 };
  let x = LEFT;
  let y = 14;
  const parts: string[] = [];
  series.forEach((s, i) => {
    const w = 18 + s.name.length * CHAR_WIDTH + 16;
    if (x + w > width - RIGHT && x > LEFT) {
      x = LEFT;
      y += 18;
    }
    parts.push(
      `<rect x="${x}" y="${y - 9}" width="12" height="12" rx="2" fill="${colorOf(i)}"/>` +
        `<text x="${x + 17}" y="${y + 1}" class="legend">${escapeHtml(s.name)}</text>`,
    );
    x = round(x + w);
  });
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: y + 14 };
}

function svg(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>${body}</svg>`
  );
}

function emptyChart(opts: ChartOptions): string {
  const height = 120;
  return svg(
    WIDTH,
    height,
    opts.title,
    `<text x="${WIDTH / 2}" y="${height / 2}" text-anchor="middle" class="empty">${escapeHtml(opts.empty)}</text>`,
  );
}

const hasData = (series: Series[]) => series.some((s) => s.values.some((v) => v !== null && v !== 0));

/** Horizontal grid lines with their values, and the x labels thinned out so they never overlap. */
function axes(
  xLabels: string[],
  xAt: (i: number) => number,
  scale: { top: number; step: number },
  yAt: (v: number) => number,
  bottomY: number,
  format: (v: number) => string,
): string {
  const parts: string[] = [];
  for (let v = 0; v <= scale.top + 1e-9; v += scale.step) {
    const y = round(yAt(v));
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y}" y2="${y}" class="grid"/>` +
        `<text x="${LEFT - 6}" y="${y + 4}" text-anchor="end" class="tick">${escapeHtml(format(v))}</text>`,
    );
  }
  const widest = Math.max(...xLabels.map((l) => l.length), 1) * CHAR_WIDTH + 10;
  const every = Math.max(1, Math.ceil((xLabels.length * widest) / (WIDTH - LEFT - RIGHT)));
  xLabels.forEach((label, i) => {
    if (i % every !== 0) return;
    parts.push(
      `<text x="${round(xAt(i))}" y="${bottomY + 17}" text-anchor="middle" class="tick">${escapeHtml(label)}</text>`,
    );
  });
  parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${bottomY}" y2="${bottomY}" class="axis"/>`);
  return `<g class="axes">${parts.join('')}</g>`;
}

/** Lines over shared x positions (days, iterations), with a dot on every value. */
export function lineChart(xLabels: string[], series: Series[], opts: ChartOptions): string {
  if (xLabels.length === 0 || !series.some((s) => s.values.some((v) => v !== null))) return emptyChart(opts);
  const format = opts.format ?? compactNumber;
  const key = legend(series, WIDTH);
  const top = key.height + 6;
  const bottomY = top + PLOT_HEIGHT;
  const max = Math.max(...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const scale = niceScale(max, opts.integer);
  const plotWidth = WIDTH - LEFT - RIGHT - 16;
  const xAt = (i: number) => LEFT + 8 + (xLabels.length === 1 ? plotWidth / 2 : (i / (xLabels.length - 1)) * plotWidth);
  const yAt = (v: number) => bottomY - (v / scale.top) * PLOT_HEIGHT;
  const lines = series.map((s, si) => {
    let d = '';
    let pen = false;
    const dots: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      const x = round(xAt(i));
      const y = round(yAt(v));
      d += `${pen ? 'L' : 'M'}${x} ${y}`;
      pen = true;
      dots.push(
        `<circle cx="${x}" cy="${y}" r="3" fill="${colorOf(si)}"><title>${escapeHtml(`${s.name} · ${xLabels[i]}: ${format(v)}`)}</title></circle>`,
      );
    });
    return (
      `<g data-series="${escapeHtml(s.name)}">` +
      `<path d="${d}" fill="none" stroke="${colorOf(si)}" stroke-width="2" stroke-linejoin="round"/>${dots.join('')}</g>`
    );
  });
  return svg(
    WIDTH,
    bottomY + BOTTOM,
    opts.title,
    key.svg + axes(xLabels, xAt, scale, yAt, bottomY, format) + lines.join(''),
  );
}

/** Columns per x position, the series stacked on each other (e.g. errors per day, per workflow type). */
export function stackedColumnChart(xLabels: string[], series: Series[], opts: ChartOptions): string {
  if (xLabels.length === 0 || !hasData(series)) return emptyChart(opts);
  const format = opts.format ?? compactNumber;
  const key = legend(series, WIDTH);
  const top = key.height + 6;
  const bottomY = top + PLOT_HEIGHT;
  const totals = xLabels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const scale = niceScale(Math.max(...totals), opts.integer);
  const band = (WIDTH - LEFT - RIGHT) / xLabels.length;
  const xAt = (i: number) => LEFT + band * (i + 0.5);
  const yAt = (v: number) => bottomY - (v / scale.top) * PLOT_HEIGHT;
  const base = xLabels.map(() => 0);
  const groups = series.map((s, si) => {
    const rects: string[] = [];
    s.values.forEach((v, i) => {
      if (!v) return;
      const y0 = yAt(base[i]!);
      base[i]! += v;
      const y1 = yAt(base[i]!);
      rects.push(
        `<rect x="${round(LEFT + band * i + band * 0.15)}" y="${round(y1)}" width="${round(Math.max(1, band * 0.7))}" height="${round(y0 - y1)}" fill="${colorOf(si)}">` +
          `<title>${escapeHtml(`${s.name} · ${xLabels[i]}: ${format(v)}`)}</title></rect>`,
      );
    });
    return `<g data-series="${escapeHtml(s.name)}">${rects.join('')}</g>`;
  });
  return svg(
    WIDTH,
    bottomY + BOTTOM,
    opts.title,
    key.svg + axes(xLabels, xAt, scale, yAt, bottomY, format) + groups.join(''),
  );
}

const MAX_NAME = 28;

/** One horizontal bar per category (e.g. per prompt), the series stacked along it, the total at its end. */
export function stackedBarChart(categories: string[], series: Series[], opts: ChartOptions): string {
  if (categories.length === 0 || !hasData(series)) return emptyChart(opts);
  const format = opts.format ?? compactNumber;
  const key = legend(series, WIDTH);
  const rowHeight = 24;
  const top = key.height + 4;
  const shown = categories.map((c) => (c.length > MAX_NAME ? `${c.slice(0, MAX_NAME - 1)}…` : c));
  const left = Math.min(220, Math.max(...shown.map((c) => c.length)) * CHAR_WIDTH + 16);
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(...totals);
  const room = WIDTH - left - RIGHT - 44; // the total's label sits after the bar
  const wAt = (v: number) => (max > 0 ? (v / max) * room : 0);
  const labels = categories.map(
    (c, i) =>
      `<text x="${left - 8}" y="${top + i * rowHeight + 16}" text-anchor="end" class="tick">` +
      `<title>${escapeHtml(c)}</title>${escapeHtml(shown[i]!)}</text>` +
      `<text x="${round(left + wAt(totals[i]!) + 6)}" y="${top + i * rowHeight + 16}" class="total">${escapeHtml(format(totals[i]!))}</text>`,
  );
  const offset = categories.map(() => 0);
  const groups = series.map((s, si) => {
    const rects: string[] = [];
    s.values.forEach((v, i) => {
      if (!v) return;
      const x = left + wAt(offset[i]!);
      offset[i]! += v;
      rects.push(
        `<rect x="${round(x)}" y="${top + i * rowHeight + 4}" width="${round(Math.max(1, wAt(v)))}" height="${rowHeight - 8}" fill="${colorOf(si)}">` +
          `<title>${escapeHtml(`${categories[i]} · ${s.name}: ${format(v)}`)}</title></rect>`,
      );
    });
    return `<g data-series="${escapeHtml(s.name)}">${rects.join('')}</g>`;
  });
  return svg(
    WIDTH,
    top + categories.length * rowHeight + 8,
    opts.title,
    `${key.svg}<line x1="${left}" x2="${left}" y1="${top}" y2="${top + categories.length * rowHeight}" class="axis"/>${labels.join('')}${groups.join('')}`,
  );
}
