import { z } from 'zod';

/**
 * Golden cases for a tune run (JSONL, one case a line). Deterministic assertions count towards the
 * iteration's score; `expected`, when given, must appear in the output (a `contains` assertion).
 */
const assertionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['equals', 'contains', 'icontains', 'not-contains', 'starts-with']), value: z.string() }),
  z.object({ type: z.literal('regex'), value: z.string(), flags: z.string().optional() }),
  z.object({ type: z.enum(['min-length', 'max-length']), value: z.number().int().nonnegative() }),
]);
export type GoldenAssertion = z.infer<typeof assertionSchema>;

export const goldenCaseSchema = z.object({
  input: z.string().min(1),
  expected: z.string().optional(),
  assertions: z.array(assertionSchema).default([]),
});
export type GoldenCase = z.infer<typeof goldenCaseSchema>;

/** Parses JSONL; every bad line is reported with its number, and nothing is accepted unless all are good. */
export function parseGoldenJsonl(text: string, source = 'golden cases'): GoldenCase[] {
  const cases: GoldenCase[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      problems.push(`${source}:${i + 1}: not valid JSON`);
      return;
    }
    const parsed = goldenCaseSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      problems.push(`${source}:${i + 1}: ${issue.path.join('.') || 'case'}: ${issue.message}`);
      return;
    }
    if (
      parsed.data.assertions.some((a) => a.type === 'regex' && !validRegex(a.value, (a as { flags?: string }).flags))
    ) {
      problems.push(`${source}:${i + 1}: assertions: invalid regular expression`);
      return;
    }
    cases.push(parsed.data);
  });
  if (problems.length)
    throw new Error(
      `${problems.join('; ')}. Each line must be {"input": "...", "expected"?: "...", "assertions"?: [...]}`,
    );
  if (cases.length === 0) throw new Error(`${source} has no cases: add at least one JSON line`);
  return cases;
}

function validRegex(source: string, flags?: string): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    return false;
  }
}

export function checkAssertion(output: string, a: GoldenAssertion): boolean {
  switch (a.type) {
    case 'equals':
      return output.trim() === a.value.trim();
    case 'contains':
      return output.includes(a.value);
    case 'icontains':
      return output.toLowerCase().includes(a.value.toLowerCase());
    case 'not-contains':
      return !output.includes(a.value);
    case 'starts-with':
      return output.trimStart().startsWith(a.value);
    case 'regex':
      return new RegExp(a.value, a.flags).test(output);
    case 'min-length':
      return output.length >= a.value;
    case 'max-length':
      return output.length <= a.value;
  }
}

export function caseAssertions(c: GoldenCase): GoldenAssertion[] {
  return c.expected !== undefined ? [{ type: 'contains', value: c.expected }, ...c.assertions] : c.assertions;
}

export interface GoldenResults {
  passed: number;
  total: number;
  failures: string[];
  /** Assertions that could not be checked (a case of the wrong shape, an assertion that threw): counted as failed. */
  errors: string[];
}

/**
 * Results of every assertion of every case against the outputs (in case order). It never throws: a case or
 * an assertion that cannot be checked counts as one failed assertion and is named in `errors`, so a bad
 * golden case costs its own score and never the run.
 */
export function checkGolden(cases: unknown, outputs: string[]): GoldenResults {
  const r: GoldenResults = { passed: 0, total: 0, failures: [], errors: [] };
  const list: unknown[] = Array.isArray(cases) ? cases : [cases];
  list.forEach((raw, i) => {
    const parsed = goldenCaseSchema.safeParse(raw);
    if (!parsed.success) {
      r.total++;
      const issue = parsed.error.issues[0];
      const problem = `case ${i + 1}: not a golden case (${issue?.path.join('.') || 'case'}: ${issue?.message})`;
      r.failures.push(problem);
      r.errors.push(problem);
      return;
    }
    for (const a of caseAssertions(parsed.data)) {
      r.total++;
      let ok: boolean;
      try {
        ok = checkAssertion(outputs[i] ?? '', a);
      } catch (err) {
        const problem = `case ${i + 1}: ${a.type} ${JSON.stringify(a.value)} could not be checked (${(err as Error).message.slice(0, 200)})`;
        r.failures.push(problem);
        r.errors.push(problem);
        continue;
      }
      if (ok) r.passed++;
      else r.failures.push(`case ${i + 1}: ${a.type} ${JSON.stringify(a.value)}`);
    }
  });
  return r;
}
