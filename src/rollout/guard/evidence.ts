import type { ResolvedPolicy } from './policy';
import type { SignalName, SignalVerdict } from './types';

/** Human-readable sentences for verdicts: what an on-call reader needs to judge the alert. */

export type Outcome = 'waiting' | 'breach' | 'below-floor' | 'noise' | 'not-worse';

const UNITS: Record<SignalName, string> = {
  'error-rate': 'runs',
  'format-failure-rate': 'format verdicts',
  'thumbs-down-rate': 'votes',
  'correction-rate': 'runs',
  'p95-latency': 'latency samples',
  'tokens-per-call': 'calls',
};

function isRate(signal: SignalName): boolean {
  return signal !== 'p95-latency' && signal !== 'tokens-per-call';
}

function value(signal: SignalName, x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (isRate(signal)) return `${(x * 100).toFixed(1)}%`;
  const n = Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1);
  return signal === 'p95-latency' ? `${n} ms` : `${n} tokens`;
}

function signed(x: number, digits: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
}

function z(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : x > 0 ? '∞' : '−∞';
}

function change(s: Pick<SignalVerdict, 'signal' | 'control' | 'canary'>): string {
  const parts: string[] = [];
  if (isRate(s.signal)) parts.push(`${signed((s.canary - s.control) * 100, 1)} pts`);
  if (s.control > 0 && Number.isFinite(s.canary)) parts.push(`${signed((s.canary / s.control - 1) * 100, 0)}%`);
  return parts.join(', ');
}

function floor(signal: SignalName, p: ResolvedPolicy): string {
  const rel = `+${(p.minRelativeIncrease * 100).toFixed(0)}%`;
  return isRate(signal) ? `${rel} and +${(p.minAbsoluteIncrease * 100).toFixed(1)} pts` : rel;
}

const OUTCOME: Record<Outcome, (s: Omit<SignalVerdict, 'detail'>, p: ResolvedPolicy) => string> = {
  waiting: (s, p) => `waiting for samples (need ${p.minSamples} ${UNITS[s.signal]} per arm)`,
  breach: () => 'breach',
  'below-floor': (s, p) => `statistically worse but below the practical floor (${floor(s.signal, p)})`,
  noise: () => 'within noise so far',
  'not-worse': () => 'canary not worse',
};

export function describeSignal(s: Omit<SignalVerdict, 'detail'>, outcome: Outcome, p: ResolvedPolicy): string {
  const delta = change(s);
  return (
    `${s.signal}: canary ${value(s.signal, s.canary)} vs control ${value(s.signal, s.control)}` +
    `${delta ? ` (${delta})` : ''} over ${s.samples.canary}/${s.samples.control} ${UNITS[s.signal]}; ` +
    `z = ${z(s.statistic)} vs always-valid boundary ${z(s.threshold)} — ${OUTCOME[outcome](s, p)}`
  );
}

/** One paragraph: breached signals first with their numbers, then the method so the alert is self-explaining. */
export function evidenceParagraph(signals: SignalVerdict[], p: ResolvedPolicy): string {
  const k = signals.length;
  const method =
    `Test: one-sided mixture SPRT, always valid under continuous monitoring; α = ${p.alpha} split over ${k} ` +
    `signal${k === 1 ? '' : 's'} (${(p.alpha / Math.max(1, k)).toPrecision(2)} each); ` +
    `≥ ${p.minSamples} samples per arm; practical floor +${(p.minRelativeIncrease * 100).toFixed(0)}% ` +
    `(rates also +${(p.minAbsoluteIncrease * 100).toFixed(1)} pts).`;
  const breached = signals.filter((s) => s.breach);
  if (breached.length)
    return `Guard breach on ${breached.length} of ${k} signals (${breached.map((s) => s.signal).join(', ')}). ${breached.map((s) => s.detail).join('; ')}. ${method}`;
  const waiting = signals.filter((s) => !s.enoughSamples);
  const parts = [`No breach on ${k} signal${k === 1 ? '' : 's'}.`];
  if (waiting.length)
    parts.push(
      `Waiting for samples: ${waiting.map((s) => `${s.signal} (${s.samples.canary}/${s.samples.control} ${UNITS[s.signal]})`).join(', ')}.`,
    );
  const closest = signals
    .filter((s) => s.enoughSamples && Number.isFinite(s.threshold))
    .sort((a, b) => b.statistic / b.threshold - a.statistic / a.threshold)[0];
  if (closest) parts.push(`Closest: ${closest.detail}.`);
  parts.push(method);
  return parts.join(' ');
}
