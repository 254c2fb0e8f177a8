import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { recordFeedback, recordRuns } from '../src/library/records';
import { foldArmCounts, recountArmCounts } from '../src/rollout/arm-aggregate-store';
import { evaluateGuard } from '../src/rollout/guard';
import type { Db } from '../src/store/db';
import { openStore } from '../src/store/open';
import { median } from './stats';

const NAME = 'greet';
const NEW_ROWS_PER_LOOK = 100;

/**
 * The rollout guard's look (both arms folded, then the verdict) at 10,000 and at 1,000,000 stored runs on
 * SQLite. Goal: the larger store costs at most 2× the smaller, i.e. a look's cost follows the rows added
 * since the last look, not the rows stored.
 *
 * Two looks are timed at each size, on one store whose runs are stamped [T0, T1):
 * - a look during a long experiment (since T0: every stored run is the experiment's), after the catch-up
 *   fold, each after 100 new runs and 10 votes;
 * - the first look of an experiment starting now (since T1: every stored run is older), which must not
 *   scan them either.
 * The full recount the looks replaced is timed once per size for comparison.
 */
export async function guardLookBench(sizes: number[], looks: number) {
  const stores: Store[] = [];
  for (const size of sizes) stores.push(await setUp(size));
  // Looks alternate between the sizes, so load from elsewhere on the machine and garbage collection
  // fall on both alike; two untimed rounds first warm the JIT and SQLite's page cache.
  for (let i = -2; i < looks; i++)
    for (const s of stores) {
      await addNewRuns(s.db, i + 2, s.startNow);
      let t = performance.now();
      await look(s.db, 'long', s.since);
      if (i >= 0) s.lookMs.push(performance.now() - t);
      t = performance.now();
      await look(s.db, `new-${i + 2}`, s.startNow);
      if (i >= 0) s.firstLookMs.push(performance.now() - t);
    }
  const perSize = [];
  for (const s of stores) {
    const t = performance.now();
    evaluateGuard(await recountArmCounts(s.db, NAME, 1, s.since), await recountArmCounts(s.db, NAME, 2, s.since));
    const fullRecountMs = performance.now() - t;
    await s.db.close();
    fs.rmSync(s.dir, { recursive: true, force: true });
    perSize.push({
      storedRuns: s.size,
      seedMs: Math.round(s.seedMs),
      catchUpMs: Math.round(s.catchUpMs),
      lookMedianMs: round(median(s.lookMs)),
      firstLookMedianMs: round(median(s.firstLookMs)),
      fullRecountMs: round(fullRecountMs),
      looks,
    });
  }
  const [small, large] = [perSize[0]!, perSize[perSize.length - 1]!];
  const ratio = large.lookMedianMs / small.lookMedianMs;
  const firstLookRatio = large.firstLookMedianMs / small.firstLookMedianMs;
  return {
    name: 'guard-look',
    backend: 'sqlite',
    newRowsPerLook: NEW_ROWS_PER_LOOK,
    sizes: perSize,
    lookRatio: round(ratio),
    firstLookRatio: round(firstLookRatio),
    goal: 'a look at the largest size costs at most 2× one at the smallest',
    notes:
      'look: both arms of an experiment running since before every stored run, after 100 new runs and 10 votes. ' +
      'firstLook: both arms of an experiment starting after every stored run, over the runs since its start ' +
      '(100 more per round, the same at each size). catchUp: the one fold of all stored runs when an ' +
      "experiment's first look comes after all of them; fullRecount: what every look cost before.",
    met: ratio <= 2 && firstLookRatio <= 2,
  };
}

interface Store {
  size: number;
  dir: string;
  db: Db;
  since: string;
  startNow: string;
  seedMs: number;
  catchUpMs: number;
  lookMs: number[];
  firstLookMs: number[];
}

/** A store of `size` runs stamped [T0, T1), and the long experiment's catch-up fold over all of them. */
async function setUp(size: number): Promise<Store> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-guard-'));
  const file = path.join(dir, 'g.db');
  const db = await openStore(`sqlite:${file}`);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const since = new Date(t0).toISOString();
  let t = performance.now();
  seed(file, size, t0);
  const seedMs = performance.now() - t;
  t = performance.now();
  await look(db, 'long', since);
  const catchUpMs = performance.now() - t;
  // Stamped after every seeded run: the new runs of both experiments.
  const startNow = new Date(t0 + size * 1000 + 1000).toISOString();
  return { size, dir, db, since, startNow, seedMs, catchUpMs, lookMs: [], firstLookMs: [] };
}

/** One guard look as checkGuard does it: fold both arms, then the verdict. */
async function look(db: Db, experimentId: string, since: string): Promise<void> {
  const control = await foldArmCounts(db, { experimentId, name: NAME, version: 1, since });
  const canary = await foldArmCounts(db, { experimentId, name: NAME, version: 2, since });
  evaluateGuard(control, canary);
}

/** Bulk insert through a second connection: one transaction, one prepared statement. */
function seed(file: string, size: number, t0: number): void {
  const sqlite = new Database(file);
  const insert = sqlite.prepare(
    `INSERT INTO prompt_runs (id, name, version, latency_ms, input_tokens, output_tokens, error, format_ok, corrected, regenerated, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  sqlite.transaction(() => {
    for (let i = 0; i < size; i++) {
      const h = (Math.imul(i + 1, 2654435761) >>> 0) / 4294967296;
      insert.run(
        `seed-${i}`,
        NAME,
        1 + (i % 2),
        Math.round(400 + 2000 * h * h),
        100 + (i % 50),
        150 + (i % 97),
        h < 0.02 ? 'boom' : null,
        h < 0.1 ? null : h < 0.15 ? 0 : 1,
        h > 0.95 ? 1 : 0,
        0,
        new Date(t0 + i * 1000).toISOString(),
      );
    }
  })();
  sqlite.close();
}

async function addNewRuns(db: Db, look: number, at: string): Promise<void> {
  await recordRuns(
    db,
    Array.from({ length: NEW_ROWS_PER_LOOK }, (_, i) => ({
      id: `new-${look}-${i}`,
      name: NAME,
      version: 1 + (i % 2),
      latencyMs: 500 + ((i * 37) % 900),
      inputTokens: 120,
      outputTokens: 180 + (i % 40),
      formatOk: i % 10 !== 0,
      corrected: false,
      regenerated: false,
      at,
    })),
  );
  await recordFeedback(
    db,
    Array.from({ length: 10 }, (_, i) => ({
      id: `fb-${look}-${i}`,
      runId: `new-${look}-${i}`,
      thumbs: i % 4 === 0 ? ('down' as const) : ('up' as const),
      at,
    })),
  );
}

const round = (x: number) => Math.round(x * 100) / 100;

/** `npx tsx bench/guard-look.ts`: no Temporal needed; writes bench/results/guard-look.json. */
async function main(): Promise<void> {
  const result = await guardLookBench([10_000, 1_000_000], Number(process.env.BENCH_GUARD_LOOKS ?? 31));
  const file = path.join(__dirname, 'results', 'guard-look.json');
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
