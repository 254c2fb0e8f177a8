import { extname } from 'node:path';
import { DATASET_LIMITS, type DatasetCase, type DatasetFormat, type ParseDatasetOptions } from './case';
import { CaseCollector } from './collector';
import { readCsv } from './csv';
import { DatasetError, FORMAT_HINTS, datasetError } from './errors';
import { acceptAnyAssertions } from './fields';
import { readJsonl } from './jsonl';
import { readYaml } from './yaml';

const READERS = { jsonl: readJsonl, csv: readCsv, yaml: readYaml } as const;

const EXTENSIONS: Record<string, DatasetFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
  '.yaml': 'yaml',
  '.yml': 'yaml',
};

const SUPPORTED = '.jsonl or .ndjson (JSON lines), .csv, .yaml or .yml';

/** The dataset format a file's extension names (case-insensitive). */
export function formatFromPath(path: string): DatasetFormat {
  const ext = extname(path).toLowerCase();
  const format = EXTENSIONS[ext];
  if (format) return format;
  const problem = `${path}: ${ext ? `unsupported dataset extension "${ext}"` : 'no file extension'}; use ${SUPPORTED}`;
  throw new DatasetError(problem, [problem]);
}

/**
 * Parses a golden dataset, all or nothing: every bad row is reported as `source:line: …` (up to 20 listed) in one
 * DatasetError, and no case is returned unless all are good.
 */
export function parseDataset(text: string, format: DatasetFormat, opts: ParseDatasetOptions): DatasetCase[] {
  const { source } = opts;
  if (!Object.hasOwn(READERS, format)) {
    const problem = `${source}: unknown dataset format "${String(format)}"; use jsonl, csv or yaml`;
    throw new DatasetError(problem, [problem]);
  }
  const hint = FORMAT_HINTS[format];
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > DATASET_LIMITS.maxTextBytes) {
    const problem = `${source}: ${bytes} bytes is over the ${DATASET_LIMITS.maxTextBytes / 1024 / 1024} MiB limit; split the dataset into several files`;
    throw datasetError(source, [problem], 1, hint);
  }
  // Editors on Windows often save a byte-order mark; it is not part of the first row.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const collector = new CaseCollector(source, hint);
  READERS[format](body, collector, opts.validateAssertions ?? acceptAnyAssertions);
  return collector.finish();
}
