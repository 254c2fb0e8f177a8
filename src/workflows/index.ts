export { selfCheckWorkflow } from './self-check';
export { tuneWorkflow } from './tune';
export { evalRunWorkflow } from './eval-run';
export { rolloutWorkflow } from './rollout';
export { abTestWorkflow } from './ab-test';
