import { contentDiff, perCaseComparison, renderOptimizeReport } from '../../../src/optimizer/report';
import { scoreInterval } from '../../../src/optimizer/intervals';
import { contents, H0, H1, H2, reportData } from './report-fixture';

/** The text of one `## ` section of the report. */
function section(md: string, title: string): string {
  const start = md.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`no section "${title}"`);
  const next = md.indexOf('\n## ', start + 3);
  return md.slice(start, next < 0 ? undefined : next);
}

describe('renderOptimizeReport', () => {
  const md = renderOptimizeReport(reportData());

  it('names the target, the dataset, the models, the outcome and the split sizes', () => {
    expect(md).toMatch(/^# Optimize report: greet/);
    expect(md).toContain('greet@3 (text prompt)');
    expect(md).toContain('greet-cases@2');
    expect(md).toContain('became greet@4, labelled `candidate`');
    expect(md).toContain('anthropic:claude-haiku-4-5');
    expect(md).toContain('gemini:gemini-2.5-flash');
    const split = section(md, 'Dataset and split');
    expect(split).toContain('| train | 6 |');
    expect(split).toContain('| validation | 5 |');
    expect(split).toContain('| test | 2 |');
    expect(md).not.toContain('No held-out evidence');
  });

  it('sets the projection beside what was spent', () => {
    const budget = section(md, 'Budget: projected and spent');
    expect(budget).toContain('| Budget | 400 | $2.0000 |');
    expect(budget).toContain('| Projected, whole run | 320 | $1.2500 |');
    expect(budget).toContain('| Projected, baseline + one validation | 30 | $0.1000 |');
    expect(budget).toContain('| Spent | 211 | $0.8734 |');
  });

  it('shows each accepted candidate with its diff against its parent and its paired test', () => {
    const lineage = section(md, 'Accepted lineage');
    expect(lineage).toContain(`### Round 1: \`${H1.slice(0, 12)}\` from \`${H0.slice(0, 12)}\``);
    expect(lineage).toContain('+Cite the source.');
    expect(lineage).toContain('-Answer {{question}}.');
    expect(lineage).toContain('+Answer {{question}} in English.');
    expect(lineage).toContain('p = 0.031 (one-sided), 3 wins / 0 losses / 2 ties');
    expect(lineage).toContain('p = < 0.001');
    expect(lineage).toContain("**Minibatch:** 2.5 against the parent's 1.5");
  });

  it('lists the rejected proposals with their reasons', () => {
    const rejected = section(md, 'Rejected proposals');
    expect(rejected).toContain('lost the minibatch 1.0 vs 2.0');
    expect(rejected).toContain('drops {{question}}');
    expect(rejected).toContain('shout \\| loudly'); // a pipe cannot break the table
    expect(rejected).not.toContain('cite the source');
  });

  it('shows the progression per candidate with intervals', () => {
    const progression = section(md, 'Progression');
    expect(progression).toContain(`| 0 | \`${H0.slice(0, 12)}\` | — | 54.0 [`);
    expect(progression).toContain(`| 2 | \`${H2.slice(0, 12)}\` (chosen) |`);
    expect(progression.match(/\(n = 5\)/g)).toHaveLength(3);
  });

  it('counts per-case wins and losses of the chosen against the original, and shows the test split for both', () => {
    const cases = section(md, 'Per case on validation');
    expect(cases).toContain('3 wins, 1 loss, 1 tie.');
    expect(cases).toContain('| v3 | 60.0 | 50.0 | loss |');
    expect(cases).toContain('| v1 | 20.0 | 90.0 | win |');
    expect(cases).not.toContain('| v5 |');
    const test = section(md, 'Test split');
    expect(test).toContain('| Chosen | 75.0 [');
    expect(test).toContain('| Original | 25.0 [');
  });

  it('says there is no held-out evidence when the dataset was too small to split', () => {
    const all = ['v1', 'v2', 'v3'];
    const small = renderOptimizeReport(
      reportData({ split: { train: all, validation: all, test: [], heldOut: false, seed: 7 }, test: undefined }),
    );
    expect(small).toContain('**No held-out evidence:**');
    expect(small).toContain('fewer than 12 cases');
    expect(section(small, 'Test split')).toContain('No test split.');
  });

  it('says when the original won, and when it was a dry run', () => {
    const d = reportData();
    const original = renderOptimizeReport({ ...d, chosen: d.original, version: undefined });
    expect(original).toContain('the original stayed best on validation: no new version');
    expect(section(original, 'Per case on validation')).toContain('no difference to show');
    const dry = renderOptimizeReport({ ...d, version: undefined, settings: { ...d.settings, dryRun: true } });
    expect(dry).toContain('dry run: candidate');
    expect(dry).toContain('no version was recorded');
  });

  it('reports the skill baseline delta, decisions and warnings', () => {
    const withDelta = renderOptimizeReport(
      reportData({
        baselineDelta: {
          withSkill: { passRate: 0.8, tokens: 1200 },
          withoutSkill: { passRate: 0.5, tokens: 700 },
          original: { passRate: 0.7, tokens: 1100 },
        },
        decisions: [
          {
            action: 'continue',
            iterations: 2,
            by: 'ana',
            reason: 'converged-below-threshold',
            decidedAt: '2026-12-06T10:00:00Z',
          },
        ],
        projection: { ...reportData().projection, warning: 'the budget cannot cover the baseline' },
      }),
    );
    const delta = section(withDelta, 'Baseline delta (skill)');
    expect(delta).toContain('| Without the skill | 50.0 % | 700 |');
    expect(delta).toContain('Against no skill: +30.0 points, +500 tokens.');
    expect(delta).toContain('Against the original: +10.0 points, +100 tokens.');
    expect(section(withDelta, 'Decisions')).toContain('**continue** (+2 rounds) by ana on "converged-below-threshold"');
    const warnings = section(withDelta, 'Warnings');
    expect(warnings).toContain('judge and executor share a family');
    expect(warnings).toContain('the budget cannot cover the baseline');
    expect(md).not.toContain('## Baseline delta');
  });
});

describe('contentDiff', () => {
  it('diffs prompts, chat messages and skill files document by document', () => {
    expect(contentDiff(contents[H0]!, contents[H0]!, { from: 'a', to: 'b' })).toBe('');
    expect(contentDiff(contents[H0]!, contents[H1]!, { from: 'a', to: 'b' })).toContain('+++ b/prompt.md');
    const chat = contentDiff(
      { type: 'chat', messages: [{ role: 'system', content: 'Be kind.' }], variables: [] },
      { type: 'chat', messages: [{ role: 'system', content: 'Be kind and brief.' }], variables: [] },
      { from: 'a', to: 'b' },
    );
    expect(chat).toContain('+Be kind and brief.');
    const skill = contentDiff(
      { type: 'skill', files: { 'SKILL.md': 'one\n', 'old.md': 'gone\n' } },
      { type: 'skill', files: { 'SKILL.md': 'two\n', 'new.md': 'here\n' } },
      { from: 'a', to: 'b' },
    );
    expect(skill).toContain('--- a/SKILL.md');
    expect(skill).toContain('+++ /dev/null');
    expect(skill).toContain('--- /dev/null\n+++ b/new.md');
  });
});

describe('perCaseComparison', () => {
  it('sorts cases into wins, losses and ties', () => {
    expect(perCaseComparison({ a: 0.5, b: 1, c: 0.2, d: 1 }, { a: 0.7, b: 0.5, c: 0.2 })).toEqual({
      wins: ['a'],
      losses: ['b'],
      ties: ['c'],
    });
    expect(scoreInterval([1]).n).toBe(1);
  });
});
