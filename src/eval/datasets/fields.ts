import { z } from 'zod';
import { DATASET_LIMITS, type AssertionValidator, type DatasetCase } from './case';
import { RowError } from './errors';

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` cannot be a template variable, or undefined when it can. Same rule as library prompt variables. */
export function varNameProblem(name: string): string | undefined {
  // `__proto__` matches the pattern but would be swallowed by object assignment instead of stored.
  if (name === '__proto__') return 'is reserved';
  if (!VAR_NAME.test(name)) return 'is not a valid variable name (letters, digits and _, not starting with a digit)';
  return undefined;
}

function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

// Ids end up in reports, URLs and database keys: keep them short and printable.
const caseId = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .refine((s) => s.trim() === s, 'must not start or end with whitespace')
  .refine((s) => !hasControlChar(s), 'must not contain control characters');

// `;` separates tags in CSV, so a tag holding one could not be written in every format.
const tag = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((s) => !s.includes(';'), 'must not contain ";"')
  .refine((s) => s.trim() === s, 'must not start or end with whitespace');

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });

export const caseFieldsSchema = z.strictObject({
  id: caseId.optional(),
  input: z.string().optional(),
  vars: z.record(z.string(), scalar).optional(),
  expected: z.string().optional(),
  assertions: z.array(z.unknown(), { error: 'expected a list' }).optional(),
  tags: z.array(tag, { error: 'expected a list of strings' }).optional(),
  required: z.boolean({ error: 'expected true or false' }).optional(),
});
export type CaseFields = z.infer<typeof caseFieldsSchema>;

const FIELD_NAMES = Object.keys(caseFieldsSchema.shape).join(', ');

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; a case has ${FIELD_NAMES}`;
  }
  return `${path || 'case'}: ${issue.message}`;
}

/** Validates the fields of one case; the message carries the zod path, e.g. `vars.x: …`. */
export function parseFields(raw: unknown, at: string): CaseFields {
  const problem = preCheck(raw);
  if (problem) throw new RowError(`${at}: ${problem}`);
  const parsed = caseFieldsSchema.safeParse(raw);
  if (!parsed.success) throw new RowError(`${at}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  return parsed.data;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What zod cannot see: variable names it would silently drop, and strings over the size limit. */
function preCheck(raw: unknown): string | undefined {
  if (isRecord(raw) && isRecord(raw.vars)) {
    for (const name of Object.keys(raw.vars)) {
      const problem = varNameProblem(name);
      if (problem) return `vars.${name}: ${problem}`;
    }
  }
  return oversizedString(raw);
}

/** The first string anywhere in `value` over the field limit, as `path: …`. Iterative: rows may nest deeply. */
export function oversizedString(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = fieldSizeProblem(v);
      if (problem) return `${path || 'case'}: ${problem}`;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, path ? `${path}.${i}` : String(i)]));
    } else if (isRecord(v)) {
      for (const [k, item] of Object.entries(v)) stack.push([item, path ? `${path}.${k}` : k]);
    }
  }
  return undefined;
}

export function fieldSizeProblem(s: string): string | undefined {
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so short strings need no byte count.
  if (s.length * 3 <= DATASET_LIMITS.maxFieldBytes) return undefined;
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes <= DATASET_LIMITS.maxFieldBytes) return undefined;
  return `${bytes} bytes is over the ${DATASET_LIMITS.maxFieldBytes / 1024} KB limit for one field`;
}

/** Runs the injected validator; its error is a row problem, prefixed with `where` unless it already is. */
export function validateWith(validate: AssertionValidator, raw: unknown[], where: string): unknown[] {
  try {
    return validate(raw, where);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new RowError(message.startsWith(where) ? message : `${where}: ${message}`);
  }
}

/** The default validator: any list of assertions is accepted as is (the schema already checked it is a list). */
export const acceptAnyAssertions: AssertionValidator = (raw, where) => {
  if (!Array.isArray(raw)) throw new Error(`${where}: expected a list`);
  return raw as unknown[];
};

/**
 * The case as the eval sees it. `input` and `vars.input` are kept equal (either may be given) so the same
 * case written either way has the same content hash.
 */
export function finishCase(fields: CaseFields, assertions: unknown[], at: string, position: number): DatasetCase {
  const vars: DatasetCase['vars'] = { ...fields.vars };
  let input = fields.input;
  if (input !== undefined) {
    if (vars.input !== undefined && vars.input !== input) {
      throw new RowError(`${at}: input and vars.input differ; give only one of them`);
    }
    vars.input = input;
  } else if (typeof vars.input === 'string') {
    input = vars.input;
  }
  if (input === undefined && Object.keys(vars).length === 0) {
    throw new RowError(`${at}: the case has no input and no vars; give "input" or at least one variable`);
  }
  if (assertions.some((a) => (a as { type?: unknown } | null)?.type === 'trigger')) {
    if (input === undefined)
      throw new RowError(`${at}: a trigger case needs its query as "input" (what a user asks the agent)`);
    // A trigger case asks another question (which skill to load), so nothing else can be checked on its answer.
    if (assertions.length > 1)
      throw new RowError(
        `${at}: a trigger case holds one "trigger" assertion and nothing else; put other assertions in their own case`,
      );
    if (fields.expected !== undefined)
      throw new RowError(`${at}: a trigger case has no "expected" text; its "trigger" assertion's "should" says it`);
  }
  const c: DatasetCase = {
    id: fields.id ?? `case-${position}`,
    vars,
    assertions,
    tags: [...new Set(fields.tags ?? [])],
    required: fields.required ?? false,
  };
  if (input !== undefined) c.input = input;
  if (fields.expected !== undefined) c.expected = fields.expected;
  return c;
}
