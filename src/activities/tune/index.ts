import type { Config } from '../../config';
import type { Db } from '../../store/db';
import { evaluateActivity, judgeFailureActivity } from './evaluate';
import { executeActivity } from './execute';
import { improveActivity } from './improve';
import { ModelCalls } from './model-calls';
import { recordActivities } from './tune-records';
import { resolveModelsActivity } from './resolve-models';
import { reportActivity } from './report';
import { outcomeDiffActivity } from './write-back';

/** The tune loop's activities: thin adapters over the store and the model providers. */
export function tuneActivities(
  db: Db,
  config: Pick<Config, 'provider' | 'anthropic' | 'gemini' | 'openai'>,
  publicUrl = 'http://127.0.0.1:8787',
) {
  const models = new ModelCalls(config, db);
  return {
    ...recordActivities(db),
    executeIteration: executeActivity(db, models),
    evaluateIteration: evaluateActivity(db, models),
    recordJudgeFailure: judgeFailureActivity(db),
    resolveTuneModels: resolveModelsActivity(models),
    improveSkill: improveActivity(db, models),
    diffTuneOutcome: outcomeDiffActivity(db),
    storeTuneReport: reportActivity(db, publicUrl),
  };
}
