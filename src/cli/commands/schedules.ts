import { parseArgs } from 'node:util';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { PERIODS, scheduleIdFor, type Period } from '../../calendar/shared/periods';
import {
  DEFAULT_CATCHUP_WINDOW_MS,
  backfillRangeProblem,
  catchupWindowProblem,
  describeCalendars,
  parsePeriod,
  planSchedules,
  resolveTimezone,
  type PlannedSchedule,
} from '../../calendar/shared/schedule-plan';
import {
  applySchedules,
  backfillSchedule,
  describeSchedules,
  pauseSchedule,
  resumeSchedule,
  triggerSchedule,
  type ScheduleView,
} from '../../calendar/shared/schedules-client';
import { connectClient } from '../../client';
import type { Config } from '../../config';
import { parseDuration } from '../duration';
import { runBinding } from '../../temporal/store-binding';
import { withStore } from '../with-store';
import { CliError, EXIT } from '../exit-codes';

export const schedulesHelp = `refinery schedules apply [--timezone Europe/Berlin] [--catchup-window 1d] [--monthly-batch] [--prefix refinery]
  Creates or updates one Temporal Schedule per calendar period; running it again changes nothing.
  Daily 06:00, weekly Monday 07:00, monthly day 1 08:00, quarterly 1 Jan/Apr/Jul/Oct 09:00, in --timezone
  (default REFINERY_TIMEZONE); a run still going when the next is due makes the next one skip.
  --monthly-batch sends the monthly golden re-runs through the providers' batch APIs (half price).
refinery schedules list [--json] [--prefix refinery]
refinery schedules pause|resume <period|all> [--note "…"] [--prefix refinery]
refinery schedules trigger <period> [--prefix refinery]
refinery schedules backfill <period> --from <ISO time> --to <ISO time|now> [--prefix refinery]
  Periods: ${PERIODS.join(', ')}. Schedule ids are <prefix>-<period>.`;

const VERBS = ['apply', 'list', 'pause', 'resume', 'trigger', 'backfill'] as const;
type Verb = (typeof VERBS)[number];

/** Flags each verb reads (besides --prefix): any other flag is a mistake worth naming. */
const VERB_FLAGS: Record<Verb, string[]> = {
  apply: ['timezone', 'catchup-window', 'monthly-batch'],
  list: ['json'],
  pause: ['period', 'note'],
  resume: ['period', 'note'],
  trigger: ['period'],
  backfill: ['period', 'from', 'to'],
};

export async function schedulesCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      timezone: { type: 'string' },
      'catchup-window': { type: 'string' },
      'monthly-batch': { type: 'boolean' },
      prefix: { type: 'string', default: 'refinery' },
      period: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      note: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [verbText, periodText, ...extra] = positionals;
  if (!verbText || !(VERBS as readonly string[]).includes(verbText))
    throw new CliError(
      `${verbText ? `unknown subcommand "${verbText}"` : 'a subcommand is required'}: use one of ${VERBS.join(', ')} (see refinery schedules --help)`,
    );
  const verb = verbText as Verb;
  const stray = Object.keys(values).filter((flag) => flag !== 'prefix' && !VERB_FLAGS[verb].includes(flag));
  if (stray.length)
    throw new CliError(
      `--${stray[0]} does not apply to \`schedules ${verb}\`: drop it (see refinery schedules --help)`,
    );
  if (extra.length) throw new CliError(`unexpected argument "${extra[0]}": give one period at most`);
  const prefix = values.prefix;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(prefix))
    throw new CliError(
      `--prefix "${prefix}": use letters, digits, ".", "_" or "-" (schedule ids are <prefix>-<period>)`,
    );

  // Everything is checked before connecting, so bad input exits 2 without needing a server.
  switch (verb) {
    case 'apply': {
      const timezone = timezoneFrom(values.timezone ?? config.timezone);
      const catchupWindowMs = catchupWindowFrom(values['catchup-window']);
      // The calendar's runs go to this store's task queue and carry its id, like any other run.
      const { taskQueue, memo } = await withStore(config, (db) => runBinding(config, db));
      const plans = planSchedules({
        timezone,
        catchupWindowMs,
        taskQueue,
        memo,
        prefix,
        monthlyBatch: values['monthly-batch'] ?? false,
      });
      return withClient(config, prefix, (client) => apply(client, plans));
    }
    case 'list': {
      const all = PERIODS.map((period) => ({ period, scheduleId: scheduleIdFor(period, prefix) }));
      return withClient(config, prefix, async (client) => {
        const views = await describeSchedules(client, all);
        console.log(values.json ? JSON.stringify(views, null, 2) : views.map(formatView).join('\n'));
        return EXIT.ok;
      });
    }
    case 'pause':
    case 'resume': {
      const periods = periodsFrom(periodText, values.period, verb, true);
      const note = values.note ?? `${verb === 'pause' ? 'paused' : 'resumed'} by refinery schedules ${verb}`;
      return withClient(config, prefix, async (client) => {
        for (const period of periods) {
          const id = scheduleIdFor(period, prefix);
          await (verb === 'pause' ? pauseSchedule : resumeSchedule)(client, id, note);
          console.log(`${id}: ${verb === 'pause' ? 'paused' : 'resumed'} (${note})`);
        }
        return EXIT.ok;
      });
    }
    case 'trigger': {
      const [period] = periodsFrom(periodText, values.period, verb, false);
      const id = scheduleIdFor(period!, prefix);
      return withClient(config, prefix, async (client) => {
        const workflowId = await triggerSchedule(client, id);
        console.log(
          workflowId
            ? `${id}: triggered, started ${workflowId}`
            : `${id}: triggered; the run will show in \`refinery schedules list --prefix ${prefix}\``,
        );
        return EXIT.ok;
      });
    }
    case 'backfill': {
      const [period] = periodsFrom(periodText, values.period, verb, false);
      const id = scheduleIdFor(period!, prefix);
      if (!values.from || !values.to)
        throw new CliError('backfill needs --from and --to, e.g. --from 2025-01-01T00:00:00Z --to now');
      const now = new Date();
      const from = timeFrom(values.from, '--from', now);
      const to = timeFrom(values.to, '--to', now);
      const problem = backfillRangeProblem(from, to, now);
      if (problem) throw new CliError(problem);
      return withClient(config, prefix, async (client) => {
        await backfillSchedule(client, id, from, to);
        console.log(
          `${id}: backfill ${from.toISOString()} → ${to.toISOString()} requested; each run is ${id}-<scheduled time>`,
        );
        return EXIT.ok;
      });
    }
  }
}

async function apply(client: Client, plans: PlannedSchedule[]): Promise<number> {
  const results = await applySchedules(client, plans);
  for (const [i, r] of results.entries()) {
    const plan = plans[i]!;
    const what = `${describeCalendars(plan.spec.calendars)} (${plan.spec.timezone})`;
    const outcome =
      r.change.kind === 'create'
        ? 'created'
        : r.change.kind === 'update'
          ? `updated (${r.change.differences.join(', ')})`
          : 'unchanged';
    console.log(`${r.scheduleId}: ${outcome} — ${what}`);
  }
  return EXIT.ok;
}

/** Connects, runs fn, and turns a missing Schedule into the fix: apply first. */
async function withClient(config: Config, prefix: string, fn: (client: Client) => Promise<number>): Promise<number> {
  const { client, close } = await connectClient(config);
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw new CliError(
        `no schedule "${err.scheduleId}": create the calendar with \`refinery schedules apply${prefix === 'refinery' ? '' : ` --prefix ${prefix}`}\``,
      );
    throw err;
  } finally {
    await close();
  }
}

function periodsFrom(
  positional: string | undefined,
  flag: string | undefined,
  verb: Verb,
  allowAll: boolean,
): Period[] {
  if (positional && flag && positional !== flag)
    throw new CliError(`period given twice ("${positional}" and --period ${flag}): give it once`);
  const text = positional ?? flag;
  const choices = [...PERIODS, ...(allowAll ? ['all'] : [])].join(', ');
  if (!text) throw new CliError(`\`schedules ${verb}\` needs a period: one of ${choices}`);
  if (allowAll && text === 'all') return [...PERIODS];
  const period = parsePeriod(text);
  if (!period) throw new CliError(`unknown period "${text}": use one of ${choices}`);
  return [period];
}

function timezoneFrom(text: string): string {
  const timezone = resolveTimezone(text);
  if (!timezone)
    throw new CliError(`--timezone ${text} is not a time zone: use an IANA name such as UTC or Europe/Berlin`);
  return timezone;
}

function catchupWindowFrom(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CATCHUP_WINDOW_MS;
  let ms: number;
  try {
    ms = parseDuration(text, '--catchup-window');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const problem = catchupWindowProblem(ms);
  if (problem) throw new CliError(`--catchup-window ${text}: ${problem}`);
  return ms;
}

/** An ISO date or date-time with an explicit zone (a bare local time would depend on this machine), or "now". */
function timeFrom(text: string, flag: string, now: Date): Date {
  if (text === 'now') return now;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const time = new Date(text);
  if ((!dateOnly && !zoned) || Number.isNaN(time.getTime()))
    throw new CliError(
      `${flag} ${text}: use an ISO time with a zone, e.g. 2025-01-06T00:00:00Z, or a date (UTC midnight)`,
    );
  return time;
}

function formatView(v: ScheduleView): string {
  if (!v.exists) return `${v.scheduleId}: not applied — run \`refinery schedules apply\``;
  const state = v.paused ? `paused${v.note ? ` (${v.note})` : ''}` : 'active';
  const lines = [
    `${v.scheduleId}: ${state} — ${v.calendar} (${v.timezone}) → ${v.workflowType}, overlap ${v.overlap}, catch-up ${formatMs(v.catchupWindowMs ?? 0)}`,
  ];
  if (v.nextActionTimes.length) lines.push(`  next: ${v.nextActionTimes.join(', ')}`);
  for (const a of v.recentActions)
    lines.push(`  ran:  ${a.workflowId} (scheduled ${a.scheduledAt}, taken ${a.takenAt})`);
  return lines.join('\n');
}

function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
