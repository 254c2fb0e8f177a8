import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import type { EvalCase } from '../src/eval/types';
import { recordVersion } from '../src/library/versions';
import { addDatasetVersion } from '../src/store/evals';
import { openStore } from '../src/store/open';
import { temporalCliPath } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/probe';
import { median } from './stats';

const ROOT = path.join(__dirname, '..');
const LATENCY_MS = 100;

/** A JavaScript entry point of this repository as its own Node process. */
function node(entry: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, path.join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `npm run build`: the compiled CLI and worker in dist/, as `refinery` (bin/refinery.js) and `npm run worker` run them. */
function build(): void {
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

/** The first line a process prints on stdout (its "ready" line); rejects if it exits first. */
function firstLine(child: ChildProcess, what: string): Promise<string> {
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}: ${err.slice(-2000)}`)));
  });
}

/** CPU seconds (user + system) a live process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 per second on Linux)
}

/** Peak resident set size of a live process in MiB (VmHWM: the kernel's high-water mark, no sampling gaps). */
function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Starts a new high-water mark at the current RSS (Linux: 5 to clear_refs), so each run reports its own peak. */
function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false; // not permitted here: the peak then covers every run so far
  }
}

/** The machine's 1-minute load average: other work competing for the cores the bench's processes share. */
const load1m = () => round(os.loadavg()[0]!, 1);

/**
 * The eval engine end to end: `refinery eval` (bin/refinery.js, the built CLI, its own process) against one worker
 * process (dist/worker.js with a prebuilt workflow bundle, as `npm run worker` runs it), a fake Anthropic-wire server
 * at 100 ms in a third process, SQLite store. Builds dist/ first (`npm run build`). Wall time is the CLI's, spawn to exit: estimate, start, every case,
 * summary, gate and report. Peak RSS is the worker process's high-water mark over all runs.
 */
export async function evalEngineBench(
  temporalAddress: string,
  bundlePath: string,
  o: { cases: number; concurrency: number; runs: number; provider?: 'anthropic' | 'openai' },
) {
  const provider = o.provider ?? 'anthropic';
  const ideal = (o.cases * LATENCY_MS) / 1000 / o.concurrency; // seconds: one call per case, every slot always busy
  build();
  const fake = node('test/fakes/serve.ts', ['--latency-ms', String(LATENCY_MS)], {}, ['--import', 'tsx']);
  const fakeUrl = (JSON.parse(await firstLine(fake, 'the fake server')) as Record<typeof provider, string>)[provider];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-eval-engine-'));
  const dbUrl = `sqlite:${path.join(dir, 'bench.db')}`;
  let worker: ChildProcess | undefined;
  try {
    const db = await openStore(dbUrl);
    await recordVersion(
      db,
      'bench-qa',
      { type: 'text', text: 'Question: {{q}}', variables: ['q'] },
      { rationale: 'bench', author: 'bench' },
    );
    const cases: EvalCase[] = Array.from({ length: o.cases }, (_, i) => ({
      id: `c${i}`,
      vars: { q: `q${i}` },
      assertions: [{ type: 'contains', value: `q${i}` }],
      tags: [],
      required: false,
    }));
    const ds = await addDatasetVersion(db, { name: 'bench-set', cases, source: 'bench', author: 'bench' });
    await db.close();

    const env = {
      TEMPORAL_ADDRESS: temporalAddress,
      REFINERY_TASK_QUEUE: `bench-eval-engine-${process.pid}`,
      REFINERY_DATABASE_URL: dbUrl,
      REFINERY_HOME: dir,
      REFINERY_PROVIDER: provider,
      ...(provider === 'openai'
        ? { OPENAI_API_KEY: 'bench-key', OPENAI_BASE_URL: fakeUrl }
        : { ANTHROPIC_API_KEY: 'bench-key', ANTHROPIC_BASE_URL: fakeUrl }),
      REFINERY_USER: 'bench',
      REFINERY_LOG_LEVEL: 'warn',
    };
    // The node flags `npm run worker` (and the Docker image) start the worker with; BENCH_WORKER_NODE_ARGS
    // (e.g. --cpu-prof) adds to them.
    const workerArgs = [
      ...deployedWorkerNodeArgs(),
      ...(process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ];
    worker = node('dist/worker.js', [], { ...env, REFINERY_WORKFLOW_BUNDLE: bundlePath }, workerArgs);
    await firstLine(worker, 'the worker');
    const idleRssMiB = peakRssMiB(worker.pid!);

    const runs: {
      seconds: number;
      ofIdeal: number;
      afterStartSeconds: number;
      workerCpuSeconds: number;
      workerCpuMsPerCase: number;
      fakeCpuSeconds: number;
      workerPeakRssMiB: number;
      loadBefore: number;
      loadAfter: number;
    }[] = [];
    let perRunPeaks = true;
    for (let i = 0; i < o.runs; i++) {
      perRunPeaks = resetPeakRss(worker.pid!) && perRunPeaks;
      const loadBefore = load1m();
      const cpu0 = { worker: cpuSeconds(worker.pid!), fake: cpuSeconds(fake.pid!) };
      const t0 = performance.now();
      const cli = node(
        'bin/refinery.js',
        [
          'eval',
          'bench-qa',
          '--dataset',
          `bench-set@${ds.version}`,
          '--concurrency',
          String(o.concurrency),
          '--no-cache',
          '--output',
          'json',
        ],
        env,
      );
      let out = '';
      let err = '';
      cli.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      let startedAt = 0;
      cli.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (!startedAt && /run \S+ started/.test(err)) startedAt = performance.now();
      });
      const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) throw new Error(`refinery eval exited ${code}: ${err.slice(-2000)}`);
      const result = JSON.parse(out) as { evaluated: number; passed: number };
      if (result.evaluated !== o.cases || result.passed !== o.cases)
        throw new Error(`refinery eval evaluated ${result.evaluated}, passed ${result.passed} of ${o.cases}`);
      const workerCpuSeconds = cpuSeconds(worker.pid!) - cpu0.worker;
      runs.push({
        seconds: round(seconds, 2),
        ofIdeal: round(ideal / seconds, 3),
        // From the CLI's "run … started" to its exit: the workflow, the wait and the printing, without start-up.
        afterStartSeconds: round((performance.now() - startedAt) / 1000, 2),
        // CPU the worker and the fake server used for the run: what a loaded machine must find for them. Per case it
        // is the figure that load changes least (wall time stretches with every other process on the cores).
        workerCpuSeconds: round(workerCpuSeconds, 2),
        workerCpuMsPerCase: round((workerCpuSeconds * 1000) / o.cases, 3),
        fakeCpuSeconds: round(cpuSeconds(fake.pid!) - cpu0.fake, 2),
        workerPeakRssMiB: peakRssMiB(worker.pid!),
        loadBefore,
        loadAfter: load1m(),
      });
    }
    const workerPeakRssMiB = Math.max(...runs.map((r) => r.workerPeakRssMiB));
    const seconds = median(runs.map((r) => r.seconds));
    const cores = os.cpus().length;
    const maxLoad = Math.max(...runs.flatMap((r) => [r.loadBefore, r.loadAfter]));
    return {
      name: 'eval-engine',
      setup:
        `${o.cases} cases, concurrency ${o.concurrency}, fake ${provider === 'openai' ? 'OpenAI' : 'Anthropic'}-wire server at ${LATENCY_MS} ms, no cache, SQLite; ` +
        'measured end to end through `refinery eval` (CLI process spawn to exit) against one worker process',
      notes:
        'The CLI (bin/refinery.js) and the worker (dist/worker.js) run compiled, as deployed; ' +
        'the workflow bundle is prebuilt (REFINERY_WORKFLOW_BUNDLE). Temporal dev server, worker, CLI and fake share the machine. ' +
        'Ideal = cases x 100 ms / concurrency.',
      idealSeconds: round(ideal, 2),
      runs,
      medianSeconds: seconds,
      casesPerSecond: round(o.cases / seconds, 1),
      ofIdeal: round(ideal / seconds, 3),
      medianOfIdeal: round(median(runs.map((r) => r.ofIdeal)), 3),
      medianWorkerCpuMsPerCase: round(median(runs.map((r) => r.workerCpuMsPerCase)), 3),
      workerPeakRssMiB,
      // Per run when the kernel let the bench reset the high-water mark; otherwise over all runs so far.
      workerPeakRssPerRun: perRunPeaks,
      workerIdleRssMiB: idleRssMiB,
      machineLoad: {
        cores,
        maxLoad1m: maxLoad,
        // At a load above the core count the other processes take cores from the worker, the fake and Temporal:
        // the wall-clock share then says more about the machine than about the engine.
        wallClockReliable: maxLoad <= cores,
      },
      goal: '>= 85% of ideal, worker RSS < 400 MB',
    };
  } finally {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    fake.kill('SIGTERM');
  }
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * `npx tsx bench/eval-engine.ts [cases] [concurrency] [runs] [anthropic|openai]`: its own dev server; writes
 * bench/results/eval-engine.json (eval-engine-openai.json over the OpenAI fake).
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const [cases, concurrency, runs] = [20_000, 128, 3].map((d, i) => Number(process.argv[2 + i] ?? d));
  const provider = process.argv[5] === 'openai' ? 'openai' : 'anthropic';
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), headless: true });
  try {
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src/workflows'),
      workflowInterceptorModules: [require.resolve('../src/workflows/store-interceptors')],
      logger: quiet,
    });
    const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'bundle.js');
    fs.writeFileSync(bundlePath, bundle.code);
    const result = await evalEngineBench(server.address, bundlePath, {
      cases: cases!,
      concurrency: concurrency!,
      runs: runs!,
      provider,
    });
    const file = path.join(
      __dirname,
      'results',
      provider === 'openai' ? 'eval-engine-openai.json' : 'eval-engine.json',
    );
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

/** The node flags of package.json's `worker` script: the worker as deployed. */
function deployedWorkerNodeArgs(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { worker: string } };
  const words = pkg.scripts.worker.split(/\s+/);
  return words.slice(1).filter((w) => w.startsWith('--'));
}
