import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_TYPES } from '../../src/shared';
import { temporalTestServerPath } from '../../src/temporal/binaries';

// temporal.api.enums.v1.IndexedValueType values.
const INDEXED_VALUE_TYPE = { Keyword: 2, Int: 3 } as const;

/** The time-skipping test server, with Refinery's search attributes registered (the dev server has them at start). */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]]),
    ),
  });
  return env;
}
