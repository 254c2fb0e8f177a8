export {
  DATASET_LIMITS,
  type AssertionValidator,
  type DatasetCase,
  type DatasetFormat,
  type ParseDatasetOptions,
} from './case';
export { DatasetError } from './errors';
export { canonicalJson, datasetHash } from './dataset-hash';
export { formatFromPath, parseDataset } from './parse';
