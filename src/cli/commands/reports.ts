import { parseArgs } from 'node:util';
import { getCalendarRun, listCalendarRuns } from '../../calendar/shared/calendar-run-store';
import { PERIODS, type Period } from '../../calendar/shared/periods';
import type { Config } from '../../config';
import { getBlob } from '../../store/blobs';
import { CliError, EXIT } from '../exit-codes';
import { withStore } from '../with-store';

export const reportsHelp = `refinery reports [--period daily|weekly|monthly|quarterly] [--limit N] [--json]
refinery reports show <run-id>
  The improvement calendar's runs with their counts, and each run's markdown report.`;

export async function reportsCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { period: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (values.period !== undefined && !(PERIODS as readonly string[]).includes(values.period))
    throw new CliError(`--period must be one of ${PERIODS.join(', ')}, not "${values.period}"`);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a whole number ≥ 1');
  const [sub, id] = positionals;
  if (sub !== undefined && sub !== 'show')
    throw new CliError(
      `unknown reports subcommand "${sub}": use \`refinery reports\` or \`refinery reports show <run-id>\``,
    );
  return withStore(config, async (db) => {
    if (sub === 'show') {
      if (!id) throw new CliError('usage: refinery reports show <run-id>; `refinery reports` lists the ids');
      const run = await getCalendarRun(db, id);
      if (!run) throw new CliError(`no calendar run "${id}"; \`refinery reports\` lists them`);
      if (!run.reportRef) throw new CliError(`calendar run "${id}" has no report (it did not finish)`, EXIT.failed);
      console.log(await getBlob(db, run.reportRef));
      return EXIT.ok;
    }
    const runs = await listCalendarRuns(db, { period: values.period as Period | undefined, limit });
    if (values.json) console.log(JSON.stringify(runs, null, 2));
    else if (runs.length === 0) console.log('no calendar runs yet; `refinery schedules apply` sets up the calendar');
    else
      for (const r of runs)
        console.log(
          `${r.asOf.slice(0, 10)}  ${r.period.padEnd(9)} ${r.runId}  ${Object.entries(r.summary.counts)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        );
    return EXIT.ok;
  });
}
