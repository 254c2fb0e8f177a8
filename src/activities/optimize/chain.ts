import { Context } from '@temporalio/activity';
import { renderRequest } from '../../eval/render';
import { promptContentSchema } from '../../library/content';
import type { ChainStepInput, ChainStepResult } from '../../optimizer/chain-types';
import { getBlob, getJson, putJson } from '../../store/blobs';
import type { Db } from '../../store/db';
import { addDatasetVersion } from '../../store/evals';
import { getStepResult, putStepResult } from '../../store/tune-runs';
import { chainStepCases, folderDatasetName, type UpstreamArtifact } from '../../tune/folder-dataset';
import { datasetCases } from '../eval/dataset-cases';
import type { ModelCalls } from '../tune/model-calls';

/** Output tokens of one artifact: a chain step's deliverable, as the tune loop allowed it. */
const ARTIFACT_TOKENS = 4096;

/**
 * Makes one chain step's dataset: the step before runs its chosen candidate on each of its cases (inline, one
 * executor call per case, each stored once so a retry pays nothing again), and its answers join the artifacts this
 * skill's cases carry in their input. The first step only takes the folder's cases (graded by the judge unless it
 * is also the last).
 */
export function prepareChainStepActivity(db: Db, models: ModelCalls) {
  return async function prepareChainStep(input: ChainStepInput): Promise<ChainStepResult> {
    const base = await datasetCases(db, input.base.name, input.base.version);
    let upstream: Record<string, UpstreamArtifact[]> = {};
    let upstreamRef: string | undefined;
    if (input.previous) {
      const prev = input.previous;
      if (prev.upstreamRef) upstream = await getJson<Record<string, UpstreamArtifact[]>>(db, prev.upstreamRef);
      const content = promptContentSchema.parse(JSON.parse(await getBlob(db, prev.chosen.ref)));
      const cases = await datasetCases(db, prev.dataset.name, prev.dataset.version);
      const next: Record<string, UpstreamArtifact[]> = {};
      for (const c of cases) {
        const key = `${input.runId}:chain-${input.step}:${c.id}`;
        let artifact = await getStepResult<string>(db, key);
        if (artifact === undefined) {
          const req = renderRequest(content, c.vars);
          const r = await models.call(
            'executor',
            input.executor,
            { ...req, maxTokens: ARTIFACT_TOKENS },
            { runId: input.runId, step: `chain-${input.step}:${c.id}` },
          );
          artifact = r.text;
          await putStepResult(db, key, artifact);
        }
        next[c.id] = [...(upstream[c.id] ?? []), { skill: prev.skill, artifact }];
        Context.current().heartbeat({ chainStep: input.step, case: c.id });
      }
      upstream = next;
      upstreamRef = await putJson(db, upstream);
    }
    const d = await addDatasetVersion(db, {
      name: folderDatasetName(input.skill),
      cases: chainStepCases(base, upstream, input.last),
      target: input.skill,
      source: `chain ${input.runId}, step ${input.step + 1}`,
      author: input.startedBy,
    });
    return { dataset: { name: d.name, version: d.version }, ...(upstreamRef ? { upstreamRef } : {}) };
  };
}
