import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { temporalCliPath } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../src/temporal/probe';
import { tuneOverhead } from './tune-overhead';

/** `npm run bench`: starts its own Temporal dev server on loopback and writes JSON under bench/results/. */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const server = await startDevServer({ cliPath: temporalCliPath(), port: await freePort(), headless: true });
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: quiet });
  const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  const results = [];
  try {
    results.push(await tuneOverhead(server.address, bundlePath, runs));
  } finally {
    await server.stop();
  }
  const out = {
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    results,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  for (const r of results)
    console.log(
      `${r.name}: median ratio ${r.medianRatio.toFixed(3)} (goal ${r.goal}); median wall ${Math.round(r.medianWallMs)} ms`,
    );
  console.log(`written ${path.relative(process.cwd(), file)}`);
}

const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
