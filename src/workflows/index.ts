export { selfCheckWorkflow } from './self-check';
export { tuneWorkflow } from './tune';
export { evalRunWorkflow } from './eval-run';
export { evalBatchWaitWorkflow } from './eval-batch-wait';
export { rolloutWorkflow } from './rollout';
export { abTestWorkflow } from './ab-test';
export { dailyReviewWorkflow, weeklyTrendsWorkflow } from './calendar-review';
export { monthlyGoldenWorkflow, quarterlyAuditWorkflow } from './calendar-golden-audit';
export { optimizeWorkflow } from './optimize';
