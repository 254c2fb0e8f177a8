import fs from 'node:fs';
import path from 'node:path';
import { CHECKS } from '../../../src/offline/checklist';
import { OfflineProvider } from '../../../src/offline/offline-provider';
import type { SkillFiles } from '../../../src/skills/limits';
import { applyEdits } from '../../../src/tune/edits';
import {
  dimensionScores,
  improverOutputSchema,
  normaliseCategory,
  parseJudgeOutput,
} from '../../../src/tune/model-output';
import { executorPrompt, improverPrompt, judgePrompt } from '../../../src/tune/role-prompts';
import { weightedScore } from '../../../src/tune/scoring';

const provider = new OfflineProvider();
const RELEASE_NOTES = fs.readFileSync(path.join(__dirname, '../../../examples/skills/release-notes/SKILL.md'), 'utf8');
const SCENARIO = 'Merged: #12 add CSV export; #13 fix crash on empty list; #14 refactor CI.';

async function judge(files: SkillFiles, name = 'release-notes') {
  const req = judgePrompt({
    skills: [{ name, files, artifact: 'the deliverable' }],
    scenario: SCENARIO,
  });
  const reply = await provider.complete('simulation', { ...req, maxTokens: 4096 });
  return reply.text;
}

async function improve(files: SkillFiles) {
  const req = improverPrompt({ skill: 'release-notes', files, weaknesses: '- [x] y', suggestions: [] });
  return (await provider.complete('simulation', { ...req, maxTokens: 4096 })).text;
}

function judged(text: string) {
  const parsed = parseJudgeOutput(text);
  if (!parsed.ok) throw new Error(`the offline judge's output did not parse: ${parsed.problem}`);
  return parsed.output;
}

const ALL_CATEGORIES = CHECKS.map((c) => c.category);

describe('OfflineProvider', () => {
  test('the same prompt gives the same output, for every role', async () => {
    const files = { 'SKILL.md': RELEASE_NOTES };
    const requests = [
      executorPrompt({ skill: 'release-notes', files, scenario: SCENARIO }),
      judgePrompt({
        skills: [{ name: 'release-notes', files, artifact: 'a' }],
        scenario: SCENARIO,
      }),
      improverPrompt({ skill: 'release-notes', files, weaknesses: '- [missing-inputs] x', suggestions: ['s'] }),
    ];
    for (const req of requests) {
      const a = await provider.complete('simulation', { ...req, maxTokens: 100 });
      const b = await provider.complete('simulation', { ...req, maxTokens: 100 });
      expect(b).toEqual(a);
      expect(a.text.length).toBeGreaterThan(0);
      expect(a).toMatchObject({ provider: 'offline', model: 'simulation', costUsd: 0 });
      expect(a.outputTokens).toBe(Math.ceil(a.text.length / 4));
    }
  });

  test('the executor echoes the skill sections onto the scenario', async () => {
    const req = executorPrompt({ skill: 'release-notes', files: { 'SKILL.md': RELEASE_NOTES }, scenario: SCENARIO });
    const { text } = await provider.complete('simulation', { ...req, maxTokens: 100 });
    expect(text).toContain(`Scenario: ${SCENARIO}`);
    expect(text).toContain('## Release notes writer');
    expect(text).toContain('## Steps\nApplied "Steps" to the scenario.');
  });

  test("the judge's output parses with parseJudgeOutput and scores the release-notes skill", async () => {
    const out = judged(await judge({ 'SKILL.md': RELEASE_NOTES }));
    expect(dimensionScores(out)).toEqual({
      clarity: 100,
      completeness: 67,
      correctness: 50,
      effectiveness: 50,
      efficiency: 100,
    });
    expect(out.weaknesses.map((w) => w.category)).toEqual([
      'missing-inputs',
      'missing-output-format',
      'missing-examples',
      'missing-edge-cases',
    ]);
    expect(out.weaknesses.every((w) => w.skill === 'release-notes' && w.severity === 'medium')).toBe(true);
    expect(out.perSkill).toEqual([{ skill: 'release-notes', score: 73 }]);
    expect(out.strengths).toEqual([
      'release-notes: purpose is covered',
      'release-notes: steps is covered',
      'release-notes: size is covered',
    ]);
  });

  test.each<[string, string, string[]]>([
    ['an empty SKILL.md', '', ALL_CATEGORIES],
    ['a heading only', '# Tiny\n', ALL_CATEGORIES],
    [
      'purpose and steps but nothing else',
      `# Changelog helper\n\nWrites changelog entries from a list of merged pull requests for end users.\n\n## Steps\n\n1. Read.\n2. Write.\n${'More detail. '.repeat(10)}`,
      ['missing-inputs', 'missing-output-format', 'missing-examples', 'missing-edge-cases'],
    ],
    [
      'every section present',
      [
        '# Complete skill',
        '',
        'Use this skill to turn a list of merged changes into user-facing release notes.',
        '',
        '## Inputs',
        '- changes',
        '## Procedure',
        '1. Do it.',
        '## Output format',
        'Markdown.',
        '## Example',
        'In, out.',
        '## Constraints',
        '- none',
      ].join('\n'),
      [],
    ],
  ])('%s gets its missing sections as weaknesses', async (_name, md, categories) => {
    const out = judged(await judge({ 'SKILL.md': md }));
    expect(out.weaknesses.map((w) => w.category)).toEqual(categories);
    expect(out.weaknesses.map((w) => normaliseCategory(w.category))).toEqual(categories);
  });

  test('a skill with every section scores 100', async () => {
    const md = `# Complete\n\nUse this skill to turn a list of merged changes into user-facing release notes.\n\n${CHECKS.filter(
      (c) => c.id !== 'purpose',
    )
      .map((c) => c.fix)
      .join('\n\n')}\n`;
    expect(weightedScore(dimensionScores(judged(await judge({ 'SKILL.md': md }))))).toBe(100);
  });

  test('the improver adds the first missing section, keeping the rest', async () => {
    const reply = improverOutputSchema.parse(JSON.parse(await improve({ 'SKILL.md': RELEASE_NOTES })));
    expect(reply.rationale).toBe('Added what the evaluation found missing: missing-inputs.');
    expect(reply.edits).toHaveLength(1);
    const edit = reply.edits[0]!;
    expect(edit).toMatchObject({ path: 'SKILL.md', action: 'replace' });
    expect(edit.content).toBe(`${RELEASE_NOTES.trimEnd()}\n\n${CHECKS.find((c) => c.id === 'inputs')!.fix}\n`);
  });

  test('the improver opens a skill without a purpose with one', async () => {
    const md = '## Steps\n\n1. Go.';
    const reply = improverOutputSchema.parse(JSON.parse(await improve({ 'SKILL.md': md })));
    expect(reply.edits[0]!.content).toBe(`${CHECKS[0]!.fix}\n\n${md}`);
  });

  test('judge → improver on release-notes raises the score monotonically to at least 80 within 5 rounds', async () => {
    let files: SkillFiles = { 'SKILL.md': RELEASE_NOTES };
    const scores: number[] = [weightedScore(dimensionScores(judged(await judge(files))))];
    for (let round = 0; round < 5 && scores[scores.length - 1]! < 80; round++) {
      const reply = improverOutputSchema.parse(JSON.parse(await improve(files)));
      files = applyEdits(files, reply.edits);
      scores.push(weightedScore(dimensionScores(judged(await judge(files)))));
    }
    expect(scores[0]).toBe(69.3);
    expect(scores.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < scores.length; i++) expect(scores[i]!).toBeGreaterThan(scores[i - 1]!);
    expect(scores[scores.length - 1]!).toBeGreaterThanOrEqual(80);
    expect(scores).toEqual([69.3, 73.3, 77.5, 90]);
    expect(files['SKILL.md']).toContain('## Inputs');
    expect(files['SKILL.md']).toContain('## Output');
    expect(files['SKILL.md']).toContain('## Examples');
    expect(files['SKILL.md']!.startsWith(RELEASE_NOTES.trimEnd())).toBe(true);
  });

  test('improving until nothing is missing ends with a full score', async () => {
    let files: SkillFiles = { 'SKILL.md': RELEASE_NOTES };
    for (let round = 0; round < 4; round++) {
      files = applyEdits(files, improverOutputSchema.parse(JSON.parse(await improve(files))).edits);
    }
    const out = judged(await judge(files));
    expect(out.weaknesses).toEqual([]);
    expect(weightedScore(dimensionScores(out))).toBe(100);
    expect(JSON.parse(await improve(files))).toEqual({ rationale: 'nothing left to add', edits: [] });
  });
});
