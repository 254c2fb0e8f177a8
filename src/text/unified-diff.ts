// Marks a last line without a trailing newline, so it differs from the same text with one.
const NO_NEWLINE = '\u0000<no-newline>';

function toLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += NO_NEWLINE;
  return lines;
}

/** A unified diff of two texts (line based, LCS), with `context` lines around each change. */
export function unifiedDiff(a: string, b: string, names: { from: string; to: string }, context = 3): string {
  if (a === b) return '';
  const x = toLines(a);
  const y = toLines(b);
  const n = x.length;
  const m = y.length;
  // LCS table from the end; texts here are skill files (capped in size), so O(n·m) is fine.
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  type Op = { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) ops.push({ kind: ' ', text: x[i]!, ai: i++, bi: j++ });
    // Deletions before insertions within a change, as diff(1) prints them.
    else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
      ops.push({ kind: '-', text: x[i]!, ai: i++, bi: j });
    else ops.push({ kind: '+', text: y[j]!, ai: i, bi: j++ });
  }
  const out = [`--- ${names.from}`, `+++ ${names.to}`];
  const changes = ops.flatMap((o, idx) => (o.kind === ' ' ? [] : [idx]));
  let c = 0;
  while (c < changes.length) {
    // A hunk takes every change within 2·context unchanged lines of the previous one.
    let last = c;
    while (last + 1 < changes.length && changes[last + 1]! - changes[last]! <= 2 * context + 1) last++;
    const from = Math.max(0, changes[c]! - context);
    const to = Math.min(ops.length, changes[last]! + context + 1);
    const hunk = ops.slice(from, to);
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    const aStart = hunk[0]!.ai;
    const bStart = hunk[0]!.bi;
    out.push(`@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@`);
    for (const o of hunk) {
      const bare = o.text.endsWith(NO_NEWLINE) ? o.text.slice(0, -NO_NEWLINE.length) : o.text;
      out.push(`${o.kind}${bare}`);
      if (bare !== o.text) out.push('\\ No newline at end of file');
    }
    c = last + 1;
  }
  return out.join('\n') + '\n';
}
