import { parseArgs } from 'node:util';
import { ALERT_SIGNALS } from '../../calendar/alerts/alert-rules';
import {
  ackAlert,
  getAlertPolicy,
  listAlerts,
  listIncidents,
  resolveAlert,
  setAlertPolicy,
  type AlertRow,
} from '../../calendar/alerts/alert-store';
import type { Config } from '../../config';
import { CliError, EXIT } from '../exit-codes';
import { withStore } from '../with-store';
import { cliActor } from '../library-io';

export const alertsHelp = `refinery alerts list [--status open|acknowledged|resolved|all] [--name N] [--json]
refinery alerts ack <id> [--by <user>]
refinery alerts resolve <id> --as action|false-positive --note "…" [--owner <user>] [--by <user>]
refinery alerts incidents [--json]
refinery alerts policy <name> [--override <signal>=<value> …] [--clear] [--why "…"]
  Alerts from the daily review. Every alert ends as an action item with an owner or as a documented false
  positive; false positives widen that prompt's thresholds at the monthly recalibration. Fixed thresholds
  exist only as per-prompt overrides (signals: ${ALERT_SIGNALS.join(', ')}).`;

const STATUSES = ['open', 'acknowledged', 'resolved', 'all', 'unresolved'] as const;

function formatAlert(a: AlertRow): string {
  const closing =
    a.status === 'resolved'
      ? `  ${a.resolution} by ${a.resolvedBy}, owner ${a.owner}: ${a.note}`
      : a.owner
        ? `  acknowledged by ${a.owner}`
        : '';
  return `${a.alertId}  ${a.severity.toUpperCase().padEnd(8)} ${a.status.padEnd(12)} ${a.openedAt.slice(0, 16)}  ${a.detail}${closing}`;
}

export async function alertsCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      status: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean', default: false },
      by: { type: 'string' },
      as: { type: 'string' },
      note: { type: 'string' },
      owner: { type: 'string' },
      override: { type: 'string', multiple: true },
      clear: { type: 'boolean', default: false },
      why: { type: 'string' },
    },
  });
  const [sub, id] = positionals;
  const actor = cliActor(config, values.by).subject;
  switch (sub) {
    case 'list': {
      const status = values.status ?? 'unresolved';
      if (!(STATUSES as readonly string[]).includes(status))
        throw new CliError(`--status must be one of ${STATUSES.join(', ')}, not "${status}"`);
      return withStore(config, async (db) => {
        const alerts = await listAlerts(db, { status: status as (typeof STATUSES)[number], name: values.name });
        if (values.json) console.log(JSON.stringify(alerts, null, 2));
        else if (alerts.length === 0) console.log(`no ${status === 'all' ? '' : `${status} `}alerts`);
        else for (const a of alerts) console.log(formatAlert(a));
        return EXIT.ok;
      });
    }
    case 'ack': {
      if (!id) throw new CliError('usage: refinery alerts ack <id>; `refinery alerts list` shows the ids');
      return withStore(config, async (db) => {
        console.log(formatAlert(await ackAlert(db, id, actor)));
        return EXIT.ok;
      });
    }
    case 'resolve': {
      if (!id) throw new CliError('usage: refinery alerts resolve <id> --as action|false-positive --note "…"');
      if (values.as !== 'action' && values.as !== 'false-positive')
        throw new CliError(
          `--as must be "action" (an action item with an owner) or "false-positive" (a documented false positive)${values.as ? `, not "${values.as}"` : ''}`,
        );
      const resolution = values.as;
      return withStore(config, async (db) => {
        const a = await resolveAlert(db, id, { as: resolution, note: values.note ?? '', actor, owner: values.owner });
        console.log(formatAlert(a));
        return EXIT.ok;
      });
    }
    case 'incidents':
      return withStore(config, async (db) => {
        const incidents = await listIncidents(db);
        if (values.json) console.log(JSON.stringify(incidents, null, 2));
        else if (incidents.length === 0) console.log('no incidents');
        else for (const i of incidents) console.log(`${i.openedAt.slice(0, 16)}  ${i.alertId}  ${i.detail}`);
        return EXIT.ok;
      });
    case 'policy': {
      if (!id) throw new CliError('usage: refinery alerts policy <name> [--override <signal>=<value> …] [--clear]');
      const name = id;
      const overrides = parseOverrides(values.override ?? []);
      return withStore(config, async (db) => {
        if (values.clear || Object.keys(overrides).length > 0) {
          const current = await getAlertPolicy(db, name);
          const next = values.clear ? {} : { ...current, overrides: { ...current.overrides, ...overrides } };
          await setAlertPolicy(
            db,
            name,
            next,
            values.why ?? (values.clear ? 'reset to defaults' : 'fixed override'),
            actor,
          );
        }
        console.log(JSON.stringify(await getAlertPolicy(db, name), null, 2));
        return EXIT.ok;
      });
    }
    default:
      throw new CliError(
        `unknown alerts subcommand "${sub ?? ''}": use list, ack, resolve, incidents or policy (refinery alerts --help)`,
      );
  }
}

function parseOverrides(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const m = /^([a-z-]+)=(-?\d+(?:\.\d+)?)$/.exec(item);
    if (!m || !(ALERT_SIGNALS as readonly string[]).includes(m[1]!))
      throw new CliError(
        `--override "${item}" is not <signal>=<number>; signals: ${ALERT_SIGNALS.join(', ')} (e.g. error-rate=0.05)`,
      );
    out[m[1]!] = Number(m[2]);
  }
  return out;
}
