import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { getBlob, getJson, putBlob, putJson } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getSkillFiles } from '../../library/skill-versions';
import { getStepResult, putStepResult } from '../../store/tune-runs';
import {
  AgentCapError,
  DEFAULT_AGENT_CAPS,
  DEFAULT_SKILL_EXECUTION,
  filesRead,
  runSkillAgent,
} from '../../skills/agent-run';
import type { SkillFiles } from '../../skills/limits';
import { recordAgentToolCalls } from '../../skills/tool-call-store';
import type { ExecuteInput, ExecuteResult } from '../../tune/activity-types';
import type { GoldenCase } from '../../tune/golden';
import { EXECUTOR_SYSTEM, executorPrompt, executorTask } from '../../tune/role-prompts';
import type { ModelCalls } from './model-calls';

type Spent = { text: string; tokens: number; costUsd: number; read?: string[] };

/** Runs the skill (or the chain, each skill fed the artifacts before it) on the scenario and the golden inputs. */
export function executeActivity(db: Db, models: ModelCalls) {
  /** One skill as an agent: SKILL.md given, the other files read on demand; every tool call recorded. */
  const runAgent = async (
    input: ExecuteInput,
    skill: { name: string; hash: string },
    files: SkillFiles,
    task: string,
    key: { runId: string; step: string },
  ): Promise<Spent> => {
    let turnNo = 0;
    let inPrompt: SkillFiles = {};
    try {
      const run = await runSkillAgent({
        skill: { name: skill.name, files },
        system: EXECUTOR_SYSTEM,
        task,
        maxOutputTokens: 4096,
        caps: DEFAULT_AGENT_CAPS,
        beforeTurn: (_req, seen) => {
          inPrompt = seen;
        },
        turn: (req) =>
          models.turn('executor', input.executor, req, { ...key, step: `${key.step}:turn-${++turnNo}` }, inPrompt),
      });
      await recordAgentToolCalls(
        db,
        { runKey: `${key.runId}:${key.step}`, skill: skill.name, skillHash: skill.hash },
        run.calls,
      );
      return {
        text: run.text,
        tokens: run.inputTokens + run.outputTokens,
        costUsd: run.costUsd,
        read: filesRead(run.calls),
      };
    } catch (err) {
      if (!(err instanceof AgentCapError)) throw err;
      // The calls made before the cap are usage too: record them, then fail for good (a retry would hit it again).
      await recordAgentToolCalls(
        db,
        { runKey: `${key.runId}:${key.step}`, skill: skill.name, skillHash: skill.hash },
        err.calls,
      );
      throw ApplicationFailure.create({ type: 'AgentCapReached', message: err.message, nonRetryable: true });
    }
  };

  return async function executeIteration(input: ExecuteInput): Promise<ExecuteResult> {
    const stepKey = `${input.runId}:${input.iteration}:execute`;
    const done = await getStepResult<ExecuteResult>(db, stepKey);
    if (done) return done;
    const execution = input.execution ?? DEFAULT_SKILL_EXECUTION;

    let tokens = 0;
    let costUsd = 0;
    const filesReadBySkill: Record<string, string[]> = {};
    const runChain = async (scenario: string, step: string) => {
      const artifacts: { skill: string; artifact: string }[] = [];
      for (const skill of input.skills) {
        const files = await getSkillFiles(db, skill.name, skill.hash);
        const upstream = input.chain ? artifacts.slice() : [];
        const key = { runId: input.runId, step: `${input.iteration}:${step}:${skill.name}` };
        let spent: Spent;
        if (execution === 'agent')
          spent = await runAgent(input, skill, files, executorTask({ scenario, upstream }), key);
        else {
          const req = executorPrompt({ skill: skill.name, files, scenario, upstream });
          const r = await models.call('executor', input.executor, { ...req, maxTokens: 4096 }, key, files);
          spent = { text: r.text, tokens: r.inputTokens + r.outputTokens, costUsd: r.costUsd };
        }
        tokens += spent.tokens;
        costUsd += spent.costUsd;
        if (step === 'scenario' && spent.read) filesReadBySkill[skill.name] = spent.read;
        artifacts.push({ skill: skill.name, artifact: spent.text });
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
    const result: ExecuteResult = {
      artifacts,
      goldenOutputsRef,
      tokens,
      costUsd,
      ...(execution === 'agent' ? { filesRead: filesReadBySkill } : {}),
    };
    await putStepResult(db, stepKey, result);
    return result;
  };
}
