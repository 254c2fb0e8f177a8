import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { putJson } from '../../src/store/blobs';
import type { OptimizeStatus } from '../../src/optimizer/types';
import { runCli } from '../support/cli';
import { sharedTestEnv } from '../support/shared-env';
import { spawnWorkerProcess, tempDir, testClient, uniqueId, type WorkerProcess } from '../support/temporal';
import { optimizeHarness, type OptimizeHarness } from '../support/optimize/optimize-harness';

// A worker on "another machine": its own process, started in an empty working directory, with its own
// home. The skill folders and the report folder exist only on the CLI's side.
let client: Client;
let closeClient: () => Promise<void>;
let h: OptimizeHarness;
let golden: string;
let worker: WorkerProcess;
let workerCwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  ({ client, close: closeClient } = await testClient());
  // The optimizer's fakes: the executor mentions the topics its skill has rules for, the improver adds the rules
  // its failing cases expected.
  h = await optimizeHarness({});
  golden = path.join(h.dir, 'golden.jsonl');
  fs.writeFileSync(
    golden,
    [1, 2, 3, 4, 5, 6]
      .map((n) => JSON.stringify({ input: `Question: q${n}`, expected: n % 2 ? 'apples' : 'boats' }))
      .join('\n'),
  );
  const taskQueue = uniqueId('tq');
  workerCwd = tempDir('elsewhere');
  worker = spawnWorkerProcess(
    { ...h.workerEnv, REFINERY_TASK_QUEUE: taskQueue, REFINERY_HOME: path.join(workerCwd, 'home') },
    { cwd: workerCwd },
  );
  env = {
    TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
    REFINERY_TASK_QUEUE: taskQueue,
    REFINERY_DATABASE_URL: h.dbUrl,
    REFINERY_HOME: h.dir,
  };
});
afterAll(async () => {
  worker?.child.kill('SIGTERM');
  await worker?.exited;
  await h?.close();
  await closeClient?.();
});

/** A skill folder named by its front matter, on the CLI's side. */
function makeSkill(name: string): string {
  const dir = path.join(h.dir, 'skills', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'SKILL.md'), `---\nname: ${name}\ndescription: answers\n---\n# ${name}\n`);
  return dir;
}
const tuneFlags = ['--scenario', 'Question: q0', '--golden', '', '--minibatch', '8', '--threshold', '80'];
const flagsNow = () => tuneFlags.map((f) => (f === '' ? golden : f));
const LEARNT = '\nAlways mention apples.\nAlways mention boats.';

/** Every file under dir, relative: what the worker left in its working directory. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .flatMap((e) => (e.isFile() ? [path.relative(dir, path.join(e.parentPath, e.name))] : []));
}

describe('a worker in another working directory, without the skill folder', () => {
  test('completes the tune; `refinery outcome --write` lands the result in the folder on the CLI side', async () => {
    const dir = makeSkill('remote');
    const away = `${dir}.away`;
    const reports = path.join(h.dir, 'reports-remote');
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    const started = await runCli(['tune', dir, ...flagsNow(), '--json', '--output', reports], env);
    expect(started.code).toBe(0);
    const { workflowId } = (JSON.parse(started.out) as { workflowId: string }[])[0]!;
    // Pushed: from here on the folder does not exist at its path while the worker runs the tune.
    fs.renameSync(dir, away);

    const status = (await client.workflow.getHandle(workflowId).result()) as OptimizeStatus;
    expect(status.stop).toBe('threshold-met');
    expect(status.folder).toBe(dir);
    expect(status.outcome?.version).toBe(2);
    expect(fs.existsSync(dir)).toBe(false); // the worker neither needed the folder nor created it
    expect(fs.existsSync(reports)).toBe(false); // nor wrote the report
    expect(filesUnder(workerCwd).filter((f) => !f.startsWith(`home${path.sep}`))).toEqual([]);

    // Back on the CLI's side, the folder edited meanwhile: refused, nothing written (the rule write-back had).
    fs.renameSync(away, dir);
    fs.writeFileSync(path.join(dir, 'SKILL.md'), `${before}\nmy own edit\n`);
    const refused = await runCli(['outcome', workflowId, '--write'], env);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('changed since the run started; nothing was written');
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(`${before}\nmy own edit\n`);

    fs.writeFileSync(path.join(dir, 'SKILL.md'), before);
    // The chosen version's stored content tampered with after the run (old or hostile stored data): it now
    // names a file two folders up. The path policy refuses it, exit 2, and nothing is written anywhere.
    const chosen = ['remote', status.outcome!.chosen.hash];
    const kept = await h.db.get<{ content_ref: string }>(
      'SELECT content_ref FROM library_versions WHERE name = ? AND hash = ?',
      chosen,
    );
    const hostile = { 'SKILL.md': 'x', '../../escaped-by-outcome.txt': 'pwned' };
    await h.db.run('UPDATE library_versions SET content_ref = ? WHERE name = ? AND hash = ?', [
      await putJson(h.db, { type: 'skill', files: hostile }),
      ...chosen,
    ]);
    const tampered = await runCli(['outcome', workflowId, '--write'], env);
    expect(tampered.code).toBe(2);
    expect(tampered.out).toContain(
      'skill file "../../escaped-by-outcome.txt" refused by the path rule "parent-segment"',
    );
    expect(fs.existsSync(path.join(dir, '..', '..', 'escaped-by-outcome.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
    await h.db.run('UPDATE library_versions SET content_ref = ? WHERE name = ? AND hash = ?', [
      kept!.content_ref,
      ...chosen,
    ]);

    const written = await runCli(['outcome', workflowId, '--write'], env);
    expect(written.code).toBe(0);
    expect(written.out).toContain(`written back to ${dir}: SKILL.md`);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(`${before}${LEARNT}`);
    const report = /report: (\S+)/.exec(written.out)![1]!;
    expect(report.startsWith(path.join(reports, 'docs', 'feedbacks'))).toBe(true);
    expect(fs.readFileSync(report, 'utf8')).toContain('threshold-met');
    // Written once more: the same bytes, nothing refused (the folder now holds the chosen version).
    expect((await runCli(['outcome', workflowId, '--write'], env)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(`${before}${LEARNT}`);
  });

  test('`refinery tune --wait` writes the outcome and the report on the CLI side', async () => {
    const dir = makeSkill('waited');
    const reports = path.join(h.dir, 'reports-waited');
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    const { code, out } = await runCli(['tune', dir, ...flagsNow(), '--wait', '--output', reports], env);
    expect(code).toBe(0);
    expect(out).toContain(`written back to ${dir}: SKILL.md`);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(`${before}${LEARNT}`);
    const report = /report: (\S+)/.exec(out)![1]!;
    expect(fs.readFileSync(report, 'utf8')).toContain('waited');
    expect(filesUnder(workerCwd).filter((f) => !f.startsWith(`home${path.sep}`))).toEqual([]);
  });
});
