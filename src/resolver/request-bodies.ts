import type { FeedbackInput, RunInput } from './types';

/**
 * Request bodies for runs and feedback, built from known fields only and coerced to what the API
 * accepts, so serialising a queued item cannot fail later and a float latency (performance.now()
 * arithmetic) is not refused for not being a whole number.
 */
export function runBody(run: RunInput, id: string): Record<string, unknown> {
  const body: Record<string, unknown> = { id, name: String(run.name), version: Number(run.version) };
  if (run.unitId !== undefined) body.unitId = String(run.unitId);
  if (run.latencyMs !== undefined) body.latencyMs = whole(run.latencyMs);
  if (run.inputTokens !== undefined) body.inputTokens = whole(run.inputTokens);
  if (run.outputTokens !== undefined) body.outputTokens = whole(run.outputTokens);
  if (run.error !== undefined) body.error = errorText(run.error);
  if (run.formatOk !== undefined) body.formatOk = Boolean(run.formatOk);
  if (run.corrected !== undefined) body.corrected = Boolean(run.corrected);
  if (run.regenerated !== undefined) body.regenerated = Boolean(run.regenerated);
  if (run.input !== undefined) body.input = cut(String(run.input), MAX_TEXT);
  if (run.output !== undefined) body.output = cut(String(run.output), MAX_TEXT);
  body.at = timestamp(run.at);
  return body;
}

export function feedbackBody(f: FeedbackInput, id: string): Record<string, unknown> {
  const body: Record<string, unknown> = { id };
  if (f.runId !== undefined) body.runId = String(f.runId);
  if (f.name !== undefined) body.name = String(f.name);
  if (f.version !== undefined) body.version = Number(f.version);
  if (f.thumbs !== undefined) body.thumbs = String(f.thumbs);
  if (f.rating !== undefined) body.rating = Number(f.rating);
  if (f.correction !== undefined) body.correction = String(f.correction);
  if (f.comment !== undefined) body.comment = String(f.comment);
  if (f.userId !== undefined) body.userId = cut(String(f.userId), 200);
  body.at = timestamp(f.at);
  return body;
}

// The API's limits: a longer input or output is cut rather than have the whole run refused.
const MAX_TEXT = 20_000;
const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

const whole = (n: number) => Math.max(0, Math.round(Number(n)));

// The API keeps 2000 characters of an error; cutting here keeps a long stack trace from losing the run.
function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 2000 ? `${text.slice(0, 1999)}…` : text;
}

// Stamped when recorded, not when sent: batching and retries must not shift when a run happened.
function timestamp(at: Date | string | undefined): string {
  if (at === undefined) return new Date().toISOString();
  const d = at instanceof Date ? at : new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toISOString();
}
