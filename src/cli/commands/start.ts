import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { connectClient } from '../../client';
import type { Config } from '../../config';
import type { SelfCheckStatus } from '../../shared';
import { EXIT } from '../exit-codes';
import { startStack, untilInterrupted, workflowUiLink } from '../stack';

export const startHelp = `refinery start [--exit]
  The main job on the embedded default: brings up (or reuses) the Temporal dev server and a worker,
  runs the example workflow end to end and prints the Web UI address. Stays up for the Web UI until
  Ctrl-C when run in a terminal; exits when done with --exit, when CI is set, or without a TTY.`;

/** `refinery start`: the embedded stack and the main job, end to end. */
export async function startCommand(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { exit: { type: 'boolean', default: false } } });
  const stayUp = !values.exit && !process.env.CI && process.stdout.isTTY;

  const interrupted = untilInterrupted();
  const stack = await startStack(config, { reuseServer: true });
  console.log(`Temporal Web UI: ${stack.uiUrl}`);
  const { client, close } = await connectClient(config);
  try {
    const workflowId = `self-check-${randomUUID()}`;
    const handle = await client.workflow.start('selfCheckWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [{ effectKey: workflowId }],
    });
    console.log(`Started ${workflowId}\n  ${workflowUiLink(config, workflowId)}`);
    const result = (await handle.result()) as SelfCheckStatus;
    console.log(`Completed: phase=${result.phase}, side effect applied=${result.effectApplied}`);
  } finally {
    await close();
  }
  if (stayUp) {
    console.log(`The stack stays up for the Web UI at ${stack.uiUrl}. Press Ctrl-C to stop.`);
    await interrupted;
  }
  await stack.stop();
  return EXIT.ok;
}
