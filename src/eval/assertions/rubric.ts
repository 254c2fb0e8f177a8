import type { AssertionOf } from './schema';
import { failed, passed } from './result';
import type { AssertionResult } from './types';

export const DEFAULT_RUBRIC_THRESHOLD = 70;

export type RubricAssertion = AssertionOf<'rubric'>;

/** What the model-graded judge is asked (the judge itself lives outside this module: it calls an LLM). */
export interface RubricJudgeRequest {
  /** Custom rubric text; undefined means the five standard dimensions. */
  rubric?: string;
  output: string;
  vars: Record<string, unknown>;
  expected?: string;
}

export interface RubricVerdict {
  /** 0-100 */
  score: number;
  reason: string;
}

export type RubricJudge = (request: RubricJudgeRequest) => Promise<RubricVerdict>;

/** Turns a judge's 0-100 score into a result: pass at or above the threshold. */
export function rubricResult(a: RubricAssertion, judgeScore: number, reason: string): AssertionResult {
  // A judge reply without a usable number must not count as any score, least of all a passing one.
  if (!Number.isFinite(judgeScore))
    return failed(a, reason ? `judge gave no valid score: ${reason}` : 'judge gave no valid score');
  const score = Math.min(100, Math.max(0, judgeScore));
  const threshold = a.threshold ?? DEFAULT_RUBRIC_THRESHOLD;
  if (score >= threshold) return passed(a, score / 100, reason);
  const why = `judge scored ${score}, below the threshold ${threshold}`;
  return failed(a, reason ? `${why}: ${reason}` : why, score / 100);
}
