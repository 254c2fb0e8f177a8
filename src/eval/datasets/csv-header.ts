import { varNameProblem } from './fields';

const FIXED = ['id', 'input', 'expected', 'tags', 'required'] as const;
type FixedColumn = (typeof FIXED)[number];

export type CsvColumn =
  | { kind: FixedColumn; header: string }
  | { kind: 'assert'; header: string; type: string }
  | { kind: 'var'; header: string; name: string };

const ASSERTION_TYPE = /^[a-z][a-z0-9-]*$/;

/**
 * Maps header cells to columns: the fixed ones, `assert:<type>`, `vars.<name>`, and any other valid
 * variable name. Header cells are trimmed (hand-written headers often read `id, input`). Returns the
 * columns or the problems, one per bad header cell.
 */
export function mapCsvHeader(cells: string[]): { columns: CsvColumn[] } | { problems: string[] } {
  const columns: CsvColumn[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  cells.forEach((cell, k) => {
    const header = cell.trim();
    const label = `column ${k + 1}${header ? ` "${header}"` : ''}`;
    const column = toColumn(header);
    if (typeof column === 'string') return problems.push(`${label}: ${column}`);
    // Several assertions of one type are fine (two `contains`); two columns for the same field are not.
    const key = column.kind === 'var' ? `var:${column.name}` : column.kind === 'assert' ? undefined : column.kind;
    const first = key === undefined ? undefined : seen.get(key);
    if (first !== undefined) return problems.push(`${label}: the same column as column ${first}`);
    if (key !== undefined) seen.set(key, k + 1);
    columns.push(column);
  });
  return problems.length ? { problems } : { columns };
}

function toColumn(header: string): CsvColumn | string {
  if (!header) return 'empty header name; name every column (or delete the empty one)';
  if ((FIXED as readonly string[]).includes(header)) return { kind: header as FixedColumn, header };
  if (header.startsWith('assert:')) {
    const type = header.slice('assert:'.length);
    if (!ASSERTION_TYPE.test(type)) return 'an assertion type is lowercase letters, digits and -, e.g. assert:contains';
    return { kind: 'assert', header, type };
  }
  if (header.startsWith('vars.')) {
    const name = header.slice('vars.'.length);
    const problem = varNameProblem(name);
    return problem ? `variable "${name}" ${problem}` : { kind: 'var', header, name };
  }
  const lower = header.toLowerCase();
  // A capitalised `Input` would otherwise become a variable and the case would silently have no input.
  if ((FIXED as readonly string[]).includes(lower) || lower.startsWith('assert:') || lower.startsWith('vars.')) {
    return `column names and prefixes are lowercase: id, input, expected, tags, required, assert:<type>, vars.<name>`;
  }
  if (header === 'vars') return 'name each variable in its own column: vars.<name> (or just <name>)';
  if (header === 'assertions') return 'give each assertion its own column: assert:<type>, e.g. assert:contains';
  const problem = varNameProblem(header);
  if (problem) {
    return (
      'unknown column; use id, input, expected, tags, required, assert:<type>, vars.<name>, ' +
      'or a variable name (letters, digits and _)'
    );
  }
  return { kind: 'var', header, name: header };
}
