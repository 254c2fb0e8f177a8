import { ApplicationFailure } from '@temporalio/common';
import { getJson } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getSkillContent, recordSkillVersion } from '../../library/skill-versions';
import { withTextFiles } from '../../skills/binary-files';
import { getStepResult, putStepResult } from '../../store/tune-runs';
import type { ImproveInput, ImproveResult } from '../../tune/activity-types';
import { changedPaths } from '../../skills/files';
import { applyEdits, EditRejected } from '../../tune/edits';
import { extractJson, improverOutputSchema, type JudgeOutput } from '../../tune/model-output';
import { improverPrompt } from '../../tune/role-prompts';
import type { ModelCalls } from './model-calls';

/**
 * Asks the improver for structured edits, checks them and records the result as a new version whose
 * parent is the iteration's snapshot. Bad edits fail non-retryably: the workflow then rolls back.
 */
export function improveActivity(db: Db, models: ModelCalls) {
  return async function improveSkill(input: ImproveInput): Promise<ImproveResult> {
    const stepKey = `${input.runId}:${input.iteration}:improve`;
    const done = await getStepResult<ImproveResult>(db, stepKey);
    if (done) return done;

    const parent = await getSkillContent(db, input.skill.name, input.skill.hash);
    const files = parent.files;
    const evaluation = await getJson<{ judge?: JudgeOutput; raw?: string; assertions?: { failures: string[] } }>(
      db,
      input.evaluationRef,
    );
    const weaknesses = evaluation.judge
      ? evaluation.judge.weaknesses
          .filter((w) => !w.skill || w.skill === input.skill.name)
          .map((w) => `- [${w.category}] ${w.description}`)
          .join('\n')
      : `The judge's evaluation (unstructured):\n${(evaluation.raw ?? '').slice(0, 8000)}`;
    const failures = evaluation.assertions?.failures ?? [];
    const req = improverPrompt({
      skill: input.skill.name,
      files,
      weaknesses: [weaknesses, ...failures.map((f) => `- [golden-assertion] ${f}`)].join('\n'),
      suggestions: evaluation.judge?.suggestions ?? [],
    });
    const reply = await models.call(
      'improver',
      input.improver,
      { ...req, maxTokens: 8192, json: true },
      {
        runId: input.runId,
        step: `${input.iteration}:improve`,
      },
      files,
    );

    let output;
    try {
      output = improverOutputSchema.parse(extractJson(reply.text));
    } catch (err) {
      throw ApplicationFailure.create({
        type: 'ImprovementRejected',
        message: `the improver's answer was not the expected edit list: ${(err as Error).message.slice(0, 300)}`,
        nonRetryable: true,
      });
    }
    let next;
    try {
      next = applyEdits(files, output.edits, parent.binaries);
    } catch (err) {
      if (err instanceof EditRejected) {
        throw ApplicationFailure.create({ type: 'ImprovementRejected', message: err.message, nonRetryable: true });
      }
      throw err;
    }
    // Binary files and executable bits travel from the parent: the improver edits text only.
    const version = await recordSkillVersion(db, input.skill.name, withTextFiles(parent, next), {
      parentHash: input.skill.hash,
      rationale: output.rationale.slice(0, 2000),
      author: `improver:${input.improver.provider}:${input.improver.model}`,
    });
    const changedFiles = changedPaths(files, next);
    const result: ImproveResult = {
      newHash: version.hash,
      versionNo: version.versionNo,
      rationale: output.rationale.slice(0, 500),
      changedFiles,
      tokens: reply.inputTokens + reply.outputTokens,
      costUsd: reply.costUsd,
    };
    await putStepResult(db, stepKey, result);
    return result;
  };
}
