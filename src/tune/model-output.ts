import { z } from 'zod';
import { DIMENSIONS, type DimensionScores } from './types';

// Numbers, or numeric strings (some models quote them); null, booleans and arrays are not scores.
const score = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\s*\d+(\.\d+)?\s*$/)
      .transform(Number),
  ])
  .pipe(z.number().min(0).max(100));
const dimensionSchema = z.union([score, z.object({ score, notes: z.string().optional() })]);

export const judgeOutputSchema = z.object({
  dimensions: z.object(
    Object.fromEntries(DIMENSIONS.map((d) => [d, dimensionSchema])) as Record<
      (typeof DIMENSIONS)[number],
      typeof dimensionSchema
    >,
  ),
  strengths: z.array(z.string()).default([]),
  weaknesses: z
    .array(
      z.object({
        category: z.string().min(1),
        description: z.string().default(''),
        severity: z.enum(['low', 'medium', 'high']).optional(),
        skill: z.string().optional(),
      }),
    )
    .default([]),
  suggestions: z.array(z.string()).default([]),
  perSkill: z.array(z.object({ skill: z.string(), score })).optional(),
});
export type JudgeOutput = z.infer<typeof judgeOutputSchema>;

export const improverOutputSchema = z.object({
  rationale: z.string().min(1),
  edits: z
    .array(
      z.object({
        path: z.string(),
        action: z.enum(['replace', 'create', 'delete']),
        content: z.string().optional(),
      }),
    )
    .min(1),
});
export type ImproverOutput = z.infer<typeof improverOutputSchema>;

/** The first JSON object in text: models wrap JSON in fences or prose despite instructions. */
export function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const candidate = fenced ? fenced[1]! : text;
  const start = candidate.indexOf('{');
  const end = candidate.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('no JSON object in the output');
  return JSON.parse(candidate.slice(start, end + 1));
}

export function dimensionScores(out: JudgeOutput): DimensionScores {
  const pick = (v: number | { score: number }) => (typeof v === 'number' ? v : v.score);
  return Object.fromEntries(DIMENSIONS.map((d) => [d, pick(out.dimensions[d])])) as DimensionScores;
}

/** Kebab-case category, so "Missing Examples" and "missing-examples" count as one. */
export function normaliseCategory(c: string): string {
  const slug = c
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  return slug || 'uncategorised';
}

export type JudgeParse =
  | { ok: true; output: JudgeOutput }
  | { ok: false; heuristicScore?: number; dimensions?: Partial<DimensionScores>; problem: string };

/** Validates judge output with zod; when that fails, extracts what scores it can from the text. */
export function parseJudgeOutput(text: string): JudgeParse {
  let problem: string;
  try {
    const parsed = judgeOutputSchema.safeParse(extractJson(text));
    if (parsed.success) return { ok: true, output: parsed.data };
    problem = `judge JSON did not match the schema: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`;
  } catch (err) {
    problem = `judge output is not JSON: ${(err as Error).message}`;
  }
  return { ok: false, problem, ...heuristicScores(text) };
}

/** Scores found in free text: "clarity: 72", "Correctness = 80/100", "overall score 75". */
export function heuristicScores(text: string): { heuristicScore?: number; dimensions?: Partial<DimensionScores> } {
  const dims: Partial<DimensionScores> = {};
  for (const d of DIMENSIONS) {
    const m = new RegExp(
      `"?${d}"?\\s*[:=]?\\s*(?:\\{\\s*"?score"?\\s*[:=]\\s*)?(\\d{1,3}(?:\\.\\d+)?)(?!\\d|\\.\\d)`,
      'i',
    ).exec(text);
    if (m && Number(m[1]) <= 100) dims[d] = Number(m[1]);
  }
  const found = Object.values(dims);
  if (found.length > 0) return { heuristicScore: found.reduce((a, b) => a + b, 0) / found.length, dimensions: dims };
  const overall = /(?:overall|total|final)?\s*score\D{0,12}(\d{1,3}(?:\.\d+)?)(?!\d|\.\d)(?:\s*\/\s*100)?/i.exec(text);
  if (overall && Number(overall[1]) <= 100) return { heuristicScore: Number(overall[1]) };
  const outOf = /(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*\/\s*100/.exec(text);
  if (outOf && Number(outOf[1]) <= 100) return { heuristicScore: Number(outOf[1]) };
  return {};
}
