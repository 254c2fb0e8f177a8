import { z } from 'zod';
import { assertionSchema, type Assertion } from './schema';

const assertionList = z.array(assertionSchema);

/** A zod issue path as a JSONPath, e.g. `$[2].value`: readable and unambiguous next to a file:line prefix. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    return /^[A-Za-z_$][\w$]*$/.test(name) ? `${out}.${name}` : `${out}[${JSON.stringify(name)}]`;
  }, '$');
}

/**
 * Parses a case's assertion list. Throws `${where}: ${path}: ${message}` for the first problem, with regexes,
 * JSON Schemas and script paths checked here so a bad dataset fails at import rather than mid-run.
 */
export function validateAssertions(raw: unknown, where: string): Assertion[] {
  const parsed = assertionList.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`${where}: ${formatIssuePath(issue.path)}: ${issue.message}`);
}
