export { selfCheckWorkflow } from './self-check';
export { tuneWorkflow } from './tune';
