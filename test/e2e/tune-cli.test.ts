import fs from 'node:fs';
import path from 'node:path';
import { sharedTestEnv } from '../support/shared-env';
import { runCli } from '../support/cli';
import { eventually, uniqueId, withWorker } from '../support/temporal';
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

describe('refinery tune, status, list, decide, restore', () => {
  test('--wait --dry-run shows progress, the report path and leaves the folder untouched', async () => {
    const { h, taskQueue, env } = await setup([60, 85]);
    const dir = h.makeSkill('dry');
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    const scenario = path.join(h.dir, 'scenario.txt');
    fs.writeFileSync(scenario, 'Write the release notes');
    const { code, out } = await withWorker(taskQueue, { db: h.db, providers: h.providers }, () =>
      runCli(
        ['tune', dir, '--scenario', `@${scenario}`, '--wait', '--dry-run', '--threshold', '80', '--output', h.dir],
        env,
      ),
    );
    expect(code).toBe(0);
    expect(out).toMatch(/started tune-dry-[0-9a-f]+\n {2}http:\/\/.*\/namespaces\/default\/workflows\/tune-dry-/);
    expect(out).toMatch(/iteration 2\/5 · completed · scores 60 → 85/);
    expect(out).toContain('not written (dry run); the diff would be:');
    expect(out).toContain('+- improvement 1');
    expect(out).toContain(`report: ${h.dir}/docs/feedbacks`);
    expect(out).toMatch(/report: .*docs\/feedbacks\/cycle-\d{4}-\d{2}-\d{2}\/dry\.md/);
    // The run ends by asking for a post-run eval, with a command that works as printed.
    const ask = /was it effective\? refinery review tune (tune-dry-[0-9a-f]+) --effective/.exec(out);
    expect(ask).not.toBeNull();
    const review = await runCli(['review', 'tune', ask![1]!, '--effective', 'yes', '--better', 'nothing'], env);
    expect(review).toMatchObject({ code: 0 });
    expect(review.out).toContain(`recorded post-run eval pre-`);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    const { code: c2, out: listOut } = await runCli(['restore', dir], env);
    expect(c2).toBe(0);
    expect(listOut).toMatch(/v1 .* content at the start of a tune run\nv2 .* improvement 1/);
  });

  test('a stalled run is listed, shown and decided from the CLI; restore undoes the outcome', async () => {
    const { h, taskQueue, env } = await setup([60, 62, 61]);
    const dir = h.makeSkill('stalls');
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    const workflowId = await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const started = await runCli(
        ['tune', dir, '--scenario', 'x', '--threshold', '90', '--json', '--output', h.dir],
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
        async () => (await runCli(['status', workflowId], env)).out.includes('accepted: best 62'),
        60_000,
        'completion',
      );
      return workflowId;
    });
    // Started without --wait: the worker wrote nothing here; `refinery outcome` shows, then writes, the outcome.
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    const preview = await runCli(['outcome', workflowId], env);
    expect(preview.code).toBe(0);
    expect(preview.out).toContain(`would write SKILL.md into ${dir}`);
    expect(preview.out).toMatch(/would write the report to .*docs\/feedbacks\/cycle-\d{4}-\d{2}-\d{2}\/stalls\.md/);
    expect(preview.out).toContain('+- improvement 1');
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    const written = await runCli(['outcome', workflowId, '--write'], env);
    expect(written.code).toBe(0);
    expect(written.out).toContain(`written back to ${dir}: SKILL.md`);
    const reportPath = /report: (\S+)/.exec(written.out)![1]!;
    expect(fs.readFileSync(reportPath, 'utf8')).toContain('**Termination:** accepted');
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(`${before}\n- improvement 1`);
    const restored = await runCli(['restore', dir, '--version', '1'], env);
    expect(restored.code).toBe(0);
    expect(restored.out).toContain('-- improvement 1');
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    const missing = await runCli(['restore', dir, '--version', '9'], env);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/has no version 9: versions are 1 to \d/);
  });
});
