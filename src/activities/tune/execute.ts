import { Context } from '@temporalio/activity';
import { getBlob, getJson, putBlob, putJson } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getSkillFiles } from '../../store/skill-versions';
import { getStepResult, putStepResult } from '../../store/tune-runs';
import type { ExecuteInput, ExecuteResult } from '../../tune/activity-types';
import type { GoldenCase } from '../../tune/golden';
import { executorPrompt } from '../../tune/prompts';
import type { ModelCalls } from './model-calls';

/** Runs the skill (or the chain, each skill fed the artifacts before it) on the scenario and the golden inputs. */
export function executeActivity(db: Db, models: ModelCalls) {
  return async function executeIteration(input: ExecuteInput): Promise<ExecuteResult> {
    const stepKey = `${input.runId}:${input.iteration}:execute`;
    const done = await getStepResult<ExecuteResult>(db, stepKey);
    if (done) return done;

    let tokens = 0;
    let costUsd = 0;
    const runChain = async (scenario: string, step: string) => {
      const artifacts: { skill: string; artifact: string }[] = [];
      for (const skill of input.skills) {
        const files = await getSkillFiles(db, skill.name, skill.hash);
        const upstream = input.chain ? artifacts.slice() : [];
        const req = executorPrompt({ skill: skill.name, files, scenario, upstream });
        const result = await models.call(
          'executor',
          input.executor,
          { ...req, maxTokens: 4096 },
          {
            runId: input.runId,
            step: `${input.iteration}:${step}:${skill.name}`,
          },
        );
        tokens += result.inputTokens + result.outputTokens;
        costUsd += result.costUsd;
        artifacts.push({ skill: skill.name, artifact: result.text });
        Context.current().heartbeat({ executed: skill.name, step });
      }
      return artifacts;
    };

    const scenario = await getBlob(db, input.scenarioRef);
    const main = await runChain(scenario, 'scenario');
    const artifacts: Record<string, string> = {};
    for (const a of main) artifacts[a.skill] = await putBlob(db, a.artifact);

    let goldenOutputsRef: string | undefined;
    if (input.goldenRef) {
      const cases = await getJson<GoldenCase[]>(db, input.goldenRef);
      const outputs: string[] = [];
      for (const [i, c] of cases.entries()) {
        const out = await runChain(c.input, `golden-${i + 1}`);
        outputs.push(out[out.length - 1]!.artifact);
      }
      goldenOutputsRef = await putJson(db, outputs);
    }
    const result: ExecuteResult = { artifacts, goldenOutputsRef, tokens, costUsd };
    await putStepResult(db, stepKey, result);
    return result;
  };
}
