/**
 * Small text pieces the Web UI metadata shares: durations a person reads at a glance and the "what to send" block
 * of a run that waits. Pure (no Node built-ins): workflows import it.
 */

/** 3_600_000 → "1 h", 5_400_000 → "1 h 30 min", 90_000 → "1 min 30 s", 172_800_000 → "2 d". */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0 s';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n} ${name}`);
    rest -= n * size;
    // Two units say enough: "2 d 3 h", not "2 d 3 h 4 min 5 s".
    if (parts.length === 2) break;
  }
  return parts.length ? parts.join(' ') : `${Math.round(ms)} ms`;
}

/** 0.8234 → "82.3 %". */
export function percent(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}

/** One way a person can answer a waiting run: a signal the Web UI sends (More Actions → Send a Signal). */
export interface SignalChoice {
  /** What it does, e.g. "accept the best candidate". */
  what: string;
  /** The signal's name exactly as the workflow registers it. */
  signal: string;
  /** The signal's one argument; shown as JSON to paste into the Web UI's input box. */
  payload: Record<string, unknown>;
}

/**
 * The block a waiting run's details end with: what it waits for, each signal with its exact JSON payload, and the
 * CLI command that does the same (it sends the matching update, which says at once whether it was taken).
 */
export function waitingBlock(opts: { waitsFor: string; choices: SignalChoice[]; cli?: string; note?: string }): string {
  const lines = [
    `**Waiting for a person**: ${opts.waitsFor}`,
    '',
    'From the Web UI: **More Actions → Send a Signal**, with the signal name and the JSON input below (put your own name in `by`).',
    // A blank line first: markdown starts a list only after one.
    '',
    ...opts.choices.map((c) => `- ${c.what}: signal \`${c.signal}\` with \`${JSON.stringify(c.payload)}\``),
  ];
  if (opts.note) lines.push('', opts.note);
  if (opts.cli) lines.push('', `From a shell: \`${opts.cli}\``);
  return lines.join('\n');
}

/** Markdown-safe inline text: backticks would end a code span, newlines a list item. */
export function inline(text: string): string {
  return text.replace(/[`\r\n]+/g, ' ').trim();
}
