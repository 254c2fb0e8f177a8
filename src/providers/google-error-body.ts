import { isRecord } from './json-fields';
import { parseProtoDuration } from './retry-after';

export interface GoogleErrorBody {
  message: string | undefined;
  status: string | undefined;
  /** From a google.rpc.RetryInfo detail, which Gemini sends on 429 instead of (or besides) a retry-after header. */
  retryDelayMs: number | undefined;
  /** google.rpc.ErrorInfo reasons, e.g. API_KEY_INVALID. */
  reasons: string[];
}

/** Parses `{error: {code, message, status, details}}`; @google/genai puts this JSON, stringified, in ApiError.message. */
export function parseGoogleErrorBody(raw: string): GoogleErrorBody {
  const empty: GoogleErrorBody = { message: undefined, status: undefined, retryDelayMs: undefined, reasons: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return empty;
  }
  const error = isRecord(parsed) ? parsed['error'] : undefined;
  if (!isRecord(error)) return empty;
  const details: unknown[] = Array.isArray(error['details']) ? error['details'] : [];
  let retryDelayMs: number | undefined;
  const reasons: string[] = [];
  for (const detail of details) {
    if (!isRecord(detail)) continue;
    retryDelayMs ??= parseProtoDuration(detail['retryDelay']);
    if (typeof detail['reason'] === 'string') reasons.push(detail['reason']);
  }
  return {
    message: typeof error['message'] === 'string' ? error['message'] : undefined,
    status: typeof error['status'] === 'string' ? error['status'] : undefined,
    retryDelayMs,
    reasons,
  };
}
