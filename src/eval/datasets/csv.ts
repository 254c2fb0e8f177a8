import type { AssertionValidator, DatasetCase } from './case';
import type { CaseCollector } from './collector';
import { mapCsvHeader, type CsvColumn } from './csv-header';
import { readCsvRows, type CsvRow } from './csv-reader';
import { RowError } from './errors';
import { fieldSizeProblem, finishCase, parseFields, validateWith } from './fields';

/**
 * CSV with a header row. Conventions: an empty cell means "not given" (so a CSV cannot express an empty
 * `input` or `expected`); variables are always strings (no type guessing: `007` stays `007`); tags are
 * separated by `;` (commas would need quoting); `assert:<type>` cells become `{type, value}`, with the value a
 * number for types starting `min-` or `max-` (e.g. `max-length`); rows whose cells are all blank are skipped.
 */
export function readCsv(text: string, collector: CaseCollector, validate: AssertionValidator): void {
  let columns: CsvColumn[] | undefined;
  for (const row of readCsvRows(text)) {
    if (!row.error && row.fields.every((f) => f.trim() === '')) continue;
    if (!columns) {
      if (row.error) return collector.problemAt(row.line, `header: ${row.error}`);
      const header = mapCsvHeader(row.fields);
      if ('problems' in header) return header.problems.forEach((p) => collector.problemAt(row.line, p));
      columns = header.columns;
      continue;
    }
    const cols = columns;
    collector.add(row.line, (at, position) => caseFromRow(row, cols, at, position, validate));
  }
}

function caseFromRow(
  row: CsvRow,
  columns: CsvColumn[],
  at: string,
  position: number,
  validate: AssertionValidator,
): DatasetCase {
  if (row.error) throw new RowError(`${at}: ${row.error}`);
  if (row.fields.length !== columns.length) {
    throw new RowError(
      `${at}: ${row.fields.length} fields but the header has ${columns.length}; quote cells that contain commas`,
    );
  }
  const raw: Record<string, unknown> = {};
  const vars: Record<string, string> = {};
  const asserts: { header: string; assertion: { type: string; value: string | number } }[] = [];
  columns.forEach((col, k) => {
    const cell = row.fields[k]!;
    if (cell === '') return;
    const tooBig = fieldSizeProblem(cell);
    if (tooBig) throw new RowError(`${at}: ${col.header}: ${tooBig}`);
    switch (col.kind) {
      case 'id':
      case 'input':
      case 'expected':
        raw[col.kind] = cell;
        break;
      case 'tags':
        raw.tags = cell
          .split(';')
          .map((t) => t.trim())
          .filter((t) => t !== '');
        break;
      case 'required':
        raw.required = parseFlag(cell, `${at}: required`);
        break;
      case 'var':
        vars[col.name] = cell;
        break;
      case 'assert':
        asserts.push({ header: col.header, assertion: { type: col.type, value: assertionValue(col.type, cell, at) } });
        break;
    }
  });
  raw.vars = vars;
  const fields = parseFields(raw, at);
  // One validator call per column, so an error names the column rather than an index into a hidden list.
  const assertions = asserts.flatMap((a) => validateWith(validate, [a.assertion], `${at}: ${a.header}`));
  return finishCase(fields, assertions, at, position);
}

const FLAGS: Record<string, boolean> = { true: true, yes: true, '1': true, false: false, no: false, '0': false };

function parseFlag(cell: string, where: string): boolean | undefined {
  const word = cell.trim().toLowerCase();
  if (word === '') return undefined;
  const flag = FLAGS[word];
  if (flag === undefined) throw new RowError(`${where}: expected true/false/yes/no/1/0, got "${cell}"`);
  return flag;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Bounds (`min-*`, `max-*`) are numbers; every other assertion value is the cell's text as written. */
function assertionValue(type: string, cell: string, at: string): string | number {
  if (!/^(min|max)-/.test(type)) return cell;
  const text = cell.trim();
  if (!NUMBER.test(text)) throw new RowError(`${at}: assert:${type}: expected a number, got "${cell}"`);
  return Number(text);
}
