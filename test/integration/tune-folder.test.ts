import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { outcomeCommand } from '../../src/cli/commands/outcome';
import { statusCommand } from '../../src/cli/commands/tune-admin';
import { tuneCommand } from '../../src/cli/commands/tune';
import { EXIT } from '../../src/cli/exit-codes';
import { loadConfig } from '../../src/config';
import { getContent } from '../../src/library/versions';
import type { ChainTuneStatus } from '../../src/optimizer/chain-types';
import type { OptimizeStatus } from '../../src/optimizer/types';
import { getDataset, getDatasetCases } from '../../src/store/evals';
import { runBinding } from '../../src/temporal/store-binding';
import { optimizeHarness, type OptimizeHarness } from '../support/optimize/optimize-harness';
import { sharedTestEnv } from '../support/shared-env';
import { testClient, withWorker } from '../support/temporal';

// The folder form (`refinery tune <skill-dir> --scenario … --golden …`) through the optimizer, end to end: the CLI
// command in this process, optimizeWorkflow (and the chain run) on the dev server, a real worker, the real SDKs
// against the fakes. The executor mentions the topics its skill has rules for; the improver adds the rules its
// failing cases expected.

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

const skillMd = (name: string) => `---\nname: ${name}\ndescription: answers questions\n---\n# ${name}\n\nAnswer.\n`;

async function world() {
  const h = await optimizeHarness({});
  open.push(h);
  const cfg = loadConfig({
    REFINERY_DATABASE_URL: h.dbUrl,
    TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
    REFINERY_USER: 'ana',
  });
  const skill = (name: string, extra: Record<string, string> = {}) => {
    const dir = path.join(h.dir, 'skills', name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [rel, text] of Object.entries({ 'SKILL.md': skillMd(name), ...extra })) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    return dir;
  };
  // Six golden cases over two topics: each passes only when the skill has the rule for its topic.
  const golden = path.join(h.dir, 'golden.jsonl');
  fs.writeFileSync(
    golden,
    [1, 2, 3, 4, 5, 6]
      .map((n) => JSON.stringify({ input: `Question: q${n}`, expected: n % 2 ? 'apples' : 'boats' }))
      .join('\n'),
  );
  const binding = await runBinding(cfg, h.db);
  const run = <T>(fn: () => Promise<T>) => withWorker(binding.taskQueue, { db: h.db, providers: h.providers }, fn);
  return { h, cfg, skill, golden, run };
}

const flags = (golden: string, output: string) => [
  '--scenario',
  'Question: q0',
  '--golden',
  golden,
  '--seed',
  '3',
  '--minibatch',
  '8',
  '--max-iterations',
  '3',
  '--threshold',
  '75',
  '--output',
  output,
];

describe('refinery tune <skill-dir> --scenario: the folder form through the optimizer', () => {
  test('pushes the folder, tunes it on its scenario and golden cases, and --wait writes the chosen version back', async () => {
    const { h, cfg, skill, golden, run } = await world();
    const dir = skill('answerer', { 'notes/keep.md': 'untouched\n' });
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    const out = path.join(h.dir, 'out');

    const code = await run(() => tuneCommand(cfg, [dir, ...flags(golden, out), '--wait']));
    expect(logs.join('\n')).toContain('[answerer] threshold-met');
    expect(code).toBe(EXIT.ok);

    // Pushed as version 1 (named by its front matter), the pick is version 2, labelled candidate.
    const v1 = await getContent(h.db, 'answerer', { version: 1 });
    expect(v1.type === 'skill' && v1.files['SKILL.md']).toBe(before);
    const v2 = await getContent(h.db, 'answerer', { version: 2 });
    const chosen = v2.type === 'skill' ? v2.files['SKILL.md']! : '';
    expect(chosen).toBe(`${before}\nAlways mention apples.\nAlways mention boats.`);

    // The dataset: the scenario (judge-graded) and the six golden cases; under 12 cases, so no held-out evidence.
    const ds = await getDataset(h.db, 'answerer-scenario');
    const cases = await getDatasetCases(h.db, 'answerer-scenario', ds!.version);
    expect(cases.map((c) => c.id)).toEqual(['scenario', ...[1, 2, 3, 4, 5, 6].map((n) => `golden-${n}`)]);
    expect(cases[0]!.assertions).toEqual([{ type: 'rubric' }]);
    expect(logs.join('\n')).toContain('7 cases from the scenario and golden cases (under 12: no held-out evidence');
    expect(logs.join('\n')).toMatch(/warning: no held-out evidence: the dataset has 7 cases/);

    // Written back here by the client that waited: the chosen version's bytes, the other files as they were.
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(chosen);
    expect(fs.readFileSync(path.join(dir, 'notes', 'keep.md'), 'utf8')).toBe('untouched\n');
    expect(logs.join('\n')).toContain(`written back to ${dir}: SKILL.md`);
    const report = /report: (\S+)/.exec(logs.join('\n'))![1]!;
    expect(report.startsWith(path.join(out, 'docs', 'feedbacks'))).toBe(true);
    expect(fs.readFileSync(report, 'utf8').length).toBeGreaterThan(0);
  });

  test('without --wait, `refinery outcome --write` writes it later, and refuses a folder edited meanwhile', async () => {
    const { h, cfg, skill, golden, run } = await world();
    const dir = skill('later');
    const before = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
    const status = await run(async () => {
      expect(await tuneCommand(cfg, [dir, ...flags(golden, h.dir), '--json'])).toBe(EXIT.ok);
      const { workflowId } = (JSON.parse(logs[0]!) as { workflowId: string }[])[0]!;
      return (await client.workflow.getHandle(workflowId).result()) as OptimizeStatus;
    });
    expect(status.folder).toBe(dir);
    expect(status.outcome?.version).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(before); // the worker wrote nothing here

    const id = `optimize-later-${status.runId}`;
    fs.writeFileSync(path.join(dir, 'SKILL.md'), `${before}my own edit\n`);
    expect(await outcomeCommand(cfg, [id, '--write'])).toBe(EXIT.badInput);
    expect(logs.join('\n')).toContain('changed since the run started; nothing was written');
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(`${before}my own edit\n`);

    fs.writeFileSync(path.join(dir, 'SKILL.md'), before);
    expect(await outcomeCommand(cfg, [id, '--write'])).toBe(EXIT.ok);
    expect(fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8')).toBe(
      `${before}\nAlways mention apples.\nAlways mention boats.`,
    );
  });

  test('--chain tunes the skills in order, each on the artifacts of the chosen version before it', async () => {
    const { h, cfg, skill, golden, run } = await world();
    const first = skill('drafter');
    const second = skill('polisher');
    const firstBefore = fs.readFileSync(path.join(first, 'SKILL.md'), 'utf8');
    const secondBefore = fs.readFileSync(path.join(second, 'SKILL.md'), 'utf8');

    const code = await run(() => tuneCommand(cfg, [first, second, ...flags(golden, h.dir), '--chain', '--wait']));
    expect(code).toBe(EXIT.ok);
    const shown = logs.join('\n');
    const chainId = /started (chain-drafter\+polisher-[0-9a-f]{12})/.exec(shown)![1]!;
    expect(shown).toContain(`[chain] step 1 of 2: drafter (${chainId}-1-drafter)`);
    expect(shown).toContain(`[chain] step 2 of 2: polisher (${chainId}-2-polisher)`);

    const chain = (await client.workflow.getHandle(chainId).result()) as ChainTuneStatus;
    expect(chain.steps.map((s) => [s.skill, s.status?.stop])).toEqual([
      ['drafter', 'threshold-met'],
      ['polisher', 'threshold-met'],
    ]);
    // The first skill is graded by the judge (the golden assertions judge what the chain delivers: the last skill).
    const firstCases = await getDatasetCases(h.db, chain.steps[0]!.dataset!.name, chain.steps[0]!.dataset!.version);
    expect(firstCases.every((c) => c.assertions.length === 1 && c.expected === undefined)).toBe(true);
    const lastCases = await getDatasetCases(h.db, chain.steps[1]!.dataset!.name, chain.steps[1]!.dataset!.version);
    expect(lastCases.find((c) => c.id === 'golden-1')).toMatchObject({ expected: 'apples' });
    // The second skill's input holds the first one's answer for the same case.
    expect(lastCases.find((c) => c.id === 'golden-2')!.input).toContain(
      '<artifact from="drafter">\nANSWER q2:\n</artifact>',
    );
    expect(
      h.executorRequests().some((r) => r.text.includes('# polisher') && r.text.includes('<artifact from="drafter">')),
    ).toBe(true);

    // The drafter met the threshold as it was: its folder stays; the polisher learnt the rules and is written back.
    expect(fs.readFileSync(path.join(first, 'SKILL.md'), 'utf8')).toBe(firstBefore);
    expect(fs.readFileSync(path.join(second, 'SKILL.md'), 'utf8')).toBe(
      `${secondBefore}\nAlways mention apples.\nAlways mention boats.`,
    );
    expect(shown).toContain(`written back to ${second}: SKILL.md`);

    // `refinery status` of the chain names each step's own run.
    const at = logs.length;
    expect(await statusCommand(cfg, [chainId])).toBe(EXIT.ok);
    expect(logs.slice(at)).toEqual(
      expect.arrayContaining([
        `${chainId} (chain drafter → polisher): completed`,
        `  1. drafter: ${chainId}-1-drafter · threshold-met`,
        `  2. polisher: ${chainId}-2-polisher · threshold-met`,
      ]),
    );
  });
});
