import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAssertion, scriptsInFolder } from '../src/eval/assertions';
import { median } from './stats';

/**
 * The cost of one `javascript` assertion call: a fresh worker thread, a fresh QuickJS (WebAssembly) engine in
 * it, the script loaded and called. Calls run one after another, so this is the latency one case pays, not
 * the throughput of many (at most one script per core runs at a time).
 */
export async function assertionScriptBench(calls: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scripts-'));
  fs.writeFileSync(path.join(dir, 'check.cjs'), "module.exports = (output) => output.includes('yes');\n");
  fs.writeFileSync(path.join(dir, 'check.mjs'), "export default (output) => ({ pass: output.includes('yes') });\n");
  const timed = async (file: string) => {
    const ms: number[] = [];
    // Two untimed calls first: the first loads QuickJS's JavaScript glue into this process.
    for (let i = -2; i < calls; i++) {
      const t = performance.now();
      const r = await runAssertion(
        { type: 'javascript', file },
        { output: 'yes', vars: {}, scripts: scriptsInFolder(dir) },
      );
      if (!r.pass) throw new Error(`${file} failed in the bench: ${r.reason}`);
      if (i >= 0) ms.push(performance.now() - t);
    }
    return { medianMs: Math.round(median(ms) * 10) / 10, maxMs: Math.round(Math.max(...ms) * 10) / 10 };
  };
  const result = {
    name: 'assertion-scripts',
    calls,
    commonJs: await timed('check.cjs'),
    esModule: await timed('check.mjs'),
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}
