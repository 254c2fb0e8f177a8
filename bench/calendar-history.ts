import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { listAlerts, listIncidents } from '../src/calendar/alerts/alert-store';
import type { CalendarRunResult } from '../src/calendar/shared/periods';
import { unresolvedCount } from '../src/calendar/alerts/alert-queue-store';
import type { Db } from '../src/store/db';
import { openStore } from '../src/store/open';
import { temporalCliPath } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/probe';
import { DAY_MS, HEALTHY, productionPrompt, seedDay, seededRandom, type DayRates } from '../test/support/calendar-seed';
import { median } from './stats';

/** Temporal's hard per-run history limits (the server terminates a run beyond either). */
const LIMITS = { events: 51_200, bytes: 50 * 1024 * 1024 };
const START = Date.parse('2022-01-01T06:00:00Z');
const STABLE = ['stable-1', 'stable-2', 'stable-3'];
const RUNS_PER_DAY = 300;
const VOTES_PER_DAY = 120;
// Runs older than this can no longer fall in any window (30-day baseline + 1 day, two weekly windows),
// so the bench prunes them: the store's size stays flat while the alert backlog keeps growing.
const KEEP_DAYS = 40;

interface RunSize {
  day: number;
  asOf: string;
  events: number;
  bytes: number;
}

/**
 * A new prompt starts every week, runs healthy for 31 days, then its error rate creeps up for 7 days
 * (a Warning, then a Critical) and it stops getting traffic. Nobody resolves the alerts: the backlog
 * grows by about one alert a week, on top of whatever the stable prompts raise by chance.
 */
const driftStart = (j: number) => 7 * j - 30;
function driftRates(j: number, day: number): DayRates | undefined {
  const age = day - driftStart(j);
  if (age < 0 || age > 37) return undefined;
  return age <= 30 ? HEALTHY : { ...HEALTHY, error: HEALTHY.error + 0.006 * (age - 30) };
}

async function seedDayOfTraffic(db: Db, day: number, created: Set<string>, random: () => number): Promise<void> {
  const dayStart = START + (day - 1) * DAY_MS;
  const traffic: { name: string; rates: DayRates }[] = STABLE.map((name) => ({ name, rates: HEALTHY }));
  for (let j = Math.max(0, Math.floor((day - 37 + 30) / 7)); driftStart(j) <= day; j++) {
    const rates = driftRates(j, day);
    if (rates) traffic.push({ name: `drift-${String(j).padStart(4, '0')}`, rates });
  }
  for (const t of traffic) {
    if (!created.has(t.name)) {
      await productionPrompt(db, t.name, 'bench');
      created.add(t.name);
    }
    await seedDay(db, { name: t.name, dayStart, rates: t.rates, random, runs: RUNS_PER_DAY, votes: VOTES_PER_DAY });
  }
  const cutoff = new Date(dayStart - KEEP_DAYS * DAY_MS).toISOString();
  await db.run('DELETE FROM prompt_runs WHERE created_at < ?', [cutoff]);
  await db.run('DELETE FROM feedback WHERE created_at < ?', [cutoff]);
}

const largest = (runs: RunSize[]) =>
  runs.reduce((a, b) => (b.events > a.events || (b.events === a.events && b.bytes > a.bytes) ? b : a));

/**
 * The daily review on a daily cadence over `days` simulated days (5 years = 1,826), the weekly trends
 * every 7th day, each run's history measured as the server stores it (events, serialized bytes).
 */
export async function calendarHistoryBench(temporalAddress: string, bundlePath: string, days = 1826) {
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-calendar-'));
  const db = await openStore(`sqlite:${path.join(dir, 'r.db')}`);
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  const taskQueue = `bench-calendar-${process.pid}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { codePath: bundlePath },
    activities: createActivities({ db }),
  });
  const created = new Set<string>();
  const random = seededRandom(5);
  const daily: RunSize[] = [];
  const weekly: RunSize[] = [];
  let alertsOpened = 0;
  const measure = async (
    workflowType: string,
    day: number,
    asOf: string,
  ): Promise<RunSize & { result: CalendarRunResult }> => {
    const handle = await client.workflow.start(workflowType, {
      taskQueue,
      workflowId: `bench-${workflowType}-${process.pid}-${day}`,
      args: [{ asOf }],
    });
    const result = (await handle.result()) as CalendarRunResult;
    const history = await handle.fetchHistory();
    return {
      day,
      asOf,
      result,
      events: history.events?.length ?? 0,
      bytes: temporal.api.history.v1.History.encode(history).finish().byteLength,
    };
  };
  await worker.runUntil(async () => {
    for (let day = -30; day <= 0; day++) await seedDayOfTraffic(db, day, created, random);
    for (let day = 1; day <= days; day++) {
      await seedDayOfTraffic(db, day, created, random);
      const asOf = new Date(START + day * DAY_MS).toISOString();
      const { result, ...size } = await measure('dailyReviewWorkflow', day, asOf);
      alertsOpened += result.counts.opened ?? 0;
      daily.push(size);
      if (day % 7 === 0) {
        const { result: _weekly, ...w } = await measure('weeklyTrendsWorkflow', day, asOf);
        weekly.push(w);
      }
      if (day % 365 === 0) {
        const big = largest(daily);
        console.error(
          `day ${day}: largest daily history so far ${big.events} events / ${big.bytes} bytes; ${await unresolvedCount(db)} unresolved alerts`,
        );
      }
    }
  });
  // Whole years; the leftover days (1,826 = 5 × 365 + 1) go to the last one.
  const years = Math.max(1, Math.floor(days / 365));
  const byYear = Array.from({ length: years }, (_, y) => {
    const runs = daily.filter((r) => r.day > y * 365 && (y === years - 1 || r.day <= (y + 1) * 365));
    const big = largest(runs);
    return { year: y + 1, largestEvents: big.events, largestBytes: big.bytes };
  });
  // The stable prompts never regress: every alert they raise is a false positive of the alert policy.
  const stableAlerts = (await listAlerts(db, { status: 'all', limit: 1_000_000 })).filter((a) =>
    STABLE.includes(a.name),
  ).length;
  const out = {
    name: 'calendar-history',
    simulatedDays: days,
    limits: LIMITS,
    daily: {
      runs: daily.length,
      largest: largest(daily),
      medianEvents: median(daily.map((r) => r.events)),
      medianBytes: median(daily.map((r) => r.bytes)),
      byYear,
    },
    weekly: { runs: weekly.length, largest: largest(weekly), medianEvents: median(weekly.map((r) => r.events)) },
    store: {
      reviewedVersionsAtEnd: created.size,
      alertsOpened,
      unresolvedAlertsAtEnd: await unresolvedCount(db),
      incidents: (await listIncidents(db, 1_000_000)).length,
    },
    falsePositives: {
      alertsOnStablePrompts: stableAlerts,
      stablePromptMonths: Math.round((STABLE.length * days) / 30),
      traffic: `${RUNS_PER_DAY} runs and ${VOTES_PER_DAY} votes a day per prompt`,
    },
    largestShareOfLimit: {
      events: Math.max(largest(daily).events, weekly.length ? largest(weekly).events : 0) / LIMITS.events,
      bytes: Math.max(largest(daily).bytes, weekly.length ? largest(weekly).bytes : 0) / LIMITS.bytes,
    },
    seconds: Math.round((performance.now() - started) / 1000),
  };
  await connection.close();
  await nativeConnection.close();
  await db.close();
  return out;
}

/** `npx tsx bench/calendar-history.ts [days]`: its own dev server; writes bench/results/calendar-history.json. */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const days = Number(process.argv[2] ?? process.env.BENCH_CALENDAR_DAYS ?? 1826);
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), headless: true });
  try {
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src/workflows'),
      workflowInterceptorModules: [require.resolve('../src/workflows/store-interceptors')],
      logger: quiet,
    });
    const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'bundle.js');
    fs.writeFileSync(bundlePath, bundle.code);
    const result = await calendarHistoryBench(server.address, bundlePath, days);
    const file = path.join(__dirname, 'results', 'calendar-history.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const machine = { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
    fs.writeFileSync(file, JSON.stringify({ when: new Date().toISOString(), machine, result }, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
    console.log(`written ${path.relative(process.cwd(), file)}`);
  } finally {
    await server.stop();
  }
}

const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
