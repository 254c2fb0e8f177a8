export { aggregate, type Aggregate } from './aggregate';
export { DEFAULT_SCRIPT_TIMEOUT_MS } from './javascript';
export { parseJsonOutput } from './json';
export {
  DEFAULT_RUBRIC_THRESHOLD,
  rubricResult,
  type RubricAssertion,
  type RubricJudge,
  type RubricJudgeRequest,
  type RubricVerdict,
} from './rubric';
export { runAssertion } from './run';
export { ASSERTION_TYPES, assertionSchema, type Assertion, type AssertionOf } from './schema';
export type { AssertionContext, AssertionResult, ScriptSource } from './types';
export { resolveScript, scriptsInFolder, type ResolvedScript } from './paths';
export { validateAssertions } from './validate';
