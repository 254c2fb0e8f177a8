import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { newImproveRunId, startImprove } from '../../src/clients/improve';
import { improveCommand } from '../../src/cli/commands/improve';
import { rolloutCommand } from '../../src/cli/commands/rollout';
import { stalledHereLines } from '../../src/cli/commands/tune-dataset';
import { decideCommand, statusCommand } from '../../src/cli/commands/tune-admin';
import { tuneCommand } from '../../src/cli/commands/tune';
import { EXIT } from '../../src/cli/exit-codes';
import { buildImproveInput } from '../../src/cli/improve-input';
import { decideCommandLine } from '../../src/cli/optimize-status';
import { loadConfig } from '../../src/config';
import { chainTuneStatusQuery } from '../../src/optimizer/chain-types';
import type { ImproveStatus } from '../../src/improve/types';
import type { OptimizeStatus } from '../../src/optimizer/types';
import type { RolloutStatus } from '../../src/rollout/types';
import { optimizeStatusQuery } from '../../src/shared';
import { addDatasetVersion } from '../../src/store/evals';
import { runBinding } from '../../src/temporal/store-binding';
import { improverReply } from '../support/optimizer-fakes';
import { optimizeHarness, topicCases, type OptimizeHarness } from '../support/optimize/optimize-harness';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, testClient, uniqueId, withWorker } from '../support/temporal';

// A run that stalls awaiting a decision where nobody at the terminal can give it: the folder form of `refinery tune
// --wait` (single and chain) ends at the stall with exit 4 and the decide commands, writing nothing; `refinery
// status` of a parent (a chain, an improve run) names its child that waits and how to decide it. Real optimizer runs
// on the dev server; the improver never finds an edit and the threshold is 101, so every run stalls after a round.

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

const nothing = () => improverReply({ summary: 'nothing to change', edits: [] });

async function world() {
  const h = await optimizeHarness({ improver: nothing });
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

function skillFolder(h: OptimizeHarness, name: string): string {
  const dir = path.join(h.dir, 'skills', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'SKILL.md'),
    `---\nname: ${name}\ndescription: answers questions\n---\n# ${name}\n\nAnswer.\n`,
  );
  return dir;
}

/** One proposal a round, patience 1, threshold 101 (never met): the run converges after its first round and stalls. */
const stallingFlags = (h: OptimizeHarness) => {
  const golden = path.join(h.dir, 'golden.jsonl');
  fs.writeFileSync(
    golden,
    [1, 2].map((n) => JSON.stringify({ input: `Question: q${n}`, expected: 'apples' })).join('\n'),
  );
  return [
    '--scenario',
    'Question: q0',
    '--golden',
    golden,
    '--seed',
    '3',
    '--parallel',
    '1',
    '--patience',
    '1',
    '--max-iterations',
    '3',
    '--threshold',
    '101',
    '--output',
    h.dir,
  ];
};

const statusOf = (id: string) => client.workflow.getHandle(id).query(optimizeStatusQuery);

describe('refinery tune <skill-dir> --wait when nobody here can decide', () => {
  test('a single folder: exit 4 at the stall, the decide commands, nothing written; the run then decided', async () => {
    const { h, cfg, run } = await world();
    const name = uniqueId('stuck').slice(0, 14);
    const dir = skillFolder(h, name);
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    await run(async () => {
      expect(await tuneCommand(cfg, [dir, ...stallingFlags(h), '--wait'], { stopAtStall: true })).toBe(
        EXIT.awaitingDecision,
      );
      const id = new RegExp(`started (optimize-${name}-\\S+)`).exec(logs.join('\n'))![1]!;
      expect(logs).toEqual(
        expect.arrayContaining([
          `[${name}]   decide with: ${decideCommandLine(id)}`,
          ...stalledHereLines(id, name, (await statusOf(id)).stall?.reason),
        ]),
      );
      expect(logs.join('\n')).not.toMatch(/written back|report:/);
      expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before);
      expect(fs.existsSync(path.join(h.dir, 'docs'))).toBe(false);

      // The run waits, durable, and takes the decision from elsewhere.
      expect((await statusOf(id)).phase).toBe('awaiting-decision');
      expect(await decideCommand(cfg, [id, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
      const done = (await client.workflow.getHandle(id).result()) as OptimizeStatus;
      expect(done.stop).toBe('accepted');
    });
  });

  test('in a terminal (no stopAtStall) the command waits through the stall for a decision from elsewhere', async () => {
    const { h, cfg, run } = await world();
    const name = uniqueId('waits').slice(0, 14);
    const dir = skillFolder(h, name);
    await run(async () => {
      const waiting = tuneCommand(cfg, [dir, ...stallingFlags(h), '--wait']);
      const id = await eventually(
        () =>
          logs.some((l) => l.includes('awaiting a decision')) && /started (optimize-\S+)/.exec(logs.join('\n'))?.[1],
        30_000,
        'the stall shown',
      );
      expect(logs.join('\n')).not.toContain('nobody can give it here');
      expect(await decideCommand(cfg, [id, '--action', 'accept', '--by', 'ana'])).toBe(EXIT.ok);
      expect(await waiting).toBe(EXIT.ok);
      expect(logs).toEqual(expect.arrayContaining([`[${name}] accepted`]));
    });
  });

  test('a chain: exit 4 at the stalled step, naming its run; `refinery status <chain>` shows it; decided, the chain goes on', async () => {
    const { h, cfg, run } = await world();
    // Names of their own: the decision below finds the step's run by its item, through the shared visibility.
    const drafter = uniqueId('drafter').slice(0, 16);
    const polisher = uniqueId('polisher').slice(0, 17);
    const first = skillFolder(h, drafter);
    const second = skillFolder(h, polisher);
    await run(async () => {
      const code = await tuneCommand(cfg, [first, second, ...stallingFlags(h), '--chain', '--wait'], {
        stopAtStall: true,
      });
      expect(code).toBe(EXIT.awaitingDecision);
      const chainId = new RegExp(`started (chain-${drafter}\\+${polisher}-[0-9a-f]{12})`).exec(logs.join('\n'))![1]!;
      const stepId = `${chainId}-1-${drafter}`;
      expect(logs).toEqual(
        expect.arrayContaining([
          `[chain] step 1 of 2: ${drafter} (${stepId})`,
          ...stalledHereLines(stepId, drafter, (await statusOf(stepId)).stall?.reason),
          `  the chain ${chainId} goes on after the decision: \`refinery status ${chainId}\``,
        ]),
      );
      expect(logs.join('\n')).not.toMatch(/written back|report:|step 2 of 2/);

      // The chain's status names the step that waits, why, and the commands that decide it (exit 4, as a stalled run).
      const stall = (await statusOf(stepId)).stall!;
      logs = [];
      expect(await statusCommand(cfg, [chainId])).toBe(EXIT.awaitingDecision);
      expect(logs).toEqual([
        `${chainId} (chain ${drafter} → ${polisher}): step 1 of 2: tuning ${drafter}`,
        `  1. ${drafter}: ${stepId} · running`,
        `  2. ${polisher}: not started`,
        `  waiting on ${stepId} (${drafter}), awaiting a decision since ${stall.since} (${stall.reason}): ${stall.detail}`,
        `  decide with: ${decideCommandLine(stepId)}`,
        `  or by its item: refinery decide ${drafter} --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"]`,
        '  each step is an optimizer run: `refinery status <step id>`, `refinery decide <step id>`, `refinery outcome <step id> --write`',
      ]);
      logs = [];
      expect(await statusCommand(cfg, [chainId, '--json'])).toBe(EXIT.awaitingDecision);
      const json = JSON.parse(logs[0]!) as { phase: string; awaitingDecision: { workflowId: string; reason: string } };
      expect(json.phase).toBe(`step 1 of 2: tuning ${drafter}`);
      expect(json.awaitingDecision).toMatchObject({ workflowId: stepId, reason: stall.reason });

      // Decided by the item's name (once visibility shows the step waiting), the step ends and the chain moves on.
      await eventually(
        () =>
          decideCommand(cfg, [drafter, '--action', 'accept', '--by', 'ana']).then(
            (c) => c === EXIT.ok,
            () => false,
          ),
        30_000,
        'the decision by the item',
      );
      const chain = client.workflow.getHandle(chainId);
      await eventually(
        async () => (await chain.query(chainTuneStatusQuery)).steps[0]!.status?.stop === 'accepted',
        30_000,
        'the first step accepted',
      );
      await chain.terminate('test done');
    });
  });
});

describe('refinery status <improve run>: the tune child awaiting a decision', () => {
  test('names the child, the stall and the decide commands, in text and --json', async () => {
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
      const stalled = await eventually(async () => {
        const s = await client.workflow.getHandle(workflowId).query<{ tune?: { workflowId: string } }>('status');
        const child = s.tune?.workflowId;
        return child && (await statusOf(child).catch(() => undefined))?.stall ? child : undefined;
      }, 60_000);
      const stall = (await statusOf(stalled)).stall!;
      const childLines = [
        `  waiting on ${stalled} (greet), awaiting a decision since ${stall.since} (${stall.reason}): ${stall.detail}`,
        `  decide with: ${decideCommandLine(stalled)}`,
        '  or by its item: refinery decide greet --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"]',
      ];

      expect(await statusCommand(cfg, [workflowId])).toBe(EXIT.awaitingDecision);
      expect(logs[0]).toBe(`${workflowId}: step tune`);
      expect(logs).toEqual(expect.arrayContaining([expect.stringMatching(/^ {2}tune {5}running: optimize run /)]));
      expect(logs.slice(-3)).toEqual(childLines);

      logs = [];
      expect(await statusCommand(cfg, [workflowId, '--json'])).toBe(EXIT.awaitingDecision);
      const json = JSON.parse(logs[0]!) as { current: string; awaitingDecision: Record<string, unknown> };
      expect(json.current).toBe('tune');
      expect(json.awaitingDecision).toMatchObject({ workflowId: stalled, name: 'greet', ...stall });

      // `refinery improve --run <id>` (its own status) says the same.
      logs = [];
      expect(await improveCommand(cfg, ['--run', workflowId])).toBe(EXIT.ok);
      expect(logs.slice(-3)).toEqual(childLines);
      await client.workflow.getHandle(workflowId).terminate('test done');
    });
  });
});

describe('refinery status <improve run>: the rollout child awaiting an approver', () => {
  test('names the rollout, its wait and the `refinery rollout approve|reject` commands; exit 0', async () => {
    const { h, cfg, binding, run } = await world();
    await h.prompt('greet', 'Answer the question.\nQuestion: {{q}}', true);
    const candidate = await h.item('greet', {
      type: 'text',
      text: 'Answer the question well.\nQuestion: {{q}}',
      variables: ['q'],
    });
    // The item's golden dataset: the rollout's staging gate runs on it (threshold 0: it passes).
    await addDatasetVersion(h.db, {
      name: 'greet-golden',
      target: 'greet',
      cases: [{ id: 'c1', vars: { q: 'q1' }, assertions: [], tags: [], required: false }],
      source: 'test',
      author: 'ana',
    });
    // Straight to the rollout: the review waits while the owner skips the tune (with the candidate), the gate and
    // the approval. The rollout's bake is 1 s with no traffic, so its only step soon lacks samples and awaits an
    // approver (an improve run's rollout asks none before its first step).
    const built = buildImproveInput(
      'greet',
      { skip: 'harvest', steps: '100', bake: '1s', interval: '10s', 'min-samples': '2', 'gate-threshold': '0' },
      newImproveRunId(),
      'ana',
    );
    await run(async () => {
      const { workflowId, handle } = await startImprove(client, binding, built);
      await eventually(
        async () => (await handle.query<ImproveStatus>('status')).current === 'review',
        30_000,
        'the review wait',
      );
      for (const c of [
        { action: 'skip', step: 'tune', version: candidate, by: 'ana' },
        { action: 'skip', step: 'gate', by: 'ana' },
        { action: 'skip', step: 'approval', by: 'ana' },
        { action: 'reviewed', by: 'ana' },
      ])
        await handle.executeUpdate('control', { args: [c] });
      const rollout = await eventually(async () => {
        const id = (await handle.query<ImproveStatus>('status')).rollout?.workflowId;
        const s = id
          ? await client.workflow
              .getHandle(id)
              .query<RolloutStatus>('status')
              .catch(() => undefined)
          : undefined;
        return s?.phase === 'awaiting-evidence' ? { id: id!, rolloutId: s.rolloutId } : undefined;
      }, 60_000);
      const lines = [
        `  waiting on rollout ${rollout.rolloutId} (${rollout.id}) of greet, awaiting approval (awaiting-evidence): ` +
          'too few samples at step 1 (100%) after the bake: an approver advances anyway or aborts',
        '  approve with: refinery rollout approve greet --by <owner or admin> [--note "…"]',
        '  or reject with: refinery rollout reject greet --by <owner or admin> [--note "…"]',
      ];

      expect(await statusCommand(cfg, [workflowId])).toBe(EXIT.ok);
      expect(logs[0]).toBe(`${workflowId}: step rollout`);
      expect(logs.slice(-3)).toEqual(lines);

      logs = [];
      expect(await statusCommand(cfg, [workflowId, '--json'])).toBe(EXIT.ok);
      const json = JSON.parse(logs[0]!) as { awaitingApproval: Record<string, unknown> };
      expect(json.awaitingApproval).toMatchObject({
        workflowId: rollout.id,
        name: 'greet',
        phase: 'awaiting-evidence',
      });

      logs = [];
      expect(await improveCommand(cfg, ['--run', workflowId])).toBe(EXIT.ok);
      expect(logs.slice(-3)).toEqual(lines);

      // The command it names answers it: rejected, the rollout aborts and the improve run ends without shipping.
      logs = [];
      expect(await rolloutCommand(cfg, ['reject', 'greet', '--by', 'ana', '--note', 'no traffic'])).toBe(EXIT.ok);
      expect((await handle.result()).outcome).toBe('the rollout ended aborted: nothing shipped');
    });
  });
});
