import fs from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { tuneCommand } from '../../src/cli/commands/tune';
import { statusCommand } from '../../src/cli/commands/tune-admin';
import { CliError, EXIT } from '../../src/cli/exit-codes';
import { resolveOptimizeTarget } from '../../src/cli/optimize-input';
import { decideCommandLine } from '../../src/cli/optimize-status';
import { loadConfig } from '../../src/config';
import type { EvalCase } from '../../src/eval/types';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import type { OptimizeInput, OptimizeStatus } from '../../src/optimizer/types';
import { putBlob } from '../../src/store/blobs';
import type { Db } from '../../src/store/db';
import { addDatasetVersion } from '../../src/store/evals';
import { openStore } from '../../src/store/open';
import { runBinding } from '../../src/temporal/store-binding';
import { STORE_MEMO_KEY } from '../../src/temporal/store-keys';
import { standinFinishSignal, standinStepSignal } from '../fakes/optimize-standin-workflow';
import { sharedTestEnv } from '../support/shared-env';
import { describeEachStore } from '../support/store-backends';
import { eventually, tempDir, testClient } from '../support/temporal';

const admin = { subject: 'ana', admin: true, ownerRole: true };
const text = (t: string) => ({ type: 'text' as const, text: t, variables: ['input'] });
const cases: EvalCase[] = [1, 2, 3].map((n) => ({
  id: `c${n}`,
  vars: { input: `question ${n}` },
  assertions: [{ type: 'contains', value: 'yes' }],
  tags: [],
  required: false,
}));

/** greet: versions 1–3, production at 2; plain: versions 1–2, no production; a chat prompt and a skill. */
async function seed(db: Db): Promise<void> {
  for (const t of ['one {{input}}', 'two {{input}}', 'three {{input}}'])
    await recordVersion(db, 'greet', text(t), { rationale: t, author: 'ana' });
  await moveLabel(db, { name: 'greet', label: 'production', version: 2, actor: admin, reason: 'launch' });
  for (const t of ['a {{input}}', 'b {{input}}'])
    await recordVersion(db, 'plain', text(t), { rationale: t, author: 'ana' });
  await recordVersion(
    db,
    'talk',
    { type: 'chat', messages: [{ role: 'user', content: 'hi {{input}}' }], variables: ['input'] },
    { rationale: 'first', author: 'ana' },
  );
  await recordVersion(
    db,
    'helper',
    { type: 'skill', files: { 'SKILL.md': '# helper\n' } },
    { rationale: 'first', author: 'ana' },
  );
  await addDatasetVersion(db, { name: 'greet-cases', cases, source: 'test', author: 'ana' });
}

describeEachStore('tune <name> --dataset: the item, the version and the dataset come from the store', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await seed(db);
  });
  const resolve = (name: string, version: number | undefined, ds: string, dsVersion?: number) =>
    resolveOptimizeTarget(db, { target: { name, version }, dataset: { name: ds, version: dsVersion } }, tempDir('cwd'));
  const refused = async (p: Promise<unknown>) => {
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.badInput);
    return (err as CliError).message;
  };

  test('the production version, else the latest, else the one named; the kind from its content', async () => {
    expect(await resolve('greet', undefined, 'greet-cases', 1)).toEqual({
      target: { name: 'greet', version: 2, kind: 'text' },
      dataset: { name: 'greet-cases', version: 1 },
      versionSource: 'production',
      caseCount: 3,
    });
    expect(await resolve('plain', undefined, 'greet-cases')).toMatchObject({
      target: { name: 'plain', version: 2, kind: 'text' },
      dataset: { name: 'greet-cases', version: 1 },
      versionSource: 'latest',
    });
    expect(await resolve('greet', 3, 'greet-cases')).toMatchObject({
      target: { version: 3 },
      versionSource: 'named',
    });
    expect((await resolve('talk', undefined, 'greet-cases')).target.kind).toBe('chat');
    expect((await resolve('helper', undefined, 'greet-cases')).target.kind).toBe('skill');
  });

  test('a missing item, version or dataset names the command that makes it', async () => {
    expect(await refused(resolve('missing', undefined, 'greet-cases'))).toBe(
      'no prompt or skill named "missing" in the library: push it with `refinery push <dir|file> --name missing --why "…"`',
    );
    expect(await refused(resolve('greet', 9, 'greet-cases'))).toBe(
      '"greet" has no version 9: versions are 1 to 3: pick one with `refinery tune greet@<version>` (`refinery log greet`)',
    );
    expect(await refused(resolve('greet', undefined, 'nope', 1))).toBe(
      'no dataset named "nope" in the store: import one with `refinery dataset add nope <file.jsonl> --for greet`',
    );
    expect(await refused(resolve('greet', undefined, 'greet-cases', 5))).toBe(
      'dataset greet-cases has no version 5: versions are 1 to 1 (`refinery dataset show greet-cases`)',
    );
  });

  test('a folder on disk that is not in the library: push it first, or use the folder form', async () => {
    const cwd = tempDir('cwd');
    fs.mkdirSync(path.join(cwd, 'my-skill'));
    const err = await resolveOptimizeTarget(
      db,
      { target: { name: 'my-skill' }, dataset: { name: 'greet-cases' } },
      cwd,
    ).catch((e: unknown) => e);
    expect((err as CliError).message).toBe(
      'no prompt or skill named "my-skill" in the library, though my-skill is on disk: push it first with ' +
        '`refinery push my-skill --why "…"` (or tune the folder as it is: `refinery tune my-skill --scenario …`)',
    );
  });
});

describe('tune <name> --dataset against a real Temporal server', () => {
  let db: Db;
  let url: string;
  let logs: string[];
  let spy: jest.SpyInstance;
  const config = () =>
    loadConfig({
      REFINERY_DATABASE_URL: url,
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
      REFINERY_PROVIDER: 'offline',
      REFINERY_USER: 'ana',
    });

  beforeAll(async () => {
    url = `sqlite:${path.join(tempDir('tune-dataset'), 'refinery.db')}`;
    db = await openStore(url);
    await seed(db);
  });
  afterAll(() => db.close());
  beforeEach(() => {
    logs = [];
    spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
  });
  afterEach(() => spy.mockRestore());

  test('starts optimizeWorkflow by name with the checked input, the store memo, a summary, and prints the projection', async () => {
    const code = await tuneCommand(config(), [
      'greet',
      '--dataset',
      'greet-cases@1',
      '--seed',
      '5',
      '--budget-calls',
      '2',
      '--preset',
      'quick',
      '--json',
    ]);
    expect(code).toBe(EXIT.ok);
    expect(logs).toHaveLength(1);
    const out = JSON.parse(logs[0]!) as {
      workflowId: string;
      runId: string;
      versionSource: string;
      seed: number;
      projection: { calls: number; baselineAndOneValidation: { calls: number }; warning?: string };
    };
    expect(out.workflowId).toBe(`optimize-greet-${out.runId}`);
    expect(out.runId).toMatch(/^[0-9a-f]{12}$/);
    expect(out).toMatchObject({ versionSource: 'production', seed: 5 });
    expect(out.projection.calls).toBeGreaterThan(out.projection.baselineAndOneValidation.calls);
    expect(out.projection.warning).toMatch(/cannot cover the baseline plus one full validation/);

    const { client, close } = await testClient();
    try {
      const handle = client.workflow.getHandle(out.workflowId);
      const desc = await handle.describe();
      expect(desc.type).toBe('optimizeWorkflow');
      const binding = await runBinding(config(), db);
      expect(desc.taskQueue).toBe(binding.taskQueue);
      expect(desc.memo?.[STORE_MEMO_KEY]).toEqual({ id: binding.store.id, label: binding.store.label });
      expect(await desc.staticSummary()).toBe(
        'Optimizes text greet@2 on dataset greet-cases@1: up to 3 rounds of 2 proposals, threshold 70, seed 5, budget 2 calls — started by ana',
      );
      const history = await handle.fetchHistory();
      const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      const input = defaultPayloadConverter.fromPayload<OptimizeInput>(payload);
      expect(input).toMatchObject({
        runId: out.runId,
        target: { name: 'greet', version: 2, kind: 'text' },
        dataset: { name: 'greet-cases', version: 1 },
        split: { seed: 5, validationShare: 0.4, testShare: 0.2, minCasesForSplit: 12 },
        settings: { seed: 5, maxRounds: 3, threshold: 70, budget: { calls: 2 }, thenRollout: false, dryRun: false },
        startedBy: 'ana',
      });
      await handle.terminate('test done');
    } finally {
      await close();
    }
  });

  test('--wait follows the run, `refinery status` renders it, the report is written here, the rollout is said', async () => {
    const outDir = tempDir('out');
    const cfg = config();
    const binding = await runBinding(cfg, db);
    const connection = await NativeConnection.connect({ address: sharedTestEnv().temporalAddress });
    try {
      const worker = await Worker.create({
        connection,
        taskQueue: binding.taskQueue,
        workflowsPath: require.resolve('../fakes/optimize-standin-workflow'),
      });
      await worker.runUntil(async () => {
        const waiting = tuneCommand(cfg, [
          'plain',
          '--dataset',
          'greet-cases',
          '--wait',
          '--then-rollout',
          '--output',
          outDir,
          '--budget-usd',
          '5',
        ]);
        const id = await eventually(
          () => logs.join('\n').match(/started (optimize-plain-[0-9a-f]{12})/)?.[1],
          30_000,
          'the start line',
        );
        expect(logs[0]).toBe(
          'tuning text plain@2 (its latest version: it has no production label) on dataset greet-cases@1 (3 cases)',
        );
        expect(logs.some((l) => l.startsWith('projection: at most '))).toBe(true);

        const { client, close } = await testClient();
        try {
          const handle = client.workflow.getHandle(id);
          const step: Partial<OptimizeStatus> = {
            phase: 'proposing',
            round: 1,
            frontier: [{ hash: 'child1111hash', bestOn: 3, mean: 0.9 }],
            best: { hash: 'child1111hash', interval: { mean: 0.9, low: 0.8, high: 1, n: 4 } },
            spent: { calls: 40, usd: 0.5 },
            proposals: 2,
            acceptances: 1,
            lastRejection: { hash: 'bad2222hash', round: 1, reason: 'lost the minibatch 1.0 vs 3.0' },
            stall: { reason: 'error-budget', detail: 'three proposals failed in a row', since: '2026-12-06T23:00:00Z' },
          };
          await handle.signal(standinStepSignal, step);
          await eventually(
            () => logs.some((l) => l.includes('last rejection bad2222hash: lost the minibatch 1.0 vs 3.0')),
            30_000,
            'the progress line',
          );
          expect(logs).toContain(
            '[plain] round 1/5 · proposing · best 90.0 [80.0–100.0] · frontier 1 · spent 40 calls, $0.5000 of $5.00 · ' +
              'accepted 1/2 · last rejection bad2222hash: lost the minibatch 1.0 vs 3.0',
          );

          await eventually(
            () => logs.includes(`[plain]   decide with: ${decideCommandLine(id)}`),
            30_000,
            'the decide line',
          );
          expect(logs).toContain('[plain]   awaiting a decision: three proposals failed in a row');

          const before = logs.length;
          expect(await statusCommand(cfg, [id])).toBe(EXIT.awaitingDecision);
          const shown = logs.slice(before);
          expect(shown).toEqual(
            expect.arrayContaining([
              `${id} (text plain@2 on dataset greet-cases@1)`,
              '  best on validation: child1111has 90.0 (95 % interval 80.0–100.0, n = 4)',
              '  frontier (1):',
              '    child1111has  best on 3 cases · mean 90.0',
              '  budget: spent 40 calls, $0.5000 of $5.00',
              '  proposals 2 · accepted 1',
              '  last rejection: bad2222hash in round 1: lost the minibatch 1.0 vs 3.0',
              `  decide with: ${decideCommandLine(id)}`,
            ]),
          );
          await handle.signal(standinStepSignal, { stall: undefined, phase: 'validating' });

          const report = path.join(outDir, 'docs', 'feedbacks', 'cycle-2026-12-06', 'plain.md');
          const reportRef = await putBlob(db, '# plain: the optimizer report\n');
          await handle.signal(standinFinishSignal, { reportRef, reportPaths: [report] });
          expect(await waiting).toBe(EXIT.ok);
          expect(fs.readFileSync(report, 'utf8')).toBe('# plain: the optimizer report\n');
          expect(logs).toEqual(
            expect.arrayContaining([
              '[plain] threshold-met',
              '  chosen child1111has: version 3 of plain, labelled candidate',
              '  rollout started: rollout-plain-standin (`refinery rollout status plain`)',
              `  report: ${report}`,
            ]),
          );

          // Once finished, status answers from the run's result.
          const after = logs.length;
          expect(await statusCommand(cfg, [id])).toBe(EXIT.ok);
          expect(logs.slice(after)).toContain(`  report: ${report}`);
        } finally {
          // A failed assertion leaves the run waiting: end it, so the command under test returns before teardown.
          await client.workflow
            .getHandle(id)
            .terminate('test cleanup')
            .catch(() => undefined);
          await waiting.catch(() => undefined);
          await close();
        }
      });
    } finally {
      await connection.close();
    }
  });
});
