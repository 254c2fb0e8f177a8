import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectClient } from '../../client';
import { startTune } from '../../clients/tune';
import type { Config } from '../../config';
import { openStore } from '../../store/open';
import { PROJECT_ROOT } from '../../temporal/binaries';
import { EXIT } from '../exit-codes';
import { personCanDecideHere } from '../interactive';
import { signalExitCode, startStack, untilInterrupted, workflowUiLink, type Stack } from '../stack';
import { validateTuneInput } from '../tune-input';
import { applyTuneOutcome } from '../tune-outcome';
import { outcomeDiff, watchTune } from '../watch-tune';
import { tuneExitCode } from './tune-exit';

export const startHelp = `refinery start [--exit]
  The main job on the embedded default: brings up (or reuses) the Temporal dev server and a worker,
  then tunes the bundled example skill (a copy under REFINERY_HOME/example/) with live progress, and
  prints the report path and the Web UI address. Uses the offline simulation unless API keys are set.
  Stays up for the Web UI until Ctrl-C in a terminal; exits when done with --exit, CI set, or no TTY.
  With --exit, CI set or no TTY it never waits for a person: a run that stalls awaiting a decision ends
  the command with exit 4 and the decide command. The first Ctrl-C or SIGTERM stops watching and stops
  what the command started; the run is durable and goes on the next time the stack runs.`;

/** A fresh copy of the example skill, so the repository's own copy is never rewritten. */
function exampleCopy(config: Config): string {
  const dir = path.join(config.home, 'example', 'release-notes');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.cpSync(path.join(PROJECT_ROOT, 'examples', 'skills', 'release-notes'), dir, { recursive: true });
  return dir;
}

/** `refinery start`: the embedded stack and a tune of the example skill, end to end. */
export async function startCommand(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { exit: { type: 'boolean', default: false } } });
  // Only an interactive session without --exit may wait for a person: anything else ends at a stall.
  const stayUp = !values.exit && personCanDecideHere();
  const interrupted = untilInterrupted();

  const stack = await startStack(config, { reuseServer: true });
  if (stack.foreignServer) console.log(stack.foreignServer);
  console.log(`Temporal Web UI: ${stack.uiUrl}`);
  const providers =
    config.provider === 'offline' ||
    (!config.anthropic.apiKey && !config.gemini.apiKey && !config.openai?.apiKey && !config.openai?.baseUrl)
      ? 'offline simulation (no API keys set)'
      : 'real providers';
  let code: number = EXIT.ok;
  const db = await openStore(config.databaseUrl);
  const { client, close } = await connectClient(config);
  const stopWatching = new AbortController();
  let workflowId: string | undefined;
  let stopping = false;
  try {
    const tune = validateTuneInput([exampleCopy(config)], {
      scenario: `@${path.join(PROJECT_ROOT, 'examples', 'scenario.md')}`,
      output: config.home,
    });
    const [run] = await startTune(client, db, stack.worker.taskQueue, tune, { startedBy: 'npm-start' });
    workflowId = run!.workflowId;
    console.log(`Tuning the example skill with ${providers}: ${workflowId}\n  ${workflowUiLink(config, workflowId)}`);
    const watched = watchTune(run!.handle, (line) => console.log(`  ${line}`), {
      stopAtStall: !stayUp,
      signal: stopWatching.signal,
    });
    const ended = await Promise.race([
      watched.then((status) => ({ status }) as const),
      interrupted.then((signal) => ({ signal }) as const),
    ]);
    if ('signal' in ended) {
      // The first Ctrl-C or SIGTERM stops watching at once; the run itself is durable and goes on later.
      stopWatching.abort();
      watched.catch(() => undefined);
      console.log(
        `\n${ended.signal}: stopped watching; stopping the worker${stack.server ? ' and the Temporal server' : ''} this command started...`,
      );
      stopping = true;
      await close();
      await db.close();
      await stack.stop();
      console.log(followLater(config, stack, workflowId));
      return signalExitCode(ended.signal);
    }
    const { status } = ended;
    if (status.stall && !status.outcome) {
      // --exit, CI or no terminal: nobody is here to decide, so the command ends and says how to.
      console.log(`The run is waiting for a decision; the command ends here (exit ${EXIT.awaitingDecision}).`);
      console.log(followLater(config, stack, workflowId));
      code = EXIT.awaitingDecision;
    } else {
      code = tuneExitCode(status);
      console.log(
        `${status.termination}: best score ${status.outcome?.bestScore} at iteration ${status.outcome?.bestIteration}`,
      );
      const diff = await outcomeDiff(db, status);
      const applied = await applyTuneOutcome(db, status, { write: true });
      if (applied.folders.some((f) => f.written)) console.log(`Written back to ${tune.skills[0]!.dir}:\n${diff}`);
      for (const p of applied.reportPaths) console.log(`Report: ${p}`);
      console.log(`Temporal Web UI: ${stack.uiUrl}`);
    }
  } catch (err) {
    if (!stopping) {
      await close().catch(() => undefined);
      await db.close().catch(() => undefined);
      await stack.stop();
    }
    throw err;
  }
  await close();
  await db.close();
  if (stayUp) {
    console.log(`The stack stays up for the Web UI at ${stack.uiUrl}. Press Ctrl-C to stop.`);
    await interrupted;
  }
  await stack.stop();
  return code;
}

/** How to follow a run this command no longer watches: it is durable and resumes when the stack runs again. */
function followLater(config: Config, stack: Stack, workflowId: string): string {
  const where = stack.server
    ? `from the server's file ${path.join(config.home, 'temporal.db')} the next time the stack runs in this home ` +
      '(`npm start` or `refinery dev`)'
    : `on the Temporal server at ${config.temporal.address} whenever a worker of this store polls ` +
      `"${stack.worker.taskQueue}" (\`refinery dev\`, \`refinery worker\` or \`npm start\`)`;
  return (
    `Run ${workflowId} is durable: it goes on ${where}.\n` +
    `  Follow it with: refinery status ${workflowId}\n  ${workflowUiLink(config, workflowId)}`
  );
}
