import type { AssertionOf } from './schema';
import { compileJsonSchema, schemaErrorPath } from './json-schema';
import { failed, passed } from './result';
import type { AssertionResult } from './types';

export type JsonParse = { ok: true; value: unknown } | { ok: false };

// Only fences tagged json: an untagged fence is as likely to hold code or prose.
const JSON_FENCE = /```json[^\S\r\n]*\r?\n([\s\S]*?)```/gi;

/** The output as JSON, or else the first ```json fence in it that holds a JSON object or array. */
export function parseJsonOutput(output: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(output) };
  } catch {
    // Fall through to fences: models often wrap JSON in markdown despite instructions.
  }
  for (const match of output.matchAll(JSON_FENCE)) {
    const body = match[1]!.trim();
    if (!body.startsWith('{') && !body.startsWith('[')) continue;
    try {
      return { ok: true, value: JSON.parse(body) };
    } catch {
      continue;
    }
  }
  return { ok: false };
}

export function isJsonAssertion(a: AssertionOf<'is-json'>, output: string): AssertionResult {
  const parsed = parseJsonOutput(output);
  if (!parsed.ok) return failed(a, 'output is not JSON and has no ```json fence holding JSON');
  if (!a.schema) return passed(a);
  const validate = compileJsonSchema(a.schema);
  if (validate(parsed.value)) return passed(a);
  const first = validate.errors?.[0];
  if (!first) return failed(a, 'JSON does not match the schema');
  return failed(a, `JSON does not match the schema at ${schemaErrorPath(first)}: ${first.message ?? first.keyword}`);
}
