import { readCsvRows } from '../../eval/datasets/csv-reader';
import { ImportError } from './file-refs';

// promptfoo's built-in assertion types, for its `type:value` and `type(threshold):value` cells.
const PROMPTFOO_TYPES = [
  'answer-relevance', 'bleu', 'classifier', 'contains', 'contains-all', 'contains-any', 'contains-html',
  'contains-json', 'contains-sql', 'contains-xml', 'context-faithfulness', 'context-recall', 'context-relevance',
  'conversation-relevance', 'cost', 'equals', 'factuality', 'finish-reason', 'g-eval', 'gleu', 'guardrails',
  'icontains', 'icontains-all', 'icontains-any', 'is-html', 'is-json', 'is-refusal', 'is-sql',
  'is-valid-function-call', 'is-valid-openai-function-call', 'is-valid-openai-tools-call', 'is-xml', 'javascript',
  'latency', 'levenshtein', 'llm-rubric', 'meteor', 'model-graded-closedqa', 'model-graded-factuality',
  'moderation', 'perplexity', 'perplexity-score', 'pi', 'python', 'regex', 'rouge-n', 'ruby', 'search-rubric',
  'similar', 'starts-with', 'tool-call-f1', 'webhook', 'word-count',
]; // prettier-ignore
const TYPED = new RegExp(`^(not-)?(${PROMPTFOO_TYPES.join('|')})(?:\\((\\d+(?:\\.\\d+)?)\\))?(?::([\\s\\S]*))?$`);

/** promptfoo's reading of an `__expected` cell: a prefix names the type, anything else is `equals`. */
export function assertionFromCell(cell: string): Record<string, unknown> {
  for (const prefix of ['javascript:', 'fn:', 'eval:'])
    if (cell.startsWith(prefix)) return { type: 'javascript', value: cell.slice(prefix.length).trim() };
  if (cell.startsWith('grade:')) return { type: 'llm-rubric', value: cell.slice(6) };
  if (cell.startsWith('llm-rubric:')) return { type: 'llm-rubric', value: cell.slice(11) };
  if (cell.startsWith('python:') || (cell.startsWith('file://') && /\.py(:|$)/.test(cell)))
    return { type: 'python', value: cell };
  if (cell.startsWith('file://') && /\.(js|ts)(:|$)/.test(cell)) return { type: 'javascript', value: cell.trim() };
  const m = TYPED.exec(cell);
  if (!m) return { type: 'equals', value: cell };
  const [, not, base, threshold, value] = m;
  const out: Record<string, unknown> = { type: `${not ?? ''}${base}` };
  if (value !== undefined) {
    out.value = /^(i?contains-(all|any))$/.test(base!) ? value.split(',').map((s) => s.trim()) : value;
  }
  if (threshold !== undefined) out.threshold = Number(threshold);
  return out;
}

export interface CsvTest {
  line: number;
  test: Record<string, unknown>;
}

/**
 * promptfoo's CSV tests: a header row; `__expected`, `__expected1`… cells are assertions; `__description` is kept;
 * the other `__` columns (`__threshold`, `__prefix`, `__metric`…) become test fields that the import then
 * judges like any test's; every other column is a variable.
 */
export function readPromptfooCsv(text: string, source: string): CsvTest[] {
  const rows = [...readCsvRows(text)];
  const header = rows.shift();
  if (!header) throw new ImportError(`${source}: empty CSV; the first row names the columns`);
  const tests: CsvTest[] = [];
  for (const row of rows) {
    if (row.error) throw new ImportError(`${source}:${row.line}: ${row.error}`);
    if (row.fields.length === 1 && row.fields[0] === '') continue; // a blank line
    if (row.fields.length !== header.fields.length)
      throw new ImportError(
        `${source}:${row.line}: ${row.fields.length} fields, but the header has ${header.fields.length}`,
      );
    const vars: Record<string, string> = {};
    const assert: Record<string, unknown>[] = [];
    const test: Record<string, unknown> = { vars, assert };
    let metric: string | undefined;
    header.fields.forEach((name, i) => {
      const cell = row.fields[i]!;
      if (name.startsWith('__expected')) {
        if (cell.trim() !== '') assert.push(assertionFromCell(cell));
      } else if (name === '__description') {
        if (cell !== '') test.description = cell;
      } else if (name === '__threshold') {
        if (cell !== '') test.threshold = Number(cell);
      } else if (name.startsWith('__metadata:')) {
        if (cell !== '') test.metadata = { ...(test.metadata as object), [name.slice('__metadata:'.length)]: cell };
      } else if (name === '__metric') {
        if (cell !== '') metric = cell;
      } else if (name.startsWith('__')) {
        if (cell !== '') test[name] = cell;
      } else vars[name] = cell;
    });
    if (metric !== undefined) for (const a of assert) a.metric = metric;
    tests.push({ line: row.line, test });
  }
  return tests;
}
