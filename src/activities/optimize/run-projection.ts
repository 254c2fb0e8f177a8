import { roughTokens } from '../../eval/estimate';
import { noSkillContent, renderRequest } from '../../eval/render';
import type { EvalCase } from '../../eval/types';
import type { LibraryContent } from '../../library/content';
import { getContent } from '../../library/versions';
import type { Db } from '../../store/db';
import { datasetCases } from '../eval/dataset-cases';
import { judgeGraded } from '../eval/chunk';
import type { EvalModels } from '../../optimizer/activity-types';
import { projectRun } from '../../optimizer/projection';
import { splitDataset } from '../../optimizer/split';
import type { DatasetSplit, OptimizeInput, Projection } from '../../optimizer/types';
import type { ResolvedModel } from '../../tune/types';

const asText = (r: { system?: string; prompt: string }) => (r.system ? `${r.system}\n\n${r.prompt}` : r.prompt);

/** A run's projection from its content, cases and split: the requests it will send, priced. */
export function runProjection(
  content: LibraryContent,
  cases: readonly EvalCase[],
  split: DatasetSplit,
  input: OptimizeInput,
  models: EvalModels & { improver: ResolvedModel },
): Projection {
  const none = content.type === 'skill' ? noSkillContent(content) : undefined;
  return projectRun({
    cases: cases.map((c) => ({
      id: c.id,
      prompt: asText(renderRequest(content, c.vars)),
      judgeGraded: judgeGraded(c.assertions),
      noSkillPrompt: none ? asText(renderRequest(none, c.vars)) : undefined,
    })),
    split,
    settings: input.settings,
    models: {
      executor: models.executor.model,
      judge: models.judge.model,
      improver: models.improver.model,
      maxOutputTokens: models.maxOutputTokens,
    },
    reflectionTokens: input.settings.reflectionTokens,
    contentTokens: roughTokens(JSON.stringify(content)),
    skill: content.type === 'skill',
    validationShare: input.split.validationShare,
  });
}

/** The projection the CLI prints before it starts a run: read from the store, split as the run will split. */
export async function projectStoredRun(
  db: Db,
  input: OptimizeInput,
  models: EvalModels & { improver: ResolvedModel },
): Promise<Projection> {
  const content = await getContent(db, input.target.name, { version: input.target.version });
  const cases = await datasetCases(db, input.dataset.name, input.dataset.version);
  const split = splitDataset(
    cases.map((c) => ({ id: c.id, tags: c.tags })),
    input.split,
  );
  return runProjection(content, cases, split, input, models);
}
