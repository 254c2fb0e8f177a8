import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { temporalCliPath } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/probe';
import { execFileSync } from 'node:child_process';
import { assertionScriptBench } from './assertion-scripts';
import { calendarHistoryBench } from './calendar-history';
import { evalEngineBench } from './eval-engine';
import { evalThroughput } from './eval-throughput';
import { guardLookBench } from './guard-look';
import { harvestBenchOnBoth } from './harvest';
import { libraryBench } from './library';
import { optimizerBench, optionsFromEnv, writeOptimizerResult } from './optimizer';
import { rolloutBench } from './rollout';
import { skillTokensBench } from './skill-tokens';
import { tuneOverhead } from './tune-overhead';

/** `npm run bench`: starts its own Temporal dev server on loopback and writes JSON under bench/results/. */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const only = process.env.BENCH_ONLY?.split(',');
  const want = (name: string) => !only || only.includes(name);
  const results: unknown[] = [];
  // Only the benches that run workflows need the dev server and the bundle (the optimizer's, for one, does not).
  if (['tune', 'eval', 'eval-engine', 'rollout', 'calendar'].some(want)) await temporalBenches(want, runs, results);
  if (want('library')) {
    // The same PostgreSQL the tests use: started (or found running) by scripts/postgres.sh.
    const pgUrl =
      process.env.REFINERY_TEST_POSTGRES_URL ??
      execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'postgres.sh')], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop()!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lib-'));
    const pgDb = `bench_${process.pid}`;
    execFileSync('psql', [pgUrl, '-qc', `CREATE DATABASE ${pgDb}`]);
    results.push(
      await libraryBench(
        [
          { name: 'sqlite', databaseUrl: `sqlite:${path.join(dir, 'bench.db')}` },
          { name: 'postgres', databaseUrl: pgUrl.replace(/\/[^/]*$/, `/${pgDb}`) },
        ],
        Number(process.env.BENCH_SECONDS ?? 10),
      ),
    );
    execFileSync('psql', [pgUrl, '-qc', `DROP DATABASE ${pgDb}`]);
  }
  // The optimizer on a simulated task world against the previous loop (also written to bench/results/optimizer.json).
  if (want('optimizer')) {
    const optimizer = await optimizerBench(optionsFromEnv());
    writeOptimizerResult(optimizer);
    results.push({ ...optimizer, rows: undefined });
  }
  // One sandboxed `javascript` assertion call, start to verdict.
  if (want('scripts')) results.push(await assertionScriptBench(Number(process.env.BENCH_SCRIPT_CALLS ?? 30)));
  // The rollout guard's look on SQLite at 10k and 1M stored runs (1M takes about 20 s to seed).
  if (want('guard'))
    results.push(await guardLookBench([10_000, 1_000_000], Number(process.env.BENCH_GUARD_LOOKS ?? 31)));
  // The daily harvest at 1,000,000 stored runs on SQLite and PostgreSQL (seeding takes about a minute).
  if (want('harvest'))
    results.push(
      await harvestBenchOnBoth(
        Number(process.env.BENCH_HARVEST_RUNS ?? 1_000_000),
        Number(process.env.BENCH_HARVEST_DAYS ?? 3),
      ),
    );
  // Executor and judge input tokens per iteration for a 1 MiB skill, inline versus agent execution.
  if (want('skill-tokens')) results.push(await skillTokensBench());
  const out = {
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    results,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  // A partial run (BENCH_ONLY) replaces only its own entries; the others stay as last measured.
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as typeof out) : undefined;
  const named = (r: unknown) => (r as { name: string }).name;
  const kept = (previous?.results ?? []).filter((r) => !results.some((n) => named(n) === named(r)));
  fs.writeFileSync(file, JSON.stringify({ ...out, results: [...kept, ...results] }, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
  console.log(`written ${path.relative(process.cwd(), file)}`);
}

/** The benches that need a Temporal dev server (started on loopback here) and the workflow bundle. */
async function temporalBenches(want: (name: string) => boolean, runs: number, results: unknown[]): Promise<void> {
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), headless: true });
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    workflowInterceptorModules: [require.resolve('../src/workflows/store-interceptors')],
    logger: quiet,
  });
  const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  try {
    if (want('tune')) results.push(await tuneOverhead(server.address, bundlePath, runs));
    if (want('eval')) results.push(await evalThroughput(server.address, bundlePath));
    // `refinery eval` end to end at scale: 20,000 cases at concurrency 128, share of ideal and the worker's peak RSS.
    if (want('eval-engine'))
      results.push(
        await evalEngineBench(server.address, bundlePath, {
          cases: Number(process.env.BENCH_EVAL_CASES ?? 20_000),
          concurrency: 128,
          runs: Number(process.env.BENCH_EVAL_RUNS ?? 3),
        }),
      );
    if (want('rollout')) results.push(await rolloutBench(server.address, bundlePath, 5));
    // Five years of daily reviews (about 10 minutes on 2 cores): every run's history stays tiny.
    if (want('calendar'))
      results.push(
        await calendarHistoryBench(server.address, bundlePath, Number(process.env.BENCH_CALENDAR_DAYS ?? 1826)),
      );
  } finally {
    await server.stop();
  }
}

const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
