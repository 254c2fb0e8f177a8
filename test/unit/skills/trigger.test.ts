import { validateAssertions } from '../../../src/eval/assertions';
import { parseDataset } from '../../../src/eval/datasets';
import { OfflineProvider } from '../../../src/offline/offline-provider';
import type { CaseEvidence } from '../../../src/optimizer/activity-types';
import { toDocuments } from '../../../src/optimizer/documents';
import { descriptionOnlyProblem, editScopeOf } from '../../../src/optimizer/edit-scope';
import { proposalFromAnswer } from '../../../src/optimizer/proposal';
import { reflectionPrompt } from '../../../src/optimizer/reflection';
import {
  parseTriggerAnswer,
  parseTriggerPrompt,
  readTriggerOutput,
  shownCards,
  triggerMetrics,
  triggerOutput,
  triggerRequest,
} from '../../../src/skills/trigger';
import { problemsOf } from '../../eval/datasets/helpers';

const pdf = { name: 'pdf-forms', description: 'Fills in PDF forms.' };
const others = [
  { name: 'slides', description: 'Makes slide decks.' },
  { name: 'sheets', description: 'Builds spreadsheets.' },
];

describe('trigger cases in a dataset', () => {
  const line = (o: object) => JSON.stringify(o);
  test('a trigger case: the query as input, one trigger assertion, distractors optional', () => {
    const [c] = parseDataset(
      line({ id: 't1', input: 'fill this form', assertions: [{ type: 'trigger', should: true, distractors: others }] }),
      'jsonl',
      { source: 'd.jsonl', validateAssertions },
    );
    expect(c).toMatchObject({ id: 't1', input: 'fill this form', assertions: [{ type: 'trigger', should: true }] });
  });

  test.each([
    [
      { vars: { q: 'x' }, assertions: [{ type: 'trigger', should: true }] },
      'a trigger case needs its query as "input"',
    ],
    [
      { input: 'x', expected: 'y', assertions: [{ type: 'trigger', should: true }] },
      'a trigger case has no "expected" text',
    ],
    [
      {
        input: 'x',
        assertions: [
          { type: 'trigger', should: true },
          { type: 'contains', value: 'a' },
        ],
      },
      'a trigger case holds one "trigger" assertion and nothing else',
    ],
    [{ input: 'x', assertions: [{ type: 'trigger', should: 'yes' }] }, '$[0].should: must be true (the skill should'],
    [{ input: 'x', assertions: [{ type: 'trigger' }] }, '$[0].should: must be true'],
    [
      { input: 'x', assertions: [{ type: 'trigger', should: true, distractors: [{ name: 'a' }] }] },
      '$[0].distractors[0].description',
    ],
    [{ input: 'x', assertions: [{ type: 'trigger', should: true, distractors: 'a' }] }, 'must be a list of {"name"'],
    [{ input: 'x', assertions: [{ type: 'trigger', should: true, when: 1 }] }, 'when'],
  ])('refused with a message naming the problem: %j', (row, message) => {
    const problems = problemsOf(line(row), 'jsonl', { validateAssertions });
    expect(problems.join('\n')).toContain(message);
  });
});

describe('the trigger question and its answer', () => {
  test('the candidate is shown among the distractors at a place drawn from the case and run', () => {
    const places = new Set(
      Array.from({ length: 12 }, (_, i) => shownCards(pdf, others, `t#${i}`).findIndex((c) => c === pdf)),
    );
    expect(places).toEqual(new Set([0, 1, 2]));
    expect(shownCards(pdf, others, 't#1')).toEqual(shownCards(pdf, others, 't#1'));
    // A distractor named like the candidate is left out: the candidate is shown once.
    expect(shownCards(pdf, [{ ...pdf, description: 'other' }], 'x')).toEqual([pdf]);
  });

  test('the request asks for structured output and reads back', () => {
    const req = triggerRequest([others[0]!, pdf], 'fill "this" <form>');
    expect(req).toMatchObject({ json: true, jsonSchema: { name: 'skills_to_load' } });
    expect(parseTriggerPrompt(req.prompt)).toEqual({ skills: [others[0], pdf], query: 'fill "this" <form>' });
  });

  test.each([
    ['{"load": ["pdf-forms"]}', ['pdf-forms']],
    ['{"load": []}', []],
    ['```json\n{"load": ["a", "a"]}\n```', ['a']],
    ['{"load": "pdf-forms"}', undefined],
    ['I would load pdf-forms', undefined],
  ])('answer %j reads as %j', (text, loaded) => {
    expect(parseTriggerAnswer(text)).toEqual(loaded);
  });

  test('the stored output says whether the candidate was loaded', () => {
    const o = triggerOutput('pdf-forms', ['slides', 'pdf-forms'], ['slides', 'pdf-forms']);
    expect(readTriggerOutput(o)).toEqual({
      candidate: 'pdf-forms',
      loaded: ['slides', 'pdf-forms'],
      candidateLoaded: true,
      shown: ['slides', 'pdf-forms'],
    });
    expect(readTriggerOutput('plain text')).toBeUndefined();
  });

  test('the offline provider loads the skill whose description shares the most words with the query', async () => {
    const offline = new OfflineProvider();
    const ask = async (query: string) =>
      parseTriggerAnswer((await offline.complete('m', triggerRequest([...others, pdf], query))).text);
    expect(await ask('please fill these PDF forms')).toEqual(['pdf-forms']);
    expect(await ask('build spreadsheets for me')).toEqual(['sheets']);
    expect(await ask('what time is it')).toEqual([]);
  });
});

describe('precision and recall over repeated runs', () => {
  test('counts every run of every query', () => {
    const runs = [
      ...Array(3).fill({ caseId: 'a', should: true, loaded: true }),
      { caseId: 'b', should: true, loaded: true },
      { caseId: 'b', should: true, loaded: false },
      { caseId: 'b', should: true, loaded: false },
      { caseId: 'c', should: false, loaded: true },
      { caseId: 'c', should: false, loaded: false },
      { caseId: 'c', should: false, loaded: false },
    ];
    expect(triggerMetrics(runs)).toEqual({
      runs: 9,
      queries: 3,
      truePositives: 4,
      falsePositives: 1,
      falseNegatives: 2,
      trueNegatives: 2,
      precision: 4 / 5,
      recall: 4 / 6,
      accuracy: 6 / 9,
    });
  });

  test('no run loaded it, no query should: precision and recall are undefined, not 0', () => {
    expect(triggerMetrics([{ caseId: 'a', should: false, loaded: false }])).toMatchObject({
      precision: null,
      recall: null,
      accuracy: 1,
    });
  });
});

describe('the description edit scope', () => {
  const md = (description: string, body = '# Body\n', extra = '') =>
    `---\nname: pdf-forms\ndescription: ${description}\n${extra}---\n${body}`;
  const skill = (skillMd: string, ref = 'Ref.\n') => ({
    type: 'skill' as const,
    files: { 'SKILL.md': skillMd, 'ref.md': ref },
  });
  const parent = skill(md('Fills forms.'));

  test('a dataset of trigger cases only tunes the description; any other case, the files', () => {
    const t = { assertions: [{ type: 'trigger', should: true }] };
    expect(editScopeOf([t, t])).toBe('description');
    expect(editScopeOf([t, { assertions: [{ type: 'contains', value: 'a' }] }])).toBe('files');
    expect(editScopeOf([])).toBe('files');
  });

  test('only the description may change, to a valid one', () => {
    expect(descriptionOnlyProblem(parent, skill(md('Fills PDF forms. Use for any pdf.')), 'pdf-forms')).toBeUndefined();
    expect(descriptionOnlyProblem(parent, skill(md('"Quoted: fine"')), 'pdf-forms')).toBeUndefined();
    expect(descriptionOnlyProblem(parent, skill(md('Fills forms.'), 'Other.\n'), 'x')).toMatch(
      /may change only the description .* changes ref\.md$/,
    );
    expect(descriptionOnlyProblem(parent, skill(md('Fills forms.', '# Other\n')), 'x')).toMatch(/changes the body/);
    expect(descriptionOnlyProblem(parent, skill(md('Fills forms.', '# Body\n', 'license: MIT\n')), 'x')).toMatch(
      /another front-matter field/,
    );
    expect(descriptionOnlyProblem(parent, skill('# no front matter\n'), 'x')).toMatch(/readable front matter/);
    expect(descriptionOnlyProblem(parent, skill(md('x'.repeat(1100))), 'pdf-forms')).toMatch(
      /rule "description-length"/,
    );
  });
});

describe('a description tune offline', () => {
  test('the offline improver adds a missed query to the description, and the offline model then loads the skill', async () => {
    const md = '---\nname: pdf-forms\ndescription: Fills in forms.\n---\n# Body\n';
    const parent = { type: 'skill' as const, files: { 'SKILL.md': md } };
    const query = 'merge these invoices into one ledger';
    const evidence: CaseEvidence[] = [
      {
        caseId: 't1',
        vars: { input: query },
        output: triggerOutput('pdf-forms', [], ['pdf-forms']),
        score: 0,
        passed: false,
        assertions: [{ type: 'trigger', pass: false, score: 0, reason: 'should load pdf-forms but loaded no skill' }],
      },
    ];
    const budget = { lines: 20, bytes: 2000 };
    const req = reflectionPrompt({
      kind: 'skill',
      documents: toDocuments(parent),
      evidence,
      lineage: [],
      changeBudget: budget,
      variables: [],
      reflectionTokens: 20_000,
      editScope: 'description',
    });
    const offline = new OfflineProvider();
    const reply = await offline.complete('offline', { ...req, maxTokens: 1000 });
    const out = proposalFromAnswer(parent, reply.text, budget);
    if (!('child' in out)) throw new Error(`refused: ${out.refused}`);
    expect(descriptionOnlyProblem(parent, out.child, 'pdf-forms')).toBeUndefined();
    const description = out.child.type === 'skill' ? out.child.files['SKILL.md'] : '';
    expect(description).toContain(`description: "Fills in forms. Use it for requests like: ${query}"`);
    const child = out.child.type === 'skill' ? out.child.files['SKILL.md']! : '';
    const card = { name: 'pdf-forms', description: /^description: (.*)$/m.exec(child)![1]! };
    const answer = await offline.complete('offline', triggerRequest([...others, card], query));
    expect(parseTriggerAnswer(answer.text)).toEqual(['pdf-forms']);
  });
});
