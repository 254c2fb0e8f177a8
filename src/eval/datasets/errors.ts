import { DATASET_LIMITS, type DatasetFormat } from './case';

/** The whole import failed: nothing from the file is used. `problems` holds the first errors, each `source:line: …`. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';

  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}

/** A problem with one row; its message already carries the `source:line:` prefix. */
export class RowError extends Error {
  override readonly name = 'RowError';
}

/** The expected shape, per format: ends every error so the fix is in the message itself. */
export const FORMAT_HINTS: Record<DatasetFormat, string> = {
  jsonl:
    'each non-empty line must be one JSON object: {"id"?: "…", "input"?: "…", "vars"?: {"name": "text" | number | boolean}, ' +
    '"expected"?: "…", "assertions"?: [...], "tags"?: ["…"], "required"?: true|false}, with "input" or "vars" given.',
  csv:
    'the first row must be a header naming the columns: id, input, expected, tags (separated by ";"), ' +
    'required (true/false/yes/no/1/0), assert:<type> (the cell is the assertion value, e.g. assert:contains), ' +
    'vars.<name> or a bare <name> (a template variable; letters, digits and _). Quote cells containing , " or line breaks.',
  yaml:
    'the document must be a list of cases, or a mapping {cases: [...]}; each case is a mapping with ' +
    'id?, input?, vars? (name: text|number|boolean), expected?, assertions? (a list), tags? (a list), required? (true/false), ' +
    'and input or vars given.',
};

/** Builds the all-or-nothing error: the first problems, how many were left out, and the fix. */
export function datasetError(source: string, problems: string[], total: number, hint: string): DatasetError {
  const shown = problems.slice(0, DATASET_LIMITS.maxProblems);
  const lines = [`${source}: ${total} ${total === 1 ? 'problem' : 'problems'}, nothing was imported:`];
  for (const p of shown) lines.push(`  ${p}`);
  if (total > shown.length) lines.push(`  … and ${total - shown.length} more`);
  lines.push(`Fix: ${hint}`);
  return new DatasetError(lines.join('\n'), shown);
}
