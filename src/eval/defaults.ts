import type { EvalSettings } from './types';

/** Eval settings unless flags say otherwise (pure: workflows use them for the staging gate). */
export const DEFAULT_EVAL_SETTINGS: EvalSettings = {
  provider: 'auto',
  model: 'default',
  judgeProvider: 'auto',
  judgeModel: 'default',
  // promptfoo's default is 4; model APIs take far more, and the limiter backs off on 429.
  concurrency: 8,
  repeat: 1,
  noCache: false,
  maxOutputTokens: 1024,
  chunkSize: 100,
  parallelChunks: 4,
  passRateThreshold: 0.8,
};
