import { loadDashboardData } from '../../src/dashboard/data';
import { renderDashboardPage } from '../../src/dashboard/page';
import { recordVersion } from '../../src/library/versions';
import { recordAgentToolCalls } from '../../src/skills/tool-call-store';
import { describeEachStore } from '../support/store-backends';

const FILES = {
  'SKILL.md': '---\nname: forms\ndescription: Fills forms.\n---\nSee references/.',
  'references/a.md': 'a',
  'references/b<x>.md': 'b',
  'references/c.md': 'c',
};

describeEachStore('the dashboard: skill files read by agents', (backend) => {
  test('per skill, how many agent runs read each file, and the files no run read', async () => {
    const db = await backend.open();
    await recordVersion(db, 'forms', { type: 'skill', files: FILES }, { rationale: 'first', author: 'ana' });
    await recordVersion(db, 'idle', { type: 'skill', files: FILES }, { rationale: 'first', author: 'ana' });
    const read = (path: string) => ({ tool: 'read_file', path, outcome: 'read' as const, bytes: 1 });
    await recordAgentToolCalls(db, { runKey: 'r1', skill: 'forms', skillHash: 'h' }, [read('references/a.md')]);
    await recordAgentToolCalls(db, { runKey: 'r2', skill: 'forms', skillHash: 'h' }, [
      read('references/a.md'),
      read('references/c.md'),
    ]);
    const data = await loadDashboardData(db, { days: 7 });
    // A skill no agent ran is not listed: there is no evidence about its files.
    expect(data.skillFiles).toEqual([
      {
        name: 'forms',
        agentRuns: 2,
        files: [
          { path: 'references/a.md', runs: 2 },
          { path: 'references/c.md', runs: 1 },
        ],
        unread: ['references/b<x>.md'],
      },
    ]);
    const html = renderDashboardPage(data);
    expect(html).toContain('<code>references/a.md</code></td><td>2 of 2 runs</td>');
    expect(html).toContain('<code>references/b&lt;x&gt;.md</code></td><td><span class="badge warn">never read</span>');
  });
});
