/** What global setup hands to every test file. Jest workers are forked after global setup, so they
 * inherit this environment variable. */
export interface SharedTestEnv {
  temporalAddress: string;
  workflowBundlePath: string;
  tmpDir: string;
  /** A PostgreSQL server (scripts/postgres.sh or REFINERY_TEST_POSTGRES_URL) whose role may create databases. */
  postgresUrl: string;
}

export const SHARED_ENV_VAR = 'REFINERY_TEST_SHARED_ENV';

export function sharedTestEnv(): SharedTestEnv {
  const raw = process.env[SHARED_ENV_VAR];
  if (!raw) throw new Error(`${SHARED_ENV_VAR} is not set: run the tests through jest (global setup starts Temporal)`);
  return JSON.parse(raw) as SharedTestEnv;
}
