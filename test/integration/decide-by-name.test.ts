import path from 'node:path';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { decideCommand } from '../../src/cli/commands/tune-admin';
import type { Remote } from '../../src/cli/remote/api-client';
import { remoteDecide } from '../../src/cli/remote/workflows';
import { createToken } from '../../src/library/tokens';
import { tuneCommand } from '../../src/cli/commands/tune';
import { CliError, EXIT } from '../../src/cli/exit-codes';
import { personCanDecideHere } from '../../src/cli/interactive';
import { decideCommandLine } from '../../src/cli/optimize-status';
import { loadConfig } from '../../src/config';
import { recordVersion } from '../../src/library/versions';
import { SEARCH_ATTRIBUTES } from '../../src/shared';
import type { Db } from '../../src/store/db';
import { addDatasetVersion } from '../../src/store/evals';
import { openStore } from '../../src/store/open';
import { runBinding } from '../../src/temporal/store-binding';
import type { DecisionInput } from '../../src/tune/types';
import { standinDecisionsQuery } from '../fakes/decide-standin-workflows';
import { standinStepSignal } from '../fakes/optimize-standin-workflow';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, tempDir, testClient, uniqueId } from '../support/temporal';

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);
const skillKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.skill, SearchAttributeType.KEYWORD);

let logs: string[];
let spy: jest.SpyInstance;
beforeEach(() => {
  logs = [];
  spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.join(' ')));
});
afterEach(() => spy.mockRestore());

const config = (url = `sqlite:${path.join(tempDir('decide'), 'refinery.db')}`) =>
  loadConfig({
    REFINERY_DATABASE_URL: url,
    TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
    REFINERY_PROVIDER: 'offline',
    REFINERY_USER: 'ana',
  });

async function refused(p: Promise<unknown>): Promise<CliError> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe('refinery decide <item name>: the item’s one run awaiting a decision, found through visibility', () => {
  const taskQueue = uniqueId('decide-by-name');
  let connection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: sharedTestEnv().temporalAddress });
    worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('../fakes/decide-standin-workflows'),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await connection.close();
  });

  /** A stand-in run of `type` for item `name`, with the RefineryStatus it would show. */
  async function startRun(
    type: 'tuneWorkflow' | 'optimizeWorkflow',
    name: string,
    status: string,
    opts: { stalled?: boolean } = {},
  ) {
    const { client, close } = await testClient();
    try {
      const workflowId = uniqueId(`${type === 'optimizeWorkflow' ? 'optimize' : 'tune'}-${name}`);
      await client.workflow.start(type, {
        taskQueue,
        workflowId,
        args: [opts],
        typedSearchAttributes: new TypedSearchAttributes([
          { key: statusKey, value: status },
          { key: skillKey, value: name },
        ]),
      });
      return workflowId;
    } finally {
      await close();
    }
  }

  async function decisionsOf(workflowId: string): Promise<DecisionInput[]> {
    const { client, close } = await testClient();
    try {
      return await client.workflow.getHandle(workflowId).result();
    } finally {
      await close();
    }
  }

  /** Visibility answers a moment after a start: wait until the lookup sees `count` waiting runs of `name`. */
  async function visible(name: string, count: number): Promise<void> {
    const { client, close } = await testClient();
    try {
      const query = `${SEARCH_ATTRIBUTES.skill} = '${name}' AND ${SEARCH_ATTRIBUTES.status} = 'awaiting-decision' AND ExecutionStatus = 'Running'`;
      await eventually(
        async () => (await client.workflow.count(query)).count === count,
        30_000,
        `${count} waiting runs of ${name} in visibility`,
      );
    } finally {
      await close();
    }
  }

  test('one waiting run: decided by the name, and a running run of the same item that does not wait is left alone', async () => {
    const name = uniqueId('greet').slice(0, 20);
    const busy = await startRun('optimizeWorkflow', name, 'running');
    const waiting = await startRun('optimizeWorkflow', name, 'awaiting-decision');
    await visible(name, 1);
    expect(await decideCommand(config(), [name, '--action', 'accept', '--by', 'ana', '--note', 'good enough'])).toBe(
      EXIT.ok,
    );
    expect(logs).toEqual([`${name}: deciding ${waiting}, its run awaiting a decision`, `${waiting}: accepted: accept`]);
    expect(await decisionsOf(waiting)).toEqual([{ action: 'accept', by: 'ana', note: 'good enough' }]);

    // The busy run got nothing: it still answers with no decision.
    const { client, close } = await testClient();
    try {
      expect(await client.workflow.getHandle(busy).query(standinDecisionsQuery)).toEqual([]);
      await client.workflow.getHandle(busy).terminate('test done');
    } finally {
      await close();
    }
  });

  test('visibility not caught up with a stall yet: the item’s running runs are asked their status, and the stalled one is decided', async () => {
    const name = uniqueId('lag').slice(0, 20);
    // RefineryStatus still says running, as it can for a moment after a real run stalls; its status query is current.
    const busy = await startRun('optimizeWorkflow', name, 'running');
    const stalled = await startRun('optimizeWorkflow', name, 'running', { stalled: true });
    const { client, close } = await testClient();
    try {
      const runsOfItem = `${SEARCH_ATTRIBUTES.skill} = '${name}' AND ExecutionStatus = 'Running'`;
      await eventually(
        async () => (await client.workflow.count(runsOfItem)).count === 2,
        30_000,
        `2 running runs of ${name} in visibility`,
      );
      expect(await decideCommand(config(), [name, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
      expect(logs[0]).toBe(`${name}: deciding ${stalled}, its run awaiting a decision`);
      expect(await decisionsOf(stalled)).toEqual([{ action: 'accept', by: 'ana' }]);
      expect(await client.workflow.getHandle(busy).query(standinDecisionsQuery)).toEqual([]);
      await client.workflow.getHandle(busy).terminate('test done');
    } finally {
      await close();
    }
  });

  test('a tune run (the folder loop) is found by its name as well', async () => {
    const name = uniqueId('notes').slice(0, 20);
    const waiting = await startRun('tuneWorkflow', name, 'awaiting-decision');
    await visible(name, 1);
    expect(await decideCommand(config(), [name, '--action', 'cancel', '--by', 'bo'])).toBe(EXIT.ok);
    expect(await decisionsOf(waiting)).toEqual([{ action: 'cancel', by: 'bo' }]);
  });

  test('none waiting: an error naming the item and `refinery list --status awaiting-decision`, exit 2', async () => {
    const name = uniqueId('idle').slice(0, 20);
    const busy = await startRun('optimizeWorkflow', name, 'running');
    const err = await refused(decideCommand(config(), [name, '--action', 'accept', '--by', 'ana']));
    expect(err.exitCode).toBe(EXIT.badInput);
    expect(err.message).toBe(
      `no run of "${name}" is awaiting a decision, and no workflow has the id "${name}": ` +
        'see the runs that are with `refinery list --status awaiting-decision`',
    );
    // A name Temporal's query could not hold as it is is never queried: the same answer.
    const odd = await refused(decideCommand(config(), ["it's", '--action', 'accept', '--by', 'ana']));
    expect(odd.message).toMatch(/^no run of "it's" is awaiting a decision/);
    const { client, close } = await testClient();
    try {
      await client.workflow.getHandle(busy).terminate('test done');
    } finally {
      await close();
    }
  });

  test('several waiting: an error listing their ids, and nothing decided', async () => {
    const name = uniqueId('twice').slice(0, 20);
    const first = await startRun('optimizeWorkflow', name, 'awaiting-decision');
    const second = await startRun('tuneWorkflow', name, 'awaiting-decision');
    await visible(name, 2);
    const err = await refused(decideCommand(config(), [name, '--action', 'accept', '--by', 'ana']));
    expect(err.exitCode).toBe(EXIT.badInput);
    expect(err.message).toMatch(new RegExp(`^2 runs of "${name}" are awaiting a decision: `));
    expect(err.message).toContain(first);
    expect(err.message).toContain(second);
    expect(err.message).toContain('decide one by its id: refinery decide <workflow-id>');
    // The id form decides each, exactly as before: no lookup line, the workflow's answer.
    for (const id of [first, second]) {
      logs = [];
      expect(await decideCommand(config(), [id, '--action', 'rollback', '--by', 'ana'])).toBe(EXIT.ok);
      expect(logs).toEqual([`${id}: accepted: rollback`]);
      expect(await decisionsOf(id)).toEqual([{ action: 'rollback', by: 'ana' }]);
    }
  });

  describe('in remote mode: the API resolves the name by the same rules, as the token’s subject', () => {
    let db: Db;
    let api: ApiServer;
    let apiClient: { client: Client; close: () => Promise<void> };
    let will: Remote;
    let rita: Remote;
    beforeAll(async () => {
      db = await openStore(`sqlite:${path.join(tempDir('decide-remote'), 'server.db')}`);
      apiClient = await testClient();
      api = await startApiServer(db, {
        port: 0,
        bootstrapToken: 'decide-bootstrap',
        temporal: {
          client: apiClient.client,
          binding: await runBinding({ temporal: { address: '', namespace: 'default', taskQueue } }, db),
          admins: [],
        },
      });
      will = { url: api.url, token: await createToken(db, 'will', 'writer') };
      rita = { url: api.url, token: await createToken(db, 'rita', 'reader') };
    });
    afterAll(async () => {
      await api.close();
      await apiClient.close();
      await db.close();
    });

    test('one waiting: the lines of local mode, decided as the token’s subject; a reader token is refused as for an id', async () => {
      const name = uniqueId('remote').slice(0, 20);
      const waiting = await startRun('optimizeWorkflow', name, 'awaiting-decision');
      await visible(name, 1);
      const err = await refused(remoteDecide(rita, [name, '--action', 'accept']));
      expect(err.exitCode).toBe(EXIT.badInput);
      expect(err.message).toMatch(/403 Forbidden: .*needs the writer role/);
      expect(await remoteDecide(will, [name, '--action', 'accept', '--note', 'fine'])).toBe(EXIT.ok);
      expect(logs).toEqual([
        `${name}: deciding ${waiting}, its run awaiting a decision`,
        `${waiting}: accepted: accept (by will)`,
      ]);
      expect(await decisionsOf(waiting)).toEqual([{ action: 'accept', by: 'will', note: 'fine', authenticated: true }]);
    });

    test('none or several: local mode’s messages, exit 2, nothing decided; the id form decides as before', async () => {
      const idle = uniqueId('ridle').slice(0, 20);
      const none = await refused(remoteDecide(will, [idle, '--action', 'accept']));
      expect(none.exitCode).toBe(EXIT.badInput);
      expect(none.message).toBe(
        `no run of "${idle}" is awaiting a decision, and no workflow has the id "${idle}": ` +
          'see the runs that are with `refinery list --status awaiting-decision`',
      );
      const name = uniqueId('rtwice').slice(0, 20);
      const first = await startRun('optimizeWorkflow', name, 'awaiting-decision');
      const second = await startRun('tuneWorkflow', name, 'awaiting-decision');
      await visible(name, 2);
      const several = await refused(remoteDecide(will, [name, '--action', 'accept']));
      expect(several.exitCode).toBe(EXIT.badInput);
      expect(several.message).toMatch(new RegExp(`^2 runs of "${name}" are awaiting a decision: `));
      expect(several.message).toContain(first);
      expect(several.message).toContain(second);
      // Remote mode has no --by: the id form it points at leaves it out.
      expect(several.message).toMatch(/decide one by its id: refinery decide <workflow-id> --action …$/);
      for (const id of [first, second]) {
        logs = [];
        expect(await remoteDecide(will, [id, '--action', 'rollback'])).toBe(EXIT.ok);
        expect(logs).toEqual([`${id}: accepted: rollback (by will)`]);
        expect(await decisionsOf(id)).toEqual([{ action: 'rollback', by: 'will', authenticated: true }]);
      }
    });
  });

  test('--wait follows optimizer runs only', async () => {
    const name = uniqueId('loop').slice(0, 20);
    const waiting = await startRun('tuneWorkflow', name, 'awaiting-decision');
    const err = await refused(decideCommand(config(), [waiting, '--action', 'accept', '--by', 'ana', '--wait']));
    expect(err.message).toBe(
      `--wait follows optimizer runs; ${waiting} is a tuneWorkflow: follow it with \`refinery status ${waiting}\``,
    );
    expect(err.exitCode).toBe(EXIT.badInput);
    expect(await decideCommand(config(), [waiting, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
  });
});

describe('tune <name> --dataset --wait when nobody here can decide', () => {
  test('the rule: a person can decide only with a terminal on stdout and CI unset', () => {
    const tty = process.stdout.isTTY;
    const ci = process.env.CI;
    try {
      process.stdout.isTTY = true;
      delete process.env.CI;
      expect(personCanDecideHere()).toBe(true);
      process.env.CI = 'true';
      expect(personCanDecideHere()).toBe(false);
      delete process.env.CI;
      process.stdout.isTTY = false;
      expect(personCanDecideHere()).toBe(false);
    } finally {
      process.stdout.isTTY = tty;
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
    }
  });

  test('a stall ends the command with exit 4 and the decide commands; the run goes on waiting', async () => {
    const url = `sqlite:${path.join(tempDir('tune-stall'), 'refinery.db')}`;
    const db: Db = await openStore(url);
    try {
      const text = (t: string) => ({ type: 'text' as const, text: t, variables: ['input'] });
      await recordVersion(db, 'stally', text('one {{input}}'), { rationale: 'first', author: 'ana' });
      await addDatasetVersion(db, {
        name: 'stally-cases',
        cases: [
          {
            id: 'c1',
            vars: { input: 'q' },
            assertions: [{ type: 'contains', value: 'yes' }],
            tags: [],
            required: false,
          },
        ],
        source: 'test',
        author: 'ana',
      });
      const cfg = config(url);
      const binding = await runBinding(cfg, db);
      const connection = await NativeConnection.connect({ address: sharedTestEnv().temporalAddress });
      try {
        const worker = await Worker.create({
          connection,
          taskQueue: binding.taskQueue,
          workflowsPath: require.resolve('../fakes/optimize-standin-workflow'),
        });
        await worker.runUntil(async () => {
          const waiting = tuneCommand(cfg, ['stally', '--dataset', 'stally-cases', '--wait'], { stopAtStall: true });
          const id = await eventually(
            () => logs.join('\n').match(/started (optimize-stally-[0-9a-f]{12})/)?.[1],
            30_000,
            'the start line',
          );
          const { client, close } = await testClient();
          try {
            const handle = client.workflow.getHandle(id);
            await handle.signal(standinStepSignal, {
              phase: 'awaiting-decision',
              stall: {
                reason: 'converged-below-threshold',
                detail: 'no better candidate',
                since: '2026-12-07T06:00:00Z',
              },
            });
            expect(await waiting).toBe(EXIT.awaitingDecision);
            expect(logs).toEqual(
              expect.arrayContaining([
                '[stally]   awaiting a decision: no better candidate',
                `[stally]   decide with: ${decideCommandLine(id)}`,
                '[stally] the run is awaiting a decision and nobody can give it here (CI is set, or no terminal): ' +
                  'the command ends with exit 4; the run waits, durable',
                '  decide it by its item: refinery decide stally --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"]',
                `  or by its id, as above; follow it with \`refinery status ${id}\``,
              ]),
            );
            expect(logs.some((l) => l.includes('report:'))).toBe(false);
            expect((await handle.describe()).status.name).toBe('RUNNING');
            await handle.terminate('test done');
          } finally {
            await close();
          }
        });
      } finally {
        await connection.close();
      }
    } finally {
      await db.close();
    }
  });
});
