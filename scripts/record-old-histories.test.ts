import fs from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { newImproveRunId, startImprove } from '../src/clients/improve';
import { decideCommand } from '../src/cli/commands/tune-admin';
import { tuneCommand } from '../src/cli/commands/tune';
import { EXIT } from '../src/cli/exit-codes';
import { buildImproveInput } from '../src/cli/improve-input';
import { loadConfig } from '../src/config';
import type { ImproveStatus } from '../src/improve/types';
import { recordVersion } from '../src/library/versions';
import type { OptimizeStatus } from '../src/optimizer/types';
import { optimizeStatusQuery } from '../src/shared';
import type { Db } from '../src/store/db';
import { openStore } from '../src/store/open';
import { storeIdentity } from '../src/store/store-identity';
import { runBinding, storeMemo } from '../src/temporal/store-binding';
import { improverReply } from '../test/support/optimizer-fakes';
import { optimizeHarness, topicCases, type OptimizeHarness } from '../test/support/optimize/optimize-harness';
import { sharedTestEnv } from '../test/support/shared-env';
import { timeSkippingEnv } from '../test/support/time-skipping';
import { eventually, tempDir, testClient, uniqueId, withWorker } from '../test/support/temporal';

// Records the histories test/integration/replay-old-histories.test.ts replays (test/fixtures/histories/), with
// the workflow code of the checkout it runs in: run it in a checkout of the deployed code, not this one. There:
//   cp <this file> scripts/ && OUT=<dir> npx jest scripts/record-old-histories.test.ts --maxWorkers=1 --roots '<rootDir>/scripts'
// (a jest file, not a tsx script: jest's global setup starts the dev server and bundles that checkout's workflows).
// Not part of the suite: jest's roots are test/ only.

const OUT = process.env.OUT!;
let client: Client;
let closeClient: () => Promise<void>;
const open: OptimizeHarness[] = [];
let spy: jest.SpyInstance;
let logs: string[];
beforeAll(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  ({ client, close: closeClient } = await testClient());
});
afterAll(() => closeClient());
beforeEach(() => {
  logs = [];
  spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
});
afterEach(async () => {
  spy.mockRestore();
  for (const h of open.splice(0)) await h.close();
});

async function save(handle: WorkflowHandle, name: string): Promise<void> {
  write(name, handle.workflowId, await handle.fetchHistory());
}

/**
 * The generated code's plain-object form, which the replay test turns back with History.fromObject: historyToJSON
 * fails in this install, where @temporalio/common and @temporalio/proto each carry their own copy of protobufjs.
 */
function write(name: string, workflowId: string, h: temporal.api.history.v1.IHistory): void {
  const H = temporal.api.history.v1.History;
  const history = H.toObject(H.fromObject(h), { longs: String, enums: String, bytes: String });
  fs.writeFileSync(path.join(OUT, `${name}.json`), JSON.stringify({ workflowId, history }) + '\n');
}

async function world() {
  const h = await optimizeHarness({ improver: () => improverReply({ summary: 'nothing to change', edits: [] }) });
  open.push(h);
  const cfg = loadConfig({
    REFINERY_DATABASE_URL: h.dbUrl,
    TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
    REFINERY_USER: 'ana',
  });
  const binding = await runBinding(cfg, h.db);
  const run = <T>(fn: () => Promise<T>) => withWorker(binding.taskQueue, { db: h.db, providers: h.providers }, fn);
  return { h, cfg, binding, run };
}

const stalled = (id: string) =>
  eventually(
    async () =>
      (
        await client.workflow
          .getHandle(id)
          .query(optimizeStatusQuery)
          .catch(() => undefined)
      )?.phase === 'awaiting-decision',
    60_000,
    `${id} stalled`,
  );

test('a chain whose steps stall and are decided; histories at the stall and at the end', async () => {
  const { h, cfg, run } = await world();
  const folder = (name: string) => {
    const dir = path.join(h.dir, 'skills', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'SKILL.md'),
      `---\nname: ${name}\ndescription: answers\n---\n# ${name}\n\nAnswer.\n`,
    );
    return dir;
  };
  const golden = path.join(h.dir, 'golden.jsonl');
  fs.writeFileSync(
    golden,
    [1, 2].map((n) => JSON.stringify({ input: `Question: q${n}`, expected: 'apples' })).join('\n'),
  );
  const flags = ['--scenario', 'Question: q0', '--golden', golden, '--seed', '3', '--parallel', '1', '--patience', '1'];
  await run(async () => {
    const args = [folder('drafter'), folder('polisher'), ...flags, '--max-iterations', '3', '--threshold', '101'];
    expect(await tuneCommand(cfg, [...args, '--output', h.dir, '--chain'])).toBe(EXIT.ok);
    const chainId = /started (chain-drafter\+polisher-[0-9a-f]{12})/.exec(logs.join('\n'))![1]!;
    const chain = client.workflow.getHandle(chainId);
    const first = `${chainId}-1-drafter`;
    const second = `${chainId}-2-polisher`;
    await stalled(first);
    // Still running: the child paused at its stall, the chain waiting on it.
    await save(chain, 'chain-running-step-stalled');
    await save(client.workflow.getHandle(first), 'chain-step-running-stalled');
    expect(await decideCommand(cfg, [first, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
    expect(((await client.workflow.getHandle(first).result()) as OptimizeStatus).stop).toBe('accepted');
    await stalled(second);
    expect(await decideCommand(cfg, [second, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
    await chain.result();
    await save(chain, 'chain-completed');
    await save(client.workflow.getHandle(first), 'chain-step-stalled-decided');
  });
});

test('an improve run whose tune child stalls and is decided', async () => {
  const { h, cfg, binding, run } = await world();
  await h.item('greet', { type: 'text', text: 'Answer the question.\nQuestion: {{q}}', variables: ['q'] });
  await h.dataset('topics', topicCases(6, ['apples', 'boats']));
  const built = buildImproveInput(
    'greet',
    { skip: 'harvest,review', seed: '7', threshold: '101' },
    newImproveRunId(),
    'ana',
  );
  const input = {
    ...built,
    fallbackDataset: { name: 'topics', version: 1 },
    tune: { ...built.tune, settings: { ...built.tune.settings, parallel: 1, patience: 1 } },
  };
  await run(async () => {
    const { workflowId } = await startImprove(client, binding, input);
    const parent = client.workflow.getHandle(workflowId);
    const childId = await eventually(async () => (await parent.query<ImproveStatus>('status')).tune?.workflowId);
    await stalled(childId);
    expect(await decideCommand(cfg, [childId, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
    const done = (await parent.result()) as ImproveStatus;
    expect(done.outcome).toBe('the tune found no better version: nothing to ship');
    await save(parent, 'improve-tune-stalled-completed');
    await save(client.workflow.getHandle(childId), 'improve-tune-child-stalled-decided');
  });
});

describe('time-skipping: an improve run whose tune is skipped with a version during the review', () => {
  let env: TestWorkflowEnvironment;
  let db: Db;
  beforeAll(async () => {
    env = await timeSkippingEnv();
    db = await openStore(`sqlite:${path.join(tempDir('gen-improve'), 'r.db')}`);
    await recordVersion(
      db,
      'greet',
      { type: 'text', text: 'Hello {{input}}', variables: ['input'] },
      { rationale: 'r', author: 'ana' },
    );
  });
  afterAll(async () => {
    await db?.close();
    await env?.teardown();
  });

  test('skip tune v1 while reviewing; reviewed; the gate has no dataset; approval times out', async () => {
    const taskQueue = uniqueId('tq');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db }),
    });
    await worker.runUntil(async () => {
      const input = buildImproveInput('greet', { skip: 'harvest', 'review-timeout': '2d' }, uniqueId('imp'), 'ana');
      const { handle } = await startImprove(env.client, { taskQueue, memo: storeMemo(await storeIdentity(db)) }, input);
      const stateOf = async (step: string) =>
        (await handle.query<ImproveStatus>('status')).steps.find((x) => x.step === step)!.state;
      await eventually(async () => (await stateOf('review')) === 'waiting');
      await handle.executeUpdate('control', { args: [{ action: 'skip', step: 'tune', version: 1, by: 'ana' }] });
      await handle.executeUpdate('control', { args: [{ action: 'reviewed', by: 'ana' }] });
      await eventually(async () => (await stateOf('approval')) === 'waiting');
      // Still running, past the skipped tune: the deploy-time case.
      write('improve-tune-skipped-running', handle.workflowId, await handle.fetchHistory());
      expect((await handle.result()).outcome).toBe('no approval before the timeout: nothing shipped');
      write('improve-tune-skipped-completed', handle.workflowId, await handle.fetchHistory());
    });
  });
});
