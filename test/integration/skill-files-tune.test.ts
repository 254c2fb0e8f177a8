import type { Client } from '@temporalio/client';
import { getContent } from '../../src/library/versions';
import { skillFileUsage } from '../../src/skills/tool-call-store';
import type { FakeReply, RecordedRequest } from '../fakes/fake-server-core';
import { optimizeHarness, ruleExecutor, topicCases, type OptimizeHarness } from '../support/optimize/optimize-harness';
import { testClient, uniqueId, withWorker } from '../support/temporal';

// The improver edits any text file of a skill, guided by which files agent runs read: on the dev server, agent
// execution over the real Anthropic SDK against the fake (which reads the reference SKILL.md points to), and the
// reflective improver shown each file's read count and the change budget.

let client: Client;
let closeClient: () => Promise<void>;
const open: OptimizeHarness[] = [];
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => closeClient());

const TOPICS = ['apples', 'boats', 'cats', 'dunes'];

/** An agent that reads references/rules.md first (SKILL.md points to it), then answers by the rules it read. */
function rulesAgent(req: RecordedRequest): FakeReply {
  const read = req.text.includes('RULES FILE');
  if (req.text.includes('references/rules.md') && !read)
    return { text: '', toolCalls: [{ id: 'r1', name: 'read_file', input: { path: 'references/rules.md' } }] };
  return ruleExecutor(req);
}

test('shown per-file reads, the improver removes a file no run reads and puts the fix in the one that is read', async () => {
  const h = await optimizeHarness({
    executor: rulesAgent,
    improver: (shown, req) => {
      const usage = /<file-usage>[\s\S]*?<\/file-usage>/.exec(req.text)?.[0] ?? '';
      const unused = /- (\S+): read in 0 of \d+ runs/.exec(usage)?.[1];
      const topics = [...new Set(shown.failing.map((f) => f.expected).filter((e): e is string => Boolean(e)))];
      if (!unused) return { summary: 'no usage shown', edits: [] };
      return {
        summary: `remove ${unused} (no run reads it); mention ${topics.join(', ')}`,
        edits: [
          { path: unused, action: 'delete_file' },
          { path: 'references/rules.md', action: 'append', text: topics.map((t) => `Always mention ${t}.\n`).join('') },
        ],
      };
    },
  });
  open.push(h);
  await h.item('topics-skill', {
    type: 'skill',
    files: {
      'SKILL.md':
        '---\nname: topics-skill\ndescription: answers questions\n---\n# Topics\n\nRead references/rules.md, then answer.\n',
      'references/rules.md': 'RULES FILE\n',
      'references/history.md': 'How this skill came to be.\n',
    },
  });
  await h.dataset(
    'skill-cases',
    topicCases(24, TOPICS).map((c) => ({ ...c, vars: { input: String(c.vars!.q) } })),
  );
  const taskQueue = uniqueId('tq-files');
  await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
    const run = await h.start(client, taskQueue, ['topics-skill'], {
      dataset: 'skill-cases@1',
      seed: '3',
      'max-iterations': '2',
      parallel: '1',
      threshold: '95',
    });
    const status = await run.result();

    // The improver was shown each file's reads over the parent's agent runs, and the change budget.
    const reflection = h.improverRequests()[0]!.text;
    expect(reflection).toMatch(/- references\/history\.md: read in 0 of \d+ runs/);
    expect(reflection).toMatch(/- references\/rules\.md: read in (\d+) of \1 runs/);
    expect(reflection).toContain('<change-budget>');

    expect(status.acceptances).toBeGreaterThanOrEqual(1);
    const v2 = await getContent(h.db, 'topics-skill', { version: status.outcome!.version! });
    if (v2.type !== 'skill') throw new Error('the chosen is not a skill');
    expect(Object.keys(v2.files).sort()).toEqual(['SKILL.md', 'references/rules.md']);
    expect(v2.files['references/rules.md']).toMatch(/^RULES FILE\nAlways mention \w+\./);
    // Every read was recorded under the item: rules.md in every agent run, history.md in none.
    const usage = await skillFileUsage(h.db, 'topics-skill');
    expect(usage.files.map((f) => f.path)).toEqual(['references/rules.md']);
    expect(usage.files[0]!.runs).toBe(usage.agentRuns);
  });
});
