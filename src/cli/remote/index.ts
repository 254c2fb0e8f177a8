import type { Config } from '../../config';
import type { Remote } from './api-client';
import { remoteDiff, remoteLabel, remoteLabels, remoteLog, remotePull, remotePush, remoteRollback } from './library';
import { remoteDecide, remoteRollout } from './workflows';

/**
 * The commands that go through the HTTP API in remote mode (REFINERY_API_URL + REFINERY_API_TOKEN), so
 * the token's subject is the actor; every other command works as in local mode.
 */
const REMOTE: Record<string, (remote: Remote, argv: string[], config: Config) => Promise<number>> = {
  push: remotePush,
  pull: remotePull,
  log: remoteLog,
  diff: remoteDiff,
  labels: remoteLabels,
  label: remoteLabel,
  rollback: remoteRollback,
  rollout: remoteRollout,
  decide: remoteDecide,
};

/** The remote implementation of a command when the CLI is in remote mode; undefined otherwise. */
export function remoteCommand(config: Config, name: string): ((argv: string[]) => Promise<number>) | undefined {
  const run = config.remote ? REMOTE[name] : undefined;
  return run && ((argv) => run(config.remote!, argv, config));
}
