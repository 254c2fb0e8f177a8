import fs from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { newImproveRunId, startImprove } from '../../src/clients/improve';
import { decideCommand, listCommand } from '../../src/cli/commands/tune-admin';
import { tuneCommand } from '../../src/cli/commands/tune';
import { CliError, EXIT } from '../../src/cli/exit-codes';
import { buildImproveInput } from '../../src/cli/improve-input';
import { buildOptimizeInput, parseOptimizeFlags, resolveOptimizeTarget } from '../../src/cli/optimize-input';
import { newOptimizeRunId } from '../../src/clients/optimize';
import { loadConfig } from '../../src/config';
import type { ImproveStatus } from '../../src/improve/types';
import { optimizeStatusQuery, type ChildStallInput } from '../../src/shared';
import { runBinding } from '../../src/temporal/store-binding';
import { childStallNotice, childWaitingLine } from '../../src/web-ui/child-waiting';
import { improverReply } from '../support/optimizer-fakes';
import { optimizeHarness, topicCases, type OptimizeHarness } from '../support/optimize/optimize-harness';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, testClient, uniqueId, withWorker } from '../support/temporal';
import { currentDetails } from '../support/web-ui';

// A parent run (an improve run, a chain) whose optimizer child stalls awaiting a decision: the child signals the
// parent, whose Web UI details name the child and the command that decides it and whose RefineryStatus is
// awaiting-decision while it lasts, and back after the decision. Real optimizer runs on the dev server; the improver
// never finds an edit and the threshold is 101, so every run stalls after its round (the setup of child-stall.test.ts).

let client: Client;
let closeClient: () => Promise<void>;
const open: OptimizeHarness[] = [];
let logs: string[];
let spy: jest.SpyInstance;
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterAll(() => closeClient());
beforeEach(() => {
  logs = [];
  spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
});
afterEach(async () => {
  spy.mockRestore();
  for (const h of open.splice(0)) await h.close();
});

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

/** The run's RefineryStatus as Temporal holds it now (describe reads the run's own state, not visibility). */
async function refineryStatus(handle: WorkflowHandle): Promise<string | undefined> {
  const desc = await handle.describe();
  return desc.typedSearchAttributes.getAll().find((p) => p.key.name === 'RefineryStatus')?.value as string | undefined;
}

/** What the run's history shows: the childStall signals it took and the RefineryStatus values it wrote, in order. */
async function historyOf(handle: WorkflowHandle): Promise<{ notices: ChildStallInput[]; statuses: string[] }> {
  const notices: ChildStallInput[] = [];
  const statuses: string[] = [];
  for (const e of (await handle.fetchHistory()).events ?? []) {
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName === 'childStall')
      notices.push(defaultPayloadConverter.fromPayload<ChildStallInput>(signal.input!.payloads![0]!));
    const upsert = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.RefineryStatus;
    if (upsert) statuses.push(defaultPayloadConverter.fromPayload<string>(upsert));
  }
  return { notices, statuses };
}

/** The details line the parent shows for its child's current stall; undefined while the child has none (or none yet). */
async function expectedLine(childId: string, item: string): Promise<string | undefined> {
  const stall = (
    await client.workflow
      .getHandle(childId)
      .query(optimizeStatusQuery)
      .catch(() => undefined)
  )?.stall;
  return (
    stall && childWaitingLine(childStallNotice(childId, item, stall) as Extract<ChildStallInput, { state: 'waiting' }>)
  );
}

/** Polls until the parent shows its child waiting in both places; returns the details. */
async function awaitingOn(parent: WorkflowHandle, childId: string, item: string): Promise<string> {
  return eventually(
    async () => {
      if ((await refineryStatus(parent)) !== 'awaiting-decision') return undefined;
      const details = await currentDetails(parent);
      const line = await expectedLine(childId, item);
      return line && details.includes(line) ? details : undefined;
    },
    60_000,
    `${parent.workflowId} awaiting a decision on ${childId}`,
  );
}

test('an improve run whose tune stalls: its details and RefineryStatus say so, and go back after the decision', async () => {
  const { h, cfg, binding, run } = await world();
  const item = uniqueId('greet').slice(0, 14);
  await h.item(item, { type: 'text', text: 'Answer the question.\nQuestion: {{q}}', variables: ['q'] });
  await h.dataset('topics', topicCases(6, ['apples', 'boats']));
  const built = buildImproveInput(
    item,
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

    const details = await awaitingOn(parent, childId, item);
    expect(details.split('\n\n')[0]).toMatch(/^\*\*refinery improve .*step tune$/);
    expect(details.split('\n\n')[1]).toBe(await expectedLine(childId, item));

    // Visibility sees the parent awaiting a decision too; `refinery list` (tune runs only) lists the child, not the
    // parent, and `refinery decide <item>` picks the child, the one run that takes a decision.
    await eventually(
      async () =>
        (await client.workflow.count(`WorkflowId = '${workflowId}' AND RefineryStatus = 'awaiting-decision'`)).count ===
        1,
      30_000,
      'the parent awaiting a decision in visibility',
    );
    const rows = await eventually(async () => {
      logs = [];
      await listCommand(cfg, ['--status', 'awaiting-decision', '--json', '--limit', '1000']);
      const listed = JSON.parse(logs[0]!) as { workflowId: string; skill: string; kind: string }[];
      return listed.some((r) => r.workflowId === childId) && listed;
    });
    expect(rows.find((r) => r.workflowId === childId)).toMatchObject({ skill: item, kind: 'optimize' });
    expect(rows.map((r) => r.workflowId)).not.toContain(workflowId);

    // The parent shows the wait, but takes no decision itself: deciding it by id says which command names the run.
    const refused = await decideCommand(cfg, [workflowId, '--action', 'accept', '--by', 'ana']).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).exitCode).toBe(EXIT.badInput);
    expect((refused as CliError).message).toBe(
      `${workflowId} is a run of improveWorkflow, which takes no decision: decide the run it waits on, which ` +
        `\`refinery status ${workflowId}\` names with its \`refinery decide\` command`,
    );

    logs = [];
    expect(await decideCommand(cfg, [item, '--action', 'continue', '--iterations', '2', '--by', 'ana'])).toBe(EXIT.ok);
    expect(logs[0]).toBe(`${item}: deciding ${childId}, its run awaiting a decision`);

    // One more round (patience 1), then it stalls again: the parent was told it cleared, then that it waits anew.
    const again = await eventually(
      async () => {
        const { notices } = await historyOf(parent);
        return notices.length >= 3 && notices;
      },
      60_000,
      'the second stall told',
    );
    expect(again.map((n) => [n.state, n.workflowId])).toEqual([
      ['waiting', childId],
      ['cleared', childId],
      ['waiting', childId],
    ]);
    // The signal lands in history before the workflow task that handles it writes RefineryStatus: wait for the
    // parent to show the new wait, then read the order of the statuses it wrote.
    await awaitingOn(parent, childId, item);
    expect((await historyOf(parent)).statuses.slice(-3)).toEqual(['awaiting-decision', 'tune', 'awaiting-decision']);

    // Accepted: the tune ends (nothing beat production), and so does the wait the parent showed.
    expect(await decideCommand(cfg, [childId, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
    const done = await parent.result();
    expect(done.outcome).toBe('the tune found no better version: nothing to ship');
    expect(await refineryStatus(parent)).toBe('completed');
    expect(await currentDetails(parent)).not.toContain('Waiting on');
  });
});

test('a chain whose step stalls: its details and RefineryStatus say so, and go back when the step is decided', async () => {
  const { h, cfg, run } = await world();
  const drafter = uniqueId('drafter').slice(0, 16);
  const polisher = uniqueId('polisher').slice(0, 17);
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
    const args = [folder(drafter), folder(polisher), ...flags, '--max-iterations', '3', '--threshold', '101'];
    const code = await tuneCommand(cfg, [...args, '--output', h.dir, '--chain', '--wait'], { stopAtStall: true });
    expect(code).toBe(EXIT.awaitingDecision);
    const chainId = new RegExp(`started (chain-${drafter}\\+${polisher}-[0-9a-f]{12})`).exec(logs.join('\n'))![1]!;
    const chain = client.workflow.getHandle(chainId);
    const first = `${chainId}-1-${drafter}`;
    const second = `${chainId}-2-${polisher}`;

    const details = await awaitingOn(chain, first, drafter);
    expect(details.split('\n\n')[0]).toBe(`**Chain tune** ${drafter} → ${polisher}: step 1 of 2: tuning ${drafter}`);

    // Decided, the first step ends; the chain runs again until the second step stalls in turn.
    expect(await decideCommand(cfg, [first, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
    const later = await awaitingOn(chain, second, polisher);
    expect(later).not.toContain(first);
    const { notices, statuses } = await historyOf(chain);
    expect(notices.map((n) => [n.state, n.workflowId])).toEqual([
      ['waiting', first],
      ['cleared', first],
      ['waiting', second],
    ]);
    expect(statuses).toEqual(['awaiting-decision', 'running', 'awaiting-decision']);
    await chain.terminate('test done');
  });
});

test('a parent that is gone: the signals to it fail, and the child waits for its decision and ends all the same', async () => {
  const { h, cfg, binding } = await world();
  await h.item('greet', { type: 'text', text: 'Answer the question.\nQuestion: {{q}}', variables: ['q'] });
  await h.dataset('topics', topicCases(6, ['apples', 'boats']));
  const flags = {
    dataset: 'topics@1',
    seed: '7',
    threshold: '101',
    patience: '1',
    parallel: '1',
    'max-iterations': '3',
  };
  const parsed = parseOptimizeFlags(['greet'], { output: h.dir, ...flags }, { cwd: h.dir });
  const input = buildOptimizeInput(parsed, await resolveOptimizeTarget(h.db, parsed, h.dir), newOptimizeRunId(), 'ana');
  const childId = uniqueId('orphan-optimize');
  const connection = await NativeConnection.connect({ address: sharedTestEnv().temporalAddress });
  try {
    // Its own bundle: a parent that starts the real optimizer, abandons it and ends before the child stalls.
    const worker = await Worker.create({
      connection,
      taskQueue: binding.taskQueue,
      workflowsPath: require.resolve('../fakes/abandoning-parent-workflows'),
      interceptors: { workflowModules: [require.resolve('../../src/workflows/store-interceptors')] },
      activities: createActivities({ db: h.db, providers: h.providers }),
    });
    await worker.runUntil(async () => {
      await client.workflow.execute('abandoningParentWorkflow', {
        taskQueue: binding.taskQueue,
        workflowId: uniqueId('gone-parent'),
        args: [input, childId],
        memo: binding.memo,
      });
      const child = client.workflow.getHandle(childId);
      await eventually(async () => (await child.query(optimizeStatusQuery)).stall, 60_000, 'the stall');
      expect(await refineryStatus(child)).toBe('awaiting-decision');
      expect(await decideCommand(cfg, [childId, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
      expect((await child.result()).stop).toBe('accepted');
      // Both signals were tried (waiting, then cleared) and both failed: the parent had ended.
      const events = (await child.fetchHistory()).events ?? [];
      expect(events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toHaveLength(2);
      expect(events.filter((e) => e.signalExternalWorkflowExecutionFailedEventAttributes)).toHaveLength(2);
    });
  } finally {
    await connection.close();
  }
});
