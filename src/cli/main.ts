import { inspect } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config';
import { redact } from '../providers/redact';
import { devCommand, devHelp } from './commands/dev';
import { startCommand, startHelp } from './commands/start';
import { workerCommand, workerHelp } from './commands/worker';
import { tuneCommand, tuneHelp } from './commands/tune';
import { decideCommand, decideHelp, listCommand, listHelp, statusCommand, statusHelp } from './commands/tune-admin';
import { restoreCommand, restoreHelp } from './commands/restore';
import { outcomeCommand, outcomeHelp } from './commands/outcome';
import { apiCommand, apiHelp, tokensCommand } from './commands/api';
import { datasetCommand, datasetHelp } from './commands/dataset';
import { evalCommand, evalHelp } from './commands/eval';
import { rolloutCommand, rolloutHelp } from './commands/rollout';
import { drillCommand, drillHelp } from './commands/drill';
import { abCommand, abHelp } from './commands/ab';
import { schedulesCommand, schedulesHelp } from './commands/schedules';
import { alertsCommand, alertsHelp } from './commands/alerts';
import { reviewCommand, reviewHelp } from './commands/post-run-eval';
import { reportsCommand, reportsHelp } from './commands/reports';
import { importCommand, importHelp } from './commands/import';
import { mcpCommand, mcpHelp } from './commands/mcp';
import { casesCommand, casesHelp } from './commands/cases';
import { improveCommand, improveHelp } from './commands/improve';
import {
  diffCommand,
  labelCommand,
  labelsCommand,
  libraryHelp,
  logCommand,
  pullCommand,
  pushCommand,
  rollbackCommand,
} from './commands/library';
import { libraryCommand, librarySearchHelp } from './commands/library-search';
import { CliError, EXIT } from './exit-codes';
import { personCanDecideHere } from './interactive';
import { remoteCommand } from './remote';

interface Command {
  help: string;
  run(config: Config, argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  start: { help: startHelp, run: startCommand },
  dev: { help: devHelp, run: (c) => devCommand(c) },
  worker: { help: workerHelp, run: (c) => workerCommand(c) },
  // Whether a person here can answer a stall is read once, at the edge: called directly, the commands wait.
  tune: { help: tuneHelp, run: (c, a) => tuneCommand(c, a, { stopAtStall: !personCanDecideHere() }) },
  status: { help: statusHelp, run: statusCommand },
  decide: { help: decideHelp, run: (c, a) => decideCommand(c, a, { stopAtStall: !personCanDecideHere() }) },
  list: { help: listHelp, run: listCommand },
  restore: { help: restoreHelp, run: restoreCommand },
  outcome: { help: outcomeHelp, run: outcomeCommand },
  api: { help: apiHelp, run: (c) => apiCommand(c) },
  tokens: { help: apiHelp, run: tokensCommand },
  push: { help: libraryHelp, run: pushCommand },
  pull: { help: libraryHelp, run: pullCommand },
  log: { help: libraryHelp, run: logCommand },
  diff: { help: libraryHelp, run: diffCommand },
  labels: { help: libraryHelp, run: labelsCommand },
  label: { help: libraryHelp, run: labelCommand },
  rollback: { help: libraryHelp, run: rollbackCommand },
  dataset: { help: datasetHelp, run: datasetCommand },
  eval: { help: evalHelp, run: evalCommand },
  rollout: { help: rolloutHelp, run: rolloutCommand },
  drill: { help: drillHelp, run: drillCommand },
  ab: { help: abHelp, run: abCommand },
  schedules: { help: schedulesHelp, run: schedulesCommand },
  alerts: { help: alertsHelp, run: alertsCommand },
  review: { help: reviewHelp, run: reviewCommand },
  reports: { help: reportsHelp, run: reportsCommand },
  import: { help: importHelp, run: importCommand },
  mcp: { help: mcpHelp, run: mcpCommand },
  cases: { help: casesHelp, run: casesCommand },
  library: { help: librarySearchHelp, run: libraryCommand },
  improve: { help: improveHelp, run: improveCommand },
};

function usage(): string {
  return [
    'Usage: refinery <command> [options]',
    '',
    ...[...new Set(Object.values(commands).map((c) => c.help))],
    '',
    'Exit codes: 0 ok, 1 failed, 2 bad input or configuration, 3 already running, 4 awaiting a decision,',
    '5 tune ended below its threshold, 100 gate failed.',
  ].join('\n');
}

/** Runs the CLI and returns its exit code; errors become one line on stderr, scrubbed of every known secret. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? EXIT.ok : EXIT.badInput;
  }
  const command = commands[name];
  if (!command) {
    console.error(`refinery: unknown command "${name}". Run \`refinery help\` for the list.`);
    return EXIT.badInput;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return EXIT.ok;
  }
  try {
    const config = loadConfig();
    return await (remoteCommand(config, name) ?? ((argv: string[]) => command.run(config, argv)))(rest);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`refinery ${name}: ${redact(err.message)}`);
      return err.exitCode;
    }
    if (err instanceof ConfigError) {
      console.error(`refinery: ${redact(err.message)}`);
      return EXIT.badInput;
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`refinery ${name}: ${err.message}. Run \`refinery ${name} --help\`.`);
      return EXIT.badInput;
    }
    console.error(`refinery ${name}: ${redact(err instanceof Error ? err.message : String(err))}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(redact(inspect(err)));
      process.exit(EXIT.failed);
    },
  );
}
