import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectClient } from '../../client';
import { startTune } from '../../clients/tune';
import type { Config } from '../../config';
import { openStore } from '../../store/open';
import { PROJECT_ROOT } from '../../temporal/binaries';
import { EXIT } from '../exit-codes';
import { startStack, untilInterrupted, workflowUiLink } from '../stack';
import { validateTuneInput } from '../tune-input';
import { applyTuneOutcome } from '../tune-outcome';
import { outcomeDiff, watchTune } from '../watch-tune';
import { tuneExitCode } from './tune-exit';

export const startHelp = `refinery start [--exit]
  The main job on the embedded default: brings up (or reuses) the Temporal dev server and a worker,
  then tunes the bundled example skill (a copy under REFINERY_HOME/example/) with live progress, and
  prints the report path and the Web UI address. Uses the offline simulation unless API keys are set.
  Stays up for the Web UI until Ctrl-C in a terminal; exits when done with --exit, CI set, or no TTY.`;

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
  const stayUp = !values.exit && !process.env.CI && process.stdout.isTTY;
  const interrupted = untilInterrupted();

  const stack = await startStack(config, { reuseServer: true });
  console.log(`Temporal Web UI: ${stack.uiUrl}`);
  const providers =
    config.provider === 'offline' || (!config.anthropic.apiKey && !config.gemini.apiKey)
      ? 'offline simulation (no API keys set)'
      : 'real providers';
  let code: number = EXIT.ok;
  const db = await openStore(config.databaseUrl);
  const { client, close } = await connectClient(config);
  try {
    const tune = validateTuneInput([exampleCopy(config)], {
      scenario: `@${path.join(PROJECT_ROOT, 'examples', 'scenario.md')}`,
      output: config.home,
    });
    const [run] = await startTune(client, db, config.temporal.taskQueue, tune, { startedBy: 'npm-start' });
    console.log(
      `Tuning the example skill with ${providers}: ${run!.workflowId}\n  ${workflowUiLink(config, run!.workflowId)}`,
    );
    const status = await watchTune(run!.handle, (line) => console.log(`  ${line}`));
    code = tuneExitCode(status);
    console.log(
      `${status.termination}: best score ${status.outcome?.bestScore} at iteration ${status.outcome?.bestIteration}`,
    );
    const diff = await outcomeDiff(db, status);
    const applied = await applyTuneOutcome(db, status, { write: true });
    if (applied.folders.some((f) => f.written)) console.log(`Written back to ${tune.skills[0]!.dir}:\n${diff}`);
    for (const p of applied.reportPaths) console.log(`Report: ${p}`);
    console.log(`Temporal Web UI: ${stack.uiUrl}`);
  } finally {
    await close();
    await db.close();
  }
  if (stayUp) {
    console.log(`The stack stays up for the Web UI at ${stack.uiUrl}. Press Ctrl-C to stop.`);
    await interrupted;
  }
  await stack.stop();
  return code;
}
