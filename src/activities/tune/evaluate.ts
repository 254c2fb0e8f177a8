import { ApplicationFailure } from '@temporalio/common';
import { getBlob, getJson, putJson } from '../../store/blobs';
import type { Db } from '../../store/db';
import type { SkillFiles } from '../../skills/limits';
import { getSkillFiles } from '../../library/skill-versions';
import { getStepResult, putStepResult } from '../../store/tune-runs';
import type { EvaluateInput, EvaluateResult } from '../../tune/activity-types';
import { checkGolden, type GoldenResults } from '../../tune/golden';
import { dimensionScores, normaliseCategory, parseJudgeOutput } from '../../tune/model-output';
import { judgePrompt } from '../../tune/role-prompts';
import { combinedScore, judgeFailureScore, uniformDimensions, weightedScore } from '../../tune/scoring';
import { DIMENSIONS, type DimensionScores } from '../../tune/types';
import type { ModelCalls } from './model-calls';

/** The case the tune loop's judge grades: the scenario, with every skill's artifact on it. */
export const JUDGED_CASE = 'scenario';

const stepKeyOf = (input: { runId: string; iteration: number }) => `${input.runId}:${input.iteration}:evaluate`;

/** The golden assertions of the iteration, when it has golden cases; checking them never throws. */
async function goldenResults(db: Db, input: EvaluateInput): Promise<GoldenResults | undefined> {
  if (!input.goldenRef || !input.goldenOutputsRef) return undefined;
  return checkGolden(await getJson<unknown>(db, input.goldenRef), await getJson<string[]>(db, input.goldenOutputsRef));
}

function assertionSummary(a: GoldenResults | undefined): Pick<EvaluateResult, 'assertions' | 'assertionErrors'> {
  if (!a) return {};
  return {
    assertions: { passed: a.passed, total: a.total, ...(a.errors.length ? { errored: a.errors.length } : {}) },
    ...(a.errors.length ? { assertionErrors: a.errors.slice(0, 5) } : {}),
  };
}

/**
 * Asks the judge for the five-dimension evaluation (zod-validated), blends in golden assertions, and
 * keeps the full output in the store. Unparseable output falls back to a heuristic score with the raw
 * text kept; output with no score at all fails (retryably: another sample may do better). The judge is
 * shown the skill, its artifact, the scenario and the assertion results only: never an earlier score or
 * which iteration this is, so it grades each version on its own rather than against an anchor.
 */
export function evaluateActivity(db: Db, models: ModelCalls) {
  return async function evaluateIteration(input: EvaluateInput): Promise<EvaluateResult> {
    const stepKey = stepKeyOf(input);
    const done = await getStepResult<EvaluateResult>(db, stepKey);
    if (done) return done;

    const skills = [];
    for (const s of input.skills) {
      const files = await getSkillFiles(db, s.name, s.hash);
      const read = input.filesRead?.[s.name];
      skills.push({
        name: s.name,
        files: read ? filesTheExecutorSaw(files, read) : files,
        artifact: await getBlob(db, input.artifacts[s.name]!),
      });
    }
    const assertions = await goldenResults(db, input);
    const req = judgePrompt({
      skills,
      scenario: await getBlob(db, input.scenarioRef),
      goldenResults:
        assertions && `${assertions.passed}/${assertions.total} assertions passed. ${assertions.failures.join('; ')}`,
    });
    const reply = await models.call(
      'judge',
      input.judge,
      { ...req, maxTokens: 4096, json: true },
      {
        runId: input.runId,
        step: `${input.iteration}:evaluate`,
      },
      Object.assign({}, ...skills.map((s) => s.files)) as Record<string, string>,
    );
    const parsed = parseJudgeOutput(reply.text);
    const names = input.skills.map((s) => s.name);

    let dimensions: DimensionScores;
    let perSkill: { skill: string; score: number }[];
    let weaknessBySkill: Record<string, string[]>;
    let parseWarning: string | undefined;
    let evaluationRef: string;
    if (parsed.ok) {
      dimensions = dimensionScores(parsed.output);
      const judged = weightedScore(dimensions);
      perSkill = names.map((n) => ({
        skill: n,
        score: parsed.output.perSkill?.find((p) => p.skill === n)?.score ?? judged,
      }));
      weaknessBySkill = Object.fromEntries(names.map((n) => [n, [] as string[]]));
      for (const w of parsed.output.weaknesses) {
        const owner = w.skill && names.includes(w.skill) ? w.skill : names[names.length - 1]!;
        weaknessBySkill[owner]!.push(normaliseCategory(w.category));
      }
      evaluationRef = await putJson(db, { judge: parsed.output, assertions });
    } else {
      if (parsed.heuristicScore === undefined) {
        throw ApplicationFailure.create({
          type: 'JudgeOutputUnusable',
          message: `the judge's output had no usable score (${parsed.problem}); retrying for another sample`,
        });
      }
      const h = parsed.heuristicScore;
      dimensions = Object.fromEntries(DIMENSIONS.map((d) => [d, parsed.dimensions?.[d] ?? h])) as DimensionScores;
      perSkill = names.map((n) => ({ skill: n, score: h }));
      weaknessBySkill = Object.fromEntries(names.map((n) => [n, [] as string[]]));
      const rawRef = await putJson(db, { raw: reply.text, problem: parsed.problem });
      parseWarning = `judge output was not valid JSON (${parsed.problem}); score ${Math.round(h)} extracted heuristically, raw output kept as blob ${rawRef.slice(0, 12)}`;
      evaluationRef = await putJson(db, { raw: reply.text, rawRef, problem: parsed.problem, assertions });
    }
    const score = combinedScore(
      weightedScore(dimensions),
      assertions && { passed: assertions.passed, total: assertions.total },
    );
    const result: EvaluateResult = {
      score,
      dimensions,
      perSkill,
      weaknessBySkill,
      evaluationRef,
      ...assertionSummary(assertions),
      parseWarning,
      tokens: reply.inputTokens + reply.outputTokens,
      costUsd: reply.costUsd,
    };
    await putStepResult(db, stepKey, result);
    return result;
  };
}

/** SKILL.md and the files an agent run read: what the executor saw, and so what the judge grades. */
function filesTheExecutorSaw(files: SkillFiles, read: readonly string[]): SkillFiles {
  const seen: SkillFiles = {};
  for (const p of ['SKILL.md', ...read]) if (files[p] !== undefined) seen[p] = files[p];
  return seen;
}

/**
 * Scores an iteration whose judge failed for good (after its retries) instead of failing the run: the judged
 * case scores 0 and the failure is kept with it; the golden assertions, which need no judge, still count.
 * Stored under the evaluate step's key, so an evaluation that did complete before its report was lost wins.
 */
export function judgeFailureActivity(db: Db) {
  return async function recordJudgeFailure(input: EvaluateInput & { reason: string }): Promise<EvaluateResult> {
    const stepKey = stepKeyOf(input);
    const done = await getStepResult<EvaluateResult>(db, stepKey);
    if (done) return done;
    const assertions = await goldenResults(db, input);
    const judgeFailure = { case: JUDGED_CASE, reason: input.reason };
    const names = input.skills.map((s) => s.name);
    const result: EvaluateResult = {
      score: judgeFailureScore(assertions && { passed: assertions.passed, total: assertions.total }),
      dimensions: uniformDimensions(0),
      perSkill: names.map((skill) => ({ skill, score: 0 })),
      weaknessBySkill: Object.fromEntries(names.map((n) => [n, [] as string[]])),
      evaluationRef: await putJson(db, { judgeFailure, assertions }),
      ...assertionSummary(assertions),
      judgeFailure,
      tokens: 0,
      costUsd: 0,
    };
    await putStepResult(db, stepKey, result);
    return result;
  };
}
