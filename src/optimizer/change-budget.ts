import type { Document } from './documents';

/**
 * The textual learning rate: how much one proposal may change. Lines changed are the lines added plus the lines
 * removed by a line diff (Myers); bytes changed are, within each changed block of lines, the UTF-8 bytes removed
 * plus added once the block's common start and end are set aside (so a one-word fix in a long line costs the
 * word, not the line). A file created or deleted counts whole.
 */
export interface ChangeSize {
  lines: number;
  bytes: number;
  /** Set when a document changed more than MAX_DIFF_LINES lines: `lines` is then a lower bound. */
  linesAtLeast?: boolean;
}

export interface ChangeBudget {
  lines: number;
  bytes: number;
}

/** Beyond this many changed lines in one document the exact diff is not worth its cost: it is far over any budget. */
export const MAX_DIFF_LINES = 2000;

type Op = '=' | '-' | '+';

/** Myers' shortest edit script of a into b, or undefined when it needs more than maxD insertions and deletions. */
function editScript(a: string[], b: string[], maxD: number): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const lim = Math.min(n + m, maxD);
  const off = lim + 1;
  const v = new Int32Array(2 * lim + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= lim; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, off, n, m);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], off: number, n: number, m: number): Op[] {
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : v[off + prevK]!;
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push('=');
      x--;
      y--;
    }
    if (d > 0) ops.push(x === prevX ? '+' : '-');
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

/** Bytes of a changed block once the text it keeps at both ends is set aside. */
function blockBytes(removed: string, added: string): number {
  let start = 0;
  const max = Math.min(removed.length, added.length);
  while (start < max && removed[start] === added[start]) start++;
  let end = 0;
  while (end < max - start && removed[removed.length - 1 - end] === added[added.length - 1 - end]) end++;
  return (
    Buffer.byteLength(removed.slice(start, removed.length - end)) +
    Buffer.byteLength(added.slice(start, added.length - end))
  );
}

const withNewlines = (lines: string[]) => lines.map((l) => `${l}\n`).join('');
const linesOf = (text: string | undefined) => (text === undefined ? [] : text.split('\n'));

/** How much one document changed (undefined text: the document is absent on that side). */
export function documentChange(before: string | undefined, after: string | undefined): ChangeSize {
  if (before === after) return { lines: 0, bytes: 0 };
  let a = linesOf(before);
  let b = linesOf(after);
  // Edits are local: setting the common head and tail aside keeps the diff small for long documents.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  a = a.slice(head, a.length - tail);
  b = b.slice(head, b.length - tail);
  const ops = editScript(a, b, MAX_DIFF_LINES);
  if (!ops) return { lines: MAX_DIFF_LINES, bytes: blockBytes(a.join('\n'), b.join('\n')), linesAtLeast: true };
  let lines = 0;
  let bytes = 0;
  let i = 0;
  let j = 0;
  let removed: string[] = [];
  let added: string[] = [];
  const flush = () => {
    // Each line with its newline: a line added costs its newline too.
    if (removed.length || added.length) bytes += blockBytes(withNewlines(removed), withNewlines(added));
    removed = [];
    added = [];
  };
  for (const op of ops) {
    if (op === '=') {
      flush();
      i++;
      j++;
    } else if (op === '-') {
      removed.push(a[i++]!);
      lines++;
    } else {
      added.push(b[j++]!);
      lines++;
    }
  }
  flush();
  // A whole file created or deleted costs exactly its bytes.
  if (before === undefined || after === undefined) bytes = Buffer.byteLength(before ?? after ?? '');
  return { lines, bytes };
}

/** How much the documents changed in all, by path (a path on one side only was created or deleted). */
export function changeSize(before: Document[], after: Document[]): ChangeSize {
  const a = new Map(before.map((d) => [d.path, d.text]));
  const b = new Map(after.map((d) => [d.path, d.text]));
  const total: ChangeSize = { lines: 0, bytes: 0 };
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const c = documentChange(a.get(path), b.get(path));
    total.lines += c.lines;
    total.bytes += c.bytes;
    if (c.linesAtLeast) total.linesAtLeast = true;
  }
  return total;
}

/** Why a change is over the budget, naming the change and the budget in both measures; undefined when within. */
export function overBudget(size: ChangeSize, budget: ChangeBudget): string | undefined {
  if (size.lines <= budget.lines && size.bytes <= budget.bytes) return undefined;
  const more = size.linesAtLeast ? 'more than ' : '';
  return (
    `over the change budget: changes ${more}${size.lines} lines (budget ${budget.lines}) and ` +
    `${size.bytes} bytes (budget ${budget.bytes})`
  );
}
