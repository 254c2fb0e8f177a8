import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../../src/temporal/probe';
import { eventually, tempDir } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');

/** The lines of the fenced bash block that follows `<!-- marker -->` in README.md. */
function tourBlock(readme: string, marker: string): string[] {
  const at = readme.indexOf(`<!-- ${marker} -->`);
  if (at === -1) throw new Error(`README.md has no <!-- ${marker} --> block`);
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`no bash block after <!-- ${marker} -->`);
  return block[1]!.split('\n').filter((l) => l.trim() !== '');
}

/** The exit code a tour line announces in its comment (`# exit 100: …`), else 0. */
function expectedExit(line: string): number {
  const m = /#.*\bexit (\d+)/.exec(line);
  return m ? Number(m[1]) : 0;
}

/**
 * A folder laid out as the tour expects (the repository's examples/), a `refinery` on PATH that runs this
 * checkout's CLI, and an environment with no keys, no remote API and its own home, ports and Temporal server.
 */
function tourMachine() {
  const cwd = tempDir('tour');
  fs.cpSync(path.join(ROOT, 'examples'), path.join(cwd, 'examples'), { recursive: true });
  const bin = path.join(cwd, '.bin');
  fs.mkdirSync(bin);
  const tsx = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const main = path.join(ROOT, 'src', 'cli', 'main.ts');
  fs.writeFileSync(
    path.join(bin, 'refinery'),
    `#!/bin/sh\nexec "${process.execPath}" --import ${tsx} "${main}" "$@"\n`,
    {
      mode: 0o755,
    },
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(REFINERY_|ANTHROPIC_|GEMINI_|OPENAI_|OTEL_)/.test(k)) env[k] = v;
  return { cwd, bin, env };
}

function run(line: string, cwd: string, env: Record<string, string>) {
  const child = spawn('bash', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('the README tour', () => {
  test('runs as written against a real stack on the offline provider, and leaves the state it describes', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const [background, ...more] = tourBlock(readme, 'tour:background');
    expect(more).toEqual([]);
    const lines = tourBlock(readme, 'tour');
    const { cwd, bin, env: base } = tourMachine();
    const port = await freePort();
    const env = {
      ...base,
      PATH: `${bin}:${base.PATH ?? ''}`,
      CI: 'true',
      REFINERY_HOME: path.join(cwd, '.refinery'),
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      REFINERY_UI_PORT: String(await freePort()),
    };

    // The tour follows `npm start` (which builds, then runs `refinery start`) in the same home: its example skill
    // is already in the library, so the tour's names must not collide with it.
    const start = run('refinery start --exit', cwd, env);
    expect(await start.exited).toBe(0);
    expect(start.output()).toContain('threshold-met');

    // `bash -c` with one command execs it, and the shim execs node: the child is the CLI itself.
    const stack = run(background!, cwd, env);
    try {
      await eventually(() => stack.output().includes('Press Ctrl-C'), 150_000, 'refinery dev to come up');
      const outputs: string[] = [];
      for (const line of lines) {
        const step = run(line, cwd, env);
        const code = await step.exited;
        outputs.push(step.output());
        if (code !== expectedExit(line))
          throw new Error(`\`${line}\` exited ${code}, the tour says ${expectedExit(line)}:\n${step.output()}`);
      }
      const said = (command: string) => outputs[lines.findIndex((l) => l.startsWith(command))]!;

      expect(said('refinery push')).toContain('release-prompt: created version 1');
      expect(said('refinery dataset add')).toContain('dataset release-prompt-cases@1: 5 cases');
      expect(said('refinery eval release-prompt --dataset')).toContain('## Gate: FAILED');
      // The tune stalls and, with nobody to answer here (CI), ends with the commands that decide it; the run waits.
      const tune = said('refinery tune');
      const runId = /started (optimize-release-prompt-[0-9a-f]{12})/.exec(tune)![1]!;
      expect(tune).toContain('awaiting a decision: no accepted candidate in 1 rounds');
      expect(tune).toContain('refinery decide release-prompt --action continue|accept|rollback|cancel');
      expect(tune).not.toContain('labelled candidate');
      // Decide by the prompt's name finds that run, and the accepted candidate becomes version 2.
      const decide = said('refinery decide');
      expect(decide).toContain(`release-prompt: deciding ${runId}, its run awaiting a decision`);
      expect(decide).toContain('version 2 of release-prompt, labelled candidate');
      const status = run(`refinery status ${runId}`, cwd, env);
      expect(await status.exited).toBe(0);
      expect(status.output()).toContain('decision: accept by ana');
      expect(status.output()).toContain('stopped: accepted');
      const report = /report: (\S+release-prompt\.md)/.exec(decide)![1]!;
      expect(report.startsWith(path.join(cwd, 'docs', 'feedbacks'))).toBe(true);
      expect(fs.readFileSync(report, 'utf8')).toMatch(/\*\*accept\*\* by ana on "converged-below-threshold"/);
      expect(said('refinery eval release-prompt --version 2')).toContain('## Gate: PASSED');
      expect(said('refinery rollout status')).toMatch(/step \d+ · \d+% on v2 \(control v1\)/);
      expect(said('refinery rollback')).toMatch(/split: rollout-release-prompt-\S+ set to 0%/);
      const labels = said('refinery labels');
      expect(labels).toMatch(/^production\s+v1\b/m);
      expect(labels).toMatch(/^candidate\s+v2\b/m);
      // The rollout stops after the emergency rollback: its workflow ends rolled back.
      await eventually(
        async () => {
          const status = run('refinery rollout status release-prompt', cwd, env);
          return (await status.exited) === 0 && /rolled-back · step \d+ · 0% on v2/.test(status.output());
        },
        60_000,
        'the rollout to end rolled back',
      );
    } finally {
      stack.child.kill('SIGINT');
      await stack.exited;
    }
  }, 420_000);
});
