/**
 * The Prometheus text exposition format (version 0.0.4), written from plain data. Pure: the collectors
 * decide what to measure, this decides only how it is spelled.
 */
export type MetricType = 'counter' | 'gauge';

export interface MetricSample {
  labels?: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  /** Counters end in `_total`, as Prometheus's naming conventions ask. */
  name: string;
  help: string;
  type: MetricType;
  samples: MetricSample[];
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** HELP text escapes only backslash and newline; a quote is literal there. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values are quoted: backslash, double quote and newline are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(family: string, labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  for (const [name] of entries) {
    // Names starting with __ are reserved for Prometheus's own use.
    if (!LABEL_NAME.test(name) || name.startsWith('__'))
      throw new Error(`metric ${family}: "${name}" is not a valid label name`);
  }
  return `{${entries.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/**
 * Renders the families in the order given, each with its HELP and TYPE lines. A family with no samples
 * keeps those lines, so a scraper sees the metric exists before anything has been counted. Invalid
 * names and repeated series are programming errors and throw: Prometheus would reject the whole scrape.
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const seenFamilies = new Set<string>();
  const lines: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`"${f.name}" is not a valid metric name`);
    if (seenFamilies.has(f.name)) throw new Error(`metric ${f.name} is written twice`);
    seenFamilies.add(f.name);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const seenSeries = new Set<string>();
    for (const s of f.samples) {
      const labels = formatLabels(f.name, s.labels);
      if (seenSeries.has(labels)) throw new Error(`metric ${f.name} has the series ${labels || '{}'} twice`);
      seenSeries.add(labels);
      lines.push(`${f.name}${labels} ${formatValue(s.value)}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
