/** One CSV record: its fields, the physical line it starts on, and the first syntax problem in it. */
export interface CsvRow {
  line: number;
  fields: string[];
  error?: string;
}

const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;

/**
 * RFC 4180 records: fields separated by `,`, records by CRLF or LF (a lone CR too, as old spreadsheets write);
 * a field in double quotes may hold commas, line breaks and doubled quotes (`""`). Line breaks inside quotes
 * are normalised to LF so a file's content does not change with its line-ending convention.
 * Syntax problems are reported on the row and reading goes on, so one bad row does not hide the others.
 */
export function* readCsvRows(text: string): Generator<CsvRow> {
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const row: CsvRow = { line, fields: [] };
    for (;;) {
      let field: string;
      if (text.charCodeAt(i) === QUOTE) {
        const quoted = readQuoted(text, i + 1);
        line += quoted.breaks;
        i = quoted.end;
        field = quoted.value;
        if (quoted.unclosed) row.error ??= `field ${row.fields.length + 1} opens a quote that is never closed`;
        if (i < n && !isDelimiter(text.charCodeAt(i))) {
          row.error ??= `text after the closing quote of field ${row.fields.length + 1}; double quotes inside a quoted field ("")`;
          const end = delimiterFrom(text, i);
          field += text.slice(i, end);
          i = end;
        }
      } else {
        const end = delimiterFrom(text, i);
        field = text.slice(i, end);
        if (field.includes('"')) {
          row.error ??= `a quote inside unquoted field ${row.fields.length + 1}; quote the whole field and double the quote ("")`;
        }
        i = end;
      }
      row.fields.push(field);
      if (i >= n) break;
      if (text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      i += text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    yield row;
  }
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CR || c === LF;
}

/** Index of the next `,`, CR or LF at or after `from`, or the end of the text. */
function delimiterFrom(text: string, from: number): number {
  let i = from;
  while (i < text.length && !isDelimiter(text.charCodeAt(i))) i++;
  return i;
}

/** Reads a quoted field's body from just after its opening quote; `end` is just after the closing quote. */
function readQuoted(text: string, from: number): { value: string; end: number; breaks: number; unclosed: boolean } {
  const parts: string[] = [];
  let breaks = 0;
  let i = from;
  for (;;) {
    const q = text.indexOf('"', i);
    const chunk = text.slice(i, q === -1 ? text.length : q);
    parts.push(chunk);
    breaks += countBreaks(chunk);
    if (q === -1) return { value: parts.join('').replace(/\r\n/g, '\n'), end: text.length, breaks, unclosed: true };
    if (text.charCodeAt(q + 1) === QUOTE) {
      parts.push('"');
      i = q + 2;
      continue;
    }
    return { value: parts.join('').replace(/\r\n/g, '\n'), end: q + 1, breaks, unclosed: false };
  }
}

/** Physical line breaks: LF, CRLF (once), and a lone CR. */
function countBreaks(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === LF || (c === CR && s.charCodeAt(i + 1) !== LF)) count++;
  }
  return count;
}
