import fs from 'node:fs';
import path from 'node:path';
import { sharedTestEnv } from '../support/shared-env';
import { runCli } from '../support/cli';
import { eventually, uniqueId, withWorker } from '../support/temporal';
import { optimizeHarness, type OptimizeHarness } from '../support/optimize/optimize-harness';
import { judgeJson, tuneHarness, type TuneHarness } from '../support/tune-harness';

const open: TuneHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function setup(scores: number[]) {
  const h = await tuneHarness({
    judge: (_req, it) => ({ text: judgeJson(scores[it - 1] ?? scores[scores.length - 1]!) }),
  });
  open.push(h);
  const taskQueue = uniqueId('tq');
  const env = {
    TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
    REFINERY_TASK_QUEUE: taskQueue,
    REFINERY_DATABASE_URL: h.dbUrl,
    REFINERY_HOME: h.dir,
  };
  return { h, taskQueue, env };
}

describe('refinery tune: bad input is refused with nothing written', () => {
  test.each([
    [
      'a missing folder',
      () => ({ dir: '/nonexistent/skill' }),
      /does not exist: pass the path of a folder containing SKILL.md/,
    ],
    [
      'no SKILL.md',
      (h: TuneHarness) => ({ dir: h.makeSkill('nomd', { 'README.md': 'x' }) }),
      /has no SKILL.md: add one/,
    ],
    [
      'a symlink inside',
      (h: TuneHarness) => {
        const dir = h.makeSkill('linked');
        fs.symlinkSync('/etc/hostname', path.join(dir, 'link.md'));
        return { dir };
      },
      /link.md .* is a symlink/,
    ],
    [
      'a binary SKILL.md',
      (h: TuneHarness) => ({ dir: h.makeSkill('bin', { 'SKILL.md': '# x\u0000', 'logo.png': '\u0000PNG' }) }),
      /SKILL\.md in .* is a binary file/,
    ],
    [
      'a file over the cap',
      (h: TuneHarness) => ({ dir: h.makeSkill('huge', { 'SKILL.md': '# x', 'big.md': 'x'.repeat(1024 * 1024 + 1) }) }),
      /over the 1048576-byte cap per text file/,
    ],
    [
      'a bad golden line',
      (h: TuneHarness) => {
        const golden = path.join(h.dir, 'golden.jsonl');
        fs.writeFileSync(golden, '{"input":"ok"}\n{"expected":"no input"}\n');
        return { dir: h.makeSkill('golden'), extra: ['--golden', golden] };
      },
      /golden.jsonl:2: input:/,
    ],
  ])('%s', async (_name, make, message) => {
    const { h, env } = await setup([90]);
    const { dir, extra = [] } = make(h) as { dir: string; extra?: string[] };
    const { code, out } = await runCli(['tune', dir, '--scenario', 'x', ...extra], env);
    expect(code).toBe(2);
    expect(out).toMatch(message);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(await h.db.all('SELECT * FROM library_versions')).toHaveLength(0);
    expect(await h.db.all('SELECT * FROM tune_runs')).toHaveLength(0);
  });
});

/** The folder form runs on the optimizer's fakes: the executor mentions the topics its skill has rules for. */
async function optimizerSetup(improver?: Parameters<typeof optimizeHarness>[0]['improver']) {
  const h = await optimizeHarness(improver ? { improver } : {});
  openOptimize.push(h);
  const taskQueue = uniqueId('tq');
  const env = {
    TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
    REFINERY_TASK_QUEUE: taskQueue,
    REFINERY_DATABASE_URL: h.dbUrl,
    REFINERY_HOME: h.dir,
  };
  const makeSkill = (name: string) => {
    const dir = path.join(h.dir, 'skills', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'SKILL.md'), `---\nname: ${name}\ndescription: answers\n---\n# ${name}\n`);
    return dir;
  };
  /** n golden cases, half expecting apples and half boats: each passes only with the rule for its topic. */
  const golden = (n: number) => {
    const file = path.join(h.dir, `golden-${n}.jsonl`);
    const lines = Array.from({ length: n }, (_, i) =>
      JSON.stringify({ input: `Question: q${i + 1}`, expected: i % 2 ? 'boats' : 'apples' }),
    );
    fs.writeFileSync(file, lines.join('\n'));
    return file;
  };
  return { h, taskQueue, env, makeSkill, golden };
}
const openOptimize: OptimizeHarness[] = [];
afterEach(async () => {
  for (const h of openOptimize.splice(0)) await h.close();
});

describe('refinery tune <skill-dir>, status, list, decide, restore', () => {
  test('--wait --dry-run shows progress, the report path and leaves the folder untouched', async () => {
    const { h, taskQueue, env, makeSkill, golden } = await optimizerSetup();
    const dir = makeSkill('dry');
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    const scenario = path.join(h.dir, 'scenario.txt');
    fs.writeFileSync(scenario, 'Question: q0');
    const { code, out } = await withWorker(taskQueue, { db: h.db, providers: h.providers }, () =>
      runCli(
        [
          'tune',
          dir,
          '--scenario',
          `@${scenario}`,
          '--golden',
          golden(6),
          '--minibatch',
          '8',
          '--wait',
          '--dry-run',
          '--threshold',
          '80',
          '--output',
          h.dir,
        ],
        env,
      ),
    );
    expect(code).toBe(0);
    expect(out).toMatch(
      /started optimize-dry-[0-9a-f]+\n {2}http:\/\/.*\/namespaces\/default\/workflows\/optimize-dry-/,
    );
    expect(out).toMatch(/\[dry\] round \d+\/5 · completed · best \d+/);
    expect(out).toContain('not written (dry run); the diff would be:');
    expect(out).toContain('+Always mention apples.');
    expect(out).toMatch(/report: .*docs\/feedbacks\/cycle-\d{4}-\d{2}-\d{2}\/dry\.md/);
    // The run ends by asking for a post-run eval, with a command that works as printed.
    const ask = /was it effective\? refinery review tune (optimize-dry-[0-9a-f]+) --effective/.exec(out);
    expect(ask).not.toBeNull();
    const review = await runCli(['review', 'tune', ask![1]!, '--effective', 'yes', '--better', 'nothing'], env);
    expect(review).toMatchObject({ code: 0 });
    expect(review.out).toContain(`recorded post-run eval pre-`);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    // A dry run makes no version: the library holds the pushed folder only.
    const { code: c2, out: listOut } = await runCli(['restore', dir], env);
    expect(c2).toBe(0);
    expect(listOut).toMatch(/v1 .* content at the start of a tune run/);
    expect(listOut).not.toMatch(/\nv2 /);
  });

  test('a stalled run is listed, shown and decided from the CLI; restore undoes the outcome', async () => {
    // The improver learns one topic and then has nothing better: the run converges below its threshold and waits.
    const apples = (shown: { documents: { path: string }[] }) => ({
      summary: 'mention apples',
      edits: [{ path: shown.documents[0]!.path, action: 'append' as const, text: '\nAlways mention apples.' }],
    });
    const { h, taskQueue, env, makeSkill, golden } = await optimizerSetup(apples);
    const dir = makeSkill('stalls');
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    const workflowId = await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const started = await runCli(
        [
          'tune',
          dir,
          '--scenario',
          'Question: q0',
          '--golden',
          golden(10),
          '--minibatch',
          '12',
          '--patience',
          '1',
          '--threshold',
          '90',
          '--json',
          '--output',
          h.dir,
        ],
        env,
      );
      expect(started.code).toBe(0);
      const { workflowId } = (JSON.parse(started.out) as { workflowId: string }[])[0]!;

      await eventually(
        async () => (await runCli(['list', '--status', 'awaiting-decision'], env)).out.includes(workflowId),
        60_000,
        'the list',
      );
      const status = await runCli(['status', workflowId], env);
      expect(status.code).toBe(4);
      expect(status.out).toContain('awaiting a decision since');
      expect(status.out).toContain(`refinery decide ${workflowId}`);
      const early = await runCli(['outcome', workflowId, '--write'], env);
      expect(early.code).toBe(2);
      expect(early.out).toContain(`${workflowId} has not finished: follow it with \`refinery status ${workflowId}\``);

      const refused = await runCli(['decide', workflowId, '--action', 'continue', '--by', 'ana'], env);
      expect(refused.code).toBe(2);
      expect(refused.out).toContain('decision refused: continue needs --iterations between 1 and 50');

      const accepted = await runCli(['decide', workflowId, '--action', 'accept', '--by', 'ana', '--note', 'fine'], env);
      expect(accepted.code).toBe(0);
      await eventually(
        async () => (await runCli(['status', workflowId], env)).out.includes('decision: accept by ana (fine)'),
        60_000,
        'completion',
      );
      await eventually(
        async () => (await runCli(['status', workflowId], env)).out.includes('labelled candidate'),
        60_000,
        'the outcome',
      );
      return workflowId;
    });
    // Started without --wait: the worker wrote nothing here; `refinery outcome` shows, then writes, the outcome.
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    const preview = await runCli(['outcome', workflowId], env);
    expect(preview.code).toBe(0);
    expect(preview.out).toContain(`would write SKILL.md into ${dir}`);
    expect(preview.out).toMatch(/would write the report to .*docs\/feedbacks\/cycle-\d{4}-\d{2}-\d{2}\/stalls\.md/);
    expect(preview.out).toContain('+Always mention apples.');
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    const written = await runCli(['outcome', workflowId, '--write'], env);
    expect(written.code).toBe(0);
    expect(written.out).toContain(`written back to ${dir}: SKILL.md`);
    const reportPath = /report: (\S+)/.exec(written.out)![1]!;
    expect(fs.readFileSync(reportPath, 'utf8')).toContain('stalls');
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(`${before}\nAlways mention apples.`);
    const restored = await runCli(['restore', dir, '--version', '1'], env);
    expect(restored.code).toBe(0);
    expect(restored.out).toContain('-Always mention apples.');
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    const missing = await runCli(['restore', dir, '--version', '9'], env);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/has no version 9: versions are 1 to \d/);
  }, 300_000); // a dozen CLI processes, each a cold start
});
