import { z } from 'zod';
import { extractJson, heuristicScores } from '../tune/model-output';

export const RUBRIC_TAG = '[refinery:rubric]';
export const DEFAULT_RUBRIC =
  'Score the answer 0-100 on clarity, completeness, correctness, effectiveness and efficiency together: does it do what the input asks, fully and correctly, without padding?';

/**
 * The verdict's shape for providers that enforce one (OpenAI's strict json_schema: every property required, no
 * others; the 0-100 range stays in the instruction and in verdictSchema, which checks it).
 */
export const RUBRIC_VERDICT_JSON_SCHEMA = {
  name: 'rubric_verdict',
  schema: {
    type: 'object',
    properties: { score: { type: 'number', description: '0 to 100' }, reason: { type: 'string' } },
    required: ['score', 'reason'],
    additionalProperties: false,
  },
};

/** The rubric judge's request: the rubric, what was asked, what was expected, and the answer. */
export function rubricRequest(p: { rubric?: string; prompt: string; expected?: string; output: string }) {
  return {
    jsonSchema: RUBRIC_VERDICT_JSON_SCHEMA,
    system: `${RUBRIC_TAG} You grade an answer against a rubric. Answer with JSON only: {"score": 0-100, "reason": "one sentence"}.`,
    prompt: [
      `<rubric>\n${p.rubric ?? DEFAULT_RUBRIC}\n</rubric>`,
      `<request>\n${p.prompt}\n</request>`,
      p.expected !== undefined ? `<expected>\n${p.expected}\n</expected>` : '',
      `<answer>\n${p.output}\n</answer>`,
    ]
      .filter(Boolean)
      .join('\n\n'),
  };
}

const verdictSchema = z.object({ score: z.number().min(0).max(100), reason: z.string().default('') });

/** The judge's score and reason; free text falls back to a heuristic score, else undefined. */
export function parseRubricVerdict(text: string): { score: number; reason: string } | undefined {
  try {
    const parsed = verdictSchema.safeParse(extractJson(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: try the heuristic below
  }
  const h = heuristicScores(text).heuristicScore;
  return h === undefined ? undefined : { score: h, reason: 'score extracted from a non-JSON verdict' };
}
