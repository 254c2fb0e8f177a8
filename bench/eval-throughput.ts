import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { DEFAULT_EVAL_SETTINGS, startEval } from '../src/clients/eval';
import type { EvalCase } from '../src/eval/types';
import { recordVersion } from '../src/library/versions';
import { addDatasetVersion } from '../src/store/evals';
import { openStore } from '../src/store/open';

const CASES = 2000;
const CONCURRENCY = 32;
const LATENCY_MS = 100;
const IDEAL = (CONCURRENCY * 1000) / LATENCY_MS; // 320 cases/s

export type FakeUrls = { anthropic: string; openai: string };

/** The fake Anthropic and OpenAI servers in their own process, so no contender shares their event loop. */
export async function startFake(): Promise<{ url: FakeUrls; cpuSeconds(): number; stop(): void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, '..', 'test', 'fakes', 'serve.ts'), '--latency-ms', String(LATENCY_MS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<FakeUrls>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as FakeUrls));
    child.once('exit', (c) => reject(new Error(`fake server exited ${c}`)));
  });
  return { url, cpuSeconds: () => processCpuSeconds(child.pid!), stop: () => child.kill('SIGTERM') };
}

/** CPU seconds (user + system) another live process has used so far (Linux /proc; clock ticks of 1/100 s). */
function processCpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// The same eval through each provider's adapter and SDK; only the wire format and the fake answering it differ.
const VENDORS = {
  anthropic: {
    model: 'claude-sonnet-4-6',
    providers: (url: string) => ({ anthropic: { apiKey: 'bench-key', baseUrl: url }, gemini: {} }),
  },
  openai: {
    model: 'gpt-4.1-mini',
    providers: (url: string) => ({ anthropic: {}, gemini: {}, openai: { apiKey: 'bench-key', baseUrl: url } }),
  },
} as const;

async function refinery(
  temporalAddress: string,
  bundlePath: string,
  fakeUrl: string,
  vendor: keyof typeof VENDORS = 'anthropic',
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-eval-'));
  const db = await openStore(`sqlite:${path.join(dir, 'bench.db')}`);
  const v = await recordVersion(
    db,
    'bench-qa',
    { type: 'text', text: 'Question: {{q}}', variables: ['q'] },
    { rationale: 'bench', author: 'bench' },
  );
  const cases: EvalCase[] = Array.from({ length: CASES }, (_, i) => ({
    id: `c${i}`,
    vars: { q: `q${i}` },
    assertions: [{ type: 'contains', value: `q${i}` }],
    tags: [],
    required: false,
  }));
  const ds = await addDatasetVersion(db, {
    name: 'bench-set',
    cases,
    source: path.join(dir, 'cases.jsonl'),
    author: 'bench',
  });
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  const taskQueue = `bench-eval-${vendor}-${process.pid}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { codePath: bundlePath },
    activities: createActivities({
      db,
      providers: { provider: vendor, ...VENDORS[vendor].providers(fakeUrl) },
    }),
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await worker.runUntil(async () => {
    const started = await startEval(client, taskQueue, {
      target: { name: 'bench-qa', version: v.version },
      dataset: { name: 'bench-set', version: ds.version },
      settings: {
        ...DEFAULT_EVAL_SETTINGS,
        provider: vendor,
        model: VENDORS[vendor].model,
        concurrency: CONCURRENCY,
        noCache: true,
        chunkSize: 250,
        parallelChunks: 4,
      },
    });
    return await started.handle.result();
  });
  const seconds = (performance.now() - t0) / 1000;
  // This process's CPU: the worker (activities, workflow threads, Temporal core) and the client waiting for the run.
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerCase = (cpu.user + cpu.system) / 1000 / CASES;
  await connection.close();
  await nativeConnection.close();
  await db.close();
  if (result.evaluated !== CASES || result.passed !== CASES)
    throw new Error(`refinery evaluated ${result.evaluated}, passed ${result.passed}`);
  return { seconds, casesPerSecond: CASES / seconds, cpuMsPerCase };
}

async function promptfoo(fakeUrl: string) {
  const root = path.join(__dirname, 'promptfoo');
  const bin = path.join(root, 'node_modules', '.bin', 'promptfoo');
  if (!fs.existsSync(bin)) await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund'], { cwd: root });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-promptfoo-'));
  const tests = Array.from(
    { length: CASES },
    (_, i) => `  - vars: { q: q${i} }\n    assert: [{ type: contains, value: q${i} }]`,
  ).join('\n');
  fs.writeFileSync(
    path.join(dir, 'promptfooconfig.yaml'),
    `prompts:\n  - 'Question: {{q}}'\nproviders:\n  - id: anthropic:messages:claude-sonnet-4-6\n    config: { max_tokens: 1024 }\ntests:\n${tests}\n`,
  );
  const env = {
    ...process.env,
    ANTHROPIC_API_KEY: 'bench-key',
    ANTHROPIC_BASE_URL: fakeUrl,
    PROMPTFOO_DISABLE_TELEMETRY: '1',
    PROMPTFOO_DISABLE_UPDATE: '1',
    PROMPTFOO_DISABLE_SHARING: '1',
    PROMPTFOO_CONFIG_DIR: path.join(dir, '.promptfoo'),
  };
  const t0 = performance.now();
  await promisify(execFile)(
    bin,
    [
      'eval',
      '-c',
      'promptfooconfig.yaml',
      '-j',
      String(CONCURRENCY),
      '--no-cache',
      '--no-table',
      '--no-progress-bar',
      '-o',
      'out.json',
    ],
    {
      cwd: dir,
      env,
      maxBuffer: 64 * 1024 * 1024,
    },
  ).catch((err: { code?: number }) => {
    if (err.code !== 100) throw err; // 100: some assertion failed; the timing still counts
  });
  const seconds = (performance.now() - t0) / 1000;
  const out = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as {
    results: { stats: { successes: number; failures: number } };
  };
  return {
    seconds,
    casesPerSecond: CASES / seconds,
    successes: out.results.stats.successes,
    failures: out.results.stats.failures,
  };
}

/**
 * The same eval over the Anthropic and the OpenAI fake: one warm-up run of each, then A O O A so that drift of a
 * shared machine falls on both alike; each vendor's figure is the mean of its two measured runs.
 */
export async function providerThroughput(
  temporalAddress: string,
  bundlePath: string,
  url: FakeUrls,
  fakeCpuSeconds?: () => number,
) {
  type Run = { seconds: number; casesPerSecond: number; cpuMsPerCase: number; fakeCpuMsPerCase?: number };
  const runs: Record<'anthropic' | 'openai', Run[]> = { anthropic: [], openai: [] };
  // One discarded run of each first: the first eval of a process pays for JIT warm-up and a cold store.
  for (const vendor of ['anthropic', 'openai'] as const)
    await refinery(temporalAddress, bundlePath, url[vendor], vendor);
  for (const vendor of ['anthropic', 'openai', 'openai', 'anthropic'] as const) {
    const fake0 = fakeCpuSeconds?.();
    const run: Run = await refinery(temporalAddress, bundlePath, url[vendor], vendor);
    if (fake0 !== undefined) run.fakeCpuMsPerCase = ((fakeCpuSeconds!() - fake0) * 1000) / CASES;
    runs[vendor].push(run);
  }
  const avg = (list: Run[], of: (r: Run) => number | undefined) =>
    list.reduce((sum, r) => sum + (of(r) ?? NaN), 0) / list.length;
  const mean = (list: Run[]) => ({
    seconds: avg(list, (r) => r.seconds),
    casesPerSecond: avg(list, (r) => r.casesPerSecond),
    runs: list.map((r) => Math.round(r.casesPerSecond * 10) / 10),
    // CPU per case is what machine load changes least: the figure to compare the two SDK paths by.
    cpuMsPerCase: Math.round(avg(list, (r) => r.cpuMsPerCase) * 1000) / 1000,
    ...(fakeCpuSeconds ? { fakeCpuMsPerCase: Math.round(avg(list, (r) => r.fakeCpuMsPerCase) * 1000) / 1000 } : {}),
  });
  const anthropic = mean(runs.anthropic);
  const openai = mean(runs.openai);
  return {
    anthropic,
    openai,
    openaiOverAnthropic: openai.casesPerSecond / anthropic.casesPerSecond,
    openaiOverAnthropicCpu: openai.cpuMsPerCase / anthropic.cpuMsPerCase,
    load1m: Math.round(os.loadavg()[0]! * 10) / 10,
  };
}

/**
 * Eval throughput: 2,000 cases, fakes at 100 ms, concurrency 32 — Refinery over the Anthropic and the OpenAI fake,
 * and promptfoo over the Anthropic fake, in one run.
 */
export async function evalThroughput(temporalAddress: string, bundlePath: string) {
  const fake = await startFake();
  try {
    const {
      anthropic: ours,
      openai,
      openaiOverAnthropic,
      openaiOverAnthropicCpu,
      load1m,
    } = await providerThroughput(temporalAddress, bundlePath, fake.url, () => fake.cpuSeconds());
    const theirs = await promptfoo(fake.url.anthropic);
    return {
      name: 'eval-throughput',
      setup: `${CASES} cases, fake Anthropic-wire server at ${LATENCY_MS} ms, concurrency ${CONCURRENCY}, no cache`,
      ideal: IDEAL,
      refinery: { ...ours, ofIdeal: ours.casesPerSecond / IDEAL, goal: '>= 85% of ideal' },
      refineryOpenAI: {
        ...openai,
        setup: `the same eval over the fake OpenAI-wire server (Chat Completions, ${VENDORS.openai.model})`,
        openaiOverAnthropic,
        // Bench-process CPU per case (worker and client) over the OpenAI path, relative to the Anthropic path.
        openaiOverAnthropicCpu,
        goal: 'within 5% of the Anthropic fake',
        withinGoal: Math.abs(1 - openaiOverAnthropic) <= 0.05,
        notSlower: openaiOverAnthropic >= 0.95,
      },
      promptfoo: { version: '0.121.20', ...theirs },
      // The machine's 1-minute load after the provider runs: above its core count, wall-clock figures say more about
      // the other processes than about Refinery (CPU per case holds up better).
      load1m,
      refineryOverPromptfoo: ours.casesPerSecond / theirs.casesPerSecond,
      goal: '>= 1.0x promptfoo',
    };
  } finally {
    fake.stop();
  }
}
