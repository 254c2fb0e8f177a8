import { z } from 'zod';
import { jsonSchemaProblem } from './json-schema';
import { scriptPathProblem } from './paths';
import { regexProblem } from './regex-problem';

const weight = z.number().nonnegative().optional();
// Empty needles make contains-style checks vacuous (always pass or always fail): almost surely a dataset typo.
const needle = z.string().min(1, 'must not be empty');

const equals = z.strictObject({ type: z.literal('equals'), value: z.string(), weight });

const textMatch = z.strictObject({
  type: z.enum(['contains', 'icontains', 'not-contains', 'starts-with']),
  value: needle,
  weight,
});

const textSet = z.strictObject({
  type: z.enum(['contains-any', 'contains-all']),
  value: z.array(needle).min(1, 'must list at least one string'),
  weight,
});

const regex = z
  .strictObject({ type: z.literal('regex'), value: needle, flags: z.string().optional(), weight })
  .superRefine((a, ctx) => {
    const problem = regexProblem(a.value, a.flags);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });

const isJson = z
  .strictObject({ type: z.literal('is-json'), schema: z.record(z.string(), z.unknown()).optional(), weight })
  .superRefine((a, ctx) => {
    const problem = a.schema && jsonSchemaProblem(a.schema);
    if (problem) ctx.addIssue({ code: 'custom', path: ['schema'], message: problem });
  });

const length = z.strictObject({
  type: z.enum(['min-length', 'max-length']),
  value: z.number().int().nonnegative(),
  weight,
});

const maxTokens = z.strictObject({ type: z.literal('max-tokens'), value: z.number().int().nonnegative(), weight });

const maxLatency = z.strictObject({ type: z.literal('max-latency'), value: z.number().nonnegative(), weight });

const rubric = z.strictObject({
  type: z.literal('rubric'),
  /** Custom rubric text; without it the judge grades the five standard dimensions. */
  rubric: needle.optional(),
  /** 0-100; default 70. */
  threshold: z.number().min(0).max(100).optional(),
  weight,
});

const javascript = z.strictObject({
  type: z.literal('javascript'),
  file: z.string().superRefine((file, ctx) => {
    const problem = scriptPathProblem(file);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  // Capped so a typo (an extra zero or two) cannot stall a whole evaluation run.
  timeoutMs: z.number().int().positive().max(60_000).optional(),
  /**
   * Blob hash of the script's source, set when the dataset version is created (whatever the file said): the
   * workers run this copy, never a file, and the dataset's hash changes with the script.
   */
  sourceRef: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  weight,
});

// A trigger case: the case's `input` is a user's query, and the model under test is shown the skill's name and
// description among others and says which it would load. `should` is whether it should load this one.
const trigger = z.strictObject({
  type: z.literal('trigger'),
  should: z.boolean({
    error: 'must be true (the skill should be loaded for this query) or false (it should not be)',
  }),
  /** The other skills shown beside the candidate; absent: the library's other skills. */
  distractors: z
    .array(z.strictObject({ name: needle, description: needle }), {
      error: 'must be a list of {"name": …, "description": …} skills shown beside the candidate',
    })
    .max(50, 'at most 50 distractors: an agent is rarely shown more skills at once')
    .optional(),
  weight,
});

const variants = [
  equals,
  textMatch,
  textSet,
  regex,
  isJson,
  length,
  maxTokens,
  maxLatency,
  rubric,
  javascript,
  trigger,
] as const;

// Read off the variants so the list in error messages cannot drift from the schema.
export const ASSERTION_TYPES: readonly string[] = variants.flatMap((v) => [...v.shape.type._zod.values].map(String));

function unknownType(input: unknown): string {
  const type = (input as { type?: unknown } | null | undefined)?.type;
  return `unknown assertion type ${JSON.stringify(type)}; expected one of: ${ASSERTION_TYPES.join(', ')}`;
}

/** One assertion as it appears in a dataset case (JSON or YAML). Unknown keys are errors, so typos surface. */
export const assertionSchema = z.discriminatedUnion('type', [...variants], {
  error: (issue): string | undefined => (issue.code === 'invalid_union' ? unknownType(issue.input) : undefined),
});

export type Assertion = z.infer<typeof assertionSchema>;
export type AssertionOf<T extends Assertion['type']> = Extract<Assertion, { type: T }>;
