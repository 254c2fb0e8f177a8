import { ApplicationFailure } from '@temporalio/common';
import { contentHash, type LibraryContent } from '../../library/content';
import { getContent, getVersion } from '../../library/versions';
import type { PrepareOptimizeInput, PrepareOptimizeResult } from '../../optimizer/activity-types';
import { runProjection } from './run-projection';
import { splitDataset } from '../../optimizer/split';
import { putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getDataset } from '../../store/evals';
import { createOptimizeRun } from '../../store/optimize-runs';
import { datasetCases } from '../eval/dataset-cases';
import type { ModelCalls } from '../tune/model-calls';

const kindName = (t: string) => (t === 'skill' ? 'skill' : `${t} prompt`);
const refuse = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * prepareOptimizeRun: the original as a candidate blob, the dataset's split and the run's projection, and the run's
 * row, before anything is spent. Idempotent: the blob is content-addressed, the split and projection are pure, and
 * the row is written once. `_models` is unused: the models arrive resolved; the factory keeps the common shape.
 */
export function prepareOptimizeRunActivity(db: Db, _models?: ModelCalls) {
  return async function prepareOptimizeRun(p: PrepareOptimizeInput): Promise<PrepareOptimizeResult> {
    const { target, dataset } = p.input;
    if (!(await getVersion(db, target.name, { version: target.version })))
      throw refuse(
        'TargetNotFound',
        `${target.name}@${target.version} is not in the library: push it first (refinery push) or name a version that exists (refinery versions ${target.name})`,
      );
    const content: LibraryContent = await getContent(db, target.name, { version: target.version });
    if (content.type !== target.kind)
      throw refuse(
        'TargetKindMismatch',
        `${target.name}@${target.version} is a ${kindName(content.type)}, not a ${kindName(target.kind)}: start the run with its kind`,
      );
    if (!(await getDataset(db, dataset.name, dataset.version)))
      throw refuse(
        'DatasetNotFound',
        `dataset ${dataset.name}@${dataset.version} is not in the store: import it first (refinery dataset import) or name a version that exists`,
      );
    const cases = await datasetCases(db, dataset.name, dataset.version);
    if (!cases.length)
      throw refuse('EmptyDataset', `dataset ${dataset.name}@${dataset.version} has no cases to tune on`);

    const original = { hash: contentHash(content), ref: await putBlob(db, JSON.stringify(content)) };
    let split;
    try {
      split = splitDataset(
        cases.map((c) => ({ id: c.id, tags: c.tags })),
        p.input.split,
      );
    } catch (err) {
      throw ApplicationFailure.create({
        type: 'InvalidSplit',
        message: `cannot split dataset ${dataset.name}@${dataset.version}: ${(err as Error).message}`,
        nonRetryable: true,
        cause: err as Error,
      });
    }
    const settings = p.input.settings;
    const projection = runProjection(content, cases, split, p.input, p.models);
    await createOptimizeRun(db, {
      runId: p.runId,
      workflowId: p.workflowId,
      name: target.name,
      settings: { target, dataset, split: p.input.split, settings, models: p.models },
      startedBy: p.input.startedBy,
    });
    return { original, split, projection };
  };
}
