import type { ModelChoice, RunModels } from '../../tune/types';
import type { ModelCalls } from './model-calls';

/** Resolves a run's models on a worker (only workers know which keys they hold); no call, no write. */
export function resolveModelsActivity(models: ModelCalls) {
  return function resolveTuneModels(input: {
    executor: ModelChoice;
    judge: ModelChoice;
    improver: ModelChoice;
  }): Promise<RunModels> {
    return Promise.resolve(models.resolveRun(input));
  };
}
