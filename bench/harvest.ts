import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { harvestCases } from '../src/cases/harvest';
import { recordVersion } from '../src/library/versions';
import type { Db } from '../src/store/db';
import { openStore } from '../src/store/open';
import { median } from './stats';

const NAME = 'bench-support';
const DAY_S = 86_400;
const GOAL_MS = 5000;

export interface HarvestBackend {
  name: 'sqlite' | 'postgres';
  databaseUrl: string;
}

/**
 * The daily harvest at 1,000,000 stored runs, on SQLite and PostgreSQL. Goal: under 5 s each.
 *
 * The store holds `stored` runs of one prompt (three versions) over the 30 days before now, a tenth of them
 * with feedback from 1,000 users; about 9 % of runs fail one way or another, and inputs repeat (50,000
 * distinct questions, told apart by a 10-digit customer number: few are near-identical, the costly case for folding). A first harvest sets the cursor (it reads the last 7 days); then each "day" a day's
 * traffic (stored / 30 runs, a tenth with feedback) is added and the daily harvest is timed: it reads from
 * the cursor, so it costs the day's rows, not the million. Rows are generated inside the database by one
 * INSERT … SELECT per table (a recursive CTE on SQLite, generate_series on PostgreSQL).
 */
export async function harvestBench(backends: HarvestBackend[], stored: number, days: number) {
  const perBackend = [];
  for (const b of backends) {
    const db = await openStore(b.databaseUrl);
    try {
      for (const text of ['v1', 'v2', 'v3'])
        await recordVersion(db, NAME, { type: 'text', text, variables: [] }, { rationale: 'bench', author: 'bench' });
      const now = Math.floor(Date.now() / 1000);
      let t = performance.now();
      // History: stored runs spread over the 30 days ending a day ago.
      await seed(db, { from: 0, count: stored, t0: now - 31 * DAY_S, spanS: 30 * DAY_S });
      const seedMs = performance.now() - t;
      t = performance.now();
      const first = await harvestCases(db, NAME);
      const firstMs = performance.now() - t;
      const daily: { ms: number; runsRead: number; feedbackRead: number; queued: number }[] = [];
      const perDay = Math.round(stored / 30);
      for (let d = 0; d < days; d++) {
        await seed(db, { from: stored + d * perDay, count: perDay, t0: now - DAY_S + 1, spanS: DAY_S - 2 });
        t = performance.now();
        const r = await harvestCases(db, NAME);
        daily.push({
          ms: Math.round(performance.now() - t),
          runsRead: r.runsRead,
          feedbackRead: r.feedbackRead,
          queued: r.queued,
        });
      }
      const ms = daily.map((x) => x.ms);
      perBackend.push({
        backend: b.name,
        storedRuns: stored,
        runsPerDay: perDay,
        seedMs: Math.round(seedMs),
        firstHarvest: {
          ms: Math.round(firstMs),
          runsRead: first.runsRead,
          feedbackRead: first.feedbackRead,
          queued: first.queued,
        },
        daily,
        dailyMedianMs: median(ms),
        dailyMaxMs: Math.max(...ms),
        met: Math.max(...ms) < GOAL_MS,
      });
    } finally {
      await db.close();
    }
  }
  return {
    name: 'harvest',
    goal: `a daily harvest at ${stored.toLocaleString('en')} stored runs under ${GOAL_MS / 1000} s on SQLite and on PostgreSQL`,
    notes:
      'daily: a day of new traffic (stored/30 runs, ~9 % failing, a tenth with feedback) harvested from the cursor; ' +
      'firstHarvest: the first harvest of the prompt, over the last 7 days of the stored runs.',
    backends: perBackend,
    met: perBackend.every((b) => b.met),
  };
}

/** Runs [from, from + count) stamped evenly over [t0, t0 + spanS) seconds, and feedback on every tenth. */
export async function seed(db: Db, s: { from: number; count: number; t0: number; spanS: number }): Promise<void> {
  const pg = db.dialect === 'postgres';
  const step = s.spanS / s.count;
  const ts = (secs: string) =>
    pg
      ? `to_char(to_timestamp(${secs}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : `strftime('%Y-%m-%dT%H:%M:%fZ', ${secs}, 'unixepoch')`;
  const series = (lo: number, hi: number, body: string) =>
    pg
      ? `${body} FROM generate_series(CAST(${lo} AS BIGINT), CAST(${hi} AS BIGINT)) AS s(i)`
      : `WITH RECURSIVE s(i) AS (SELECT ${lo} UNION ALL SELECT i + 1 FROM s WHERE i < ${hi}) ${body} FROM s`;
  const h = '((i * 7919) % 1000)';
  const at = ts(`${s.t0} + (i - ${s.from}) * ${step}`);
  await db.run(
    `INSERT INTO prompt_runs (id, name, version, latency_ms, input_tokens, output_tokens, error, format_ok, corrected,
       regenerated, input, output, created_at)
     ${series(
       s.from,
       s.from + s.count - 1,
       `SELECT 'r-' || i, '${NAME}', 1 + i % 3, 400 + i % 900, 120, 180,
         CASE WHEN ${h} < 10 THEN 'timeout' END,
         CASE WHEN ${h} < 50 THEN 0 ELSE 1 END,
         CASE WHEN ${h} >= 50 AND ${h} < 70 THEN 1 ELSE 0 END,
         CASE WHEN ${h} >= 70 AND ${h} < 90 THEN 1 ELSE 0 END,
         'Customer ' || (((i % 50000) * 2654435761) % 4294967291) || ' asks: how do I change the delivery address of order ' || (i % 977) || '?',
         'Answer ' || i || ': open Orders, pick the order and choose Edit address.',
         ${at}`,
     )}`,
  );
  const f0 = Math.ceil(s.from / 10);
  const f1 = Math.floor((s.from + s.count - 1) / 10);
  const fat = ts(`${s.t0} + (i * 10 - ${s.from}) * ${step} + 1`);
  await db.run(
    `INSERT INTO feedback (id, run_id, name, version, thumbs, rating, correction, comment, user_id, created_at)
     ${series(
       f0,
       f1,
       `SELECT 'f-' || i, 'r-' || (i * 10), '${NAME}', 1 + (i * 10) % 3,
         CASE WHEN ${h} < 150 THEN -1 ELSE 1 END,
         CASE WHEN i % 3 = 0 THEN 1 + i % 5 END,
         CASE WHEN i % 50 = 0 THEN 'Open Orders, then Change delivery address.' END,
         NULL, 'user-' || (i % 1000), ${fat}`,
     )}`,
  );
}

/** The PostgreSQL the tests use (scripts/postgres.sh), and a fresh SQLite file; both dropped afterwards. */
export async function harvestBenchOnBoth(stored: number, days: number) {
  const pgUrl =
    process.env.REFINERY_TEST_POSTGRES_URL ??
    execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'postgres.sh')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-harvest-'));
  const pgDb = `bench_harvest_${process.pid}`;
  execFileSync('psql', [pgUrl, '-qc', `CREATE DATABASE ${pgDb}`]);
  try {
    return await harvestBench(
      [
        { name: 'sqlite', databaseUrl: `sqlite:${path.join(dir, 'bench.db')}` },
        { name: 'postgres', databaseUrl: pgUrl.replace(/\/[^/]*$/, `/${pgDb}`) },
      ],
      stored,
      days,
    );
  } finally {
    execFileSync('psql', [pgUrl, '-qc', `DROP DATABASE ${pgDb}`]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `npx tsx bench/harvest.ts`: no Temporal needed; writes bench/results/harvest.json. */
async function main(): Promise<void> {
  const result = await harvestBenchOnBoth(
    Number(process.env.BENCH_HARVEST_RUNS ?? 1_000_000),
    Number(process.env.BENCH_HARVEST_DAYS ?? 3),
  );
  const file = path.join(__dirname, 'results', 'harvest.json');
  const machine = { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  fs.writeFileSync(file, JSON.stringify({ when: new Date().toISOString(), machine, result }, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  console.log(`written ${path.relative(process.cwd(), file)}`);
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
