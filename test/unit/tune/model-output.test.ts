import {
  dimensionScores,
  extractJson,
  heuristicScores,
  improverOutputSchema,
  normaliseCategory,
  parseJudgeOutput,
  type JudgeParse,
} from '../../../src/tune/model-output';

const dims = { clarity: 70, completeness: 80, correctness: 90, effectiveness: 60, efficiency: 50 };
const judgeJson = (over: Record<string, unknown> = {}) => JSON.stringify({ dimensions: dims, ...over });

function ok(parse: JudgeParse) {
  if (!parse.ok) throw new Error(`expected ok, got: ${parse.problem}`);
  return parse.output;
}
function notOk(parse: JudgeParse) {
  if (parse.ok) throw new Error('expected a parse failure');
  return parse;
}

describe('parseJudgeOutput: valid output', () => {
  test.each([
    ['plain JSON', judgeJson()],
    ['fenced ```json', `\`\`\`json\n${judgeJson()}\n\`\`\``],
    ['fenced without language', `\`\`\`\n${judgeJson()}\n\`\`\``],
    ['prose around', `Here is my evaluation:\n${judgeJson()}\nHope this helps.`],
    ['prose around a fence', `Sure! \`\`\`json ${judgeJson()} \`\`\` Anything else?`],
    ['pretty-printed', JSON.stringify({ dimensions: dims }, null, 2)],
  ])('%s', (_name, text) => {
    const out = ok(parseJudgeOutput(text));
    expect(dimensionScores(out)).toEqual(dims);
    expect(out.strengths).toEqual([]);
    expect(out.weaknesses).toEqual([]);
    expect(out.suggestions).toEqual([]);
    expect(out.perSkill).toBeUndefined();
  });

  test('dimensions as {score, notes} objects, mixed with numbers', () => {
    const text = JSON.stringify({
      dimensions: {
        clarity: { score: 71, notes: 'ok' },
        completeness: { score: 82 },
        correctness: 93,
        effectiveness: { score: 64.5 },
        efficiency: '55',
      },
    });
    expect(dimensionScores(ok(parseJudgeOutput(text)))).toEqual({
      clarity: 71,
      completeness: 82,
      correctness: 93,
      effectiveness: 64.5,
      efficiency: 55,
    });
  });

  test('weaknesses, strengths, suggestions and perSkill are kept, with defaults filled in', () => {
    const out = ok(
      parseJudgeOutput(
        judgeJson({
          strengths: ['clear'],
          weaknesses: [
            { category: 'missing-examples' },
            { category: 'tone', description: 'stiff', severity: 'high', skill: 'a' },
          ],
          suggestions: ['add one'],
          perSkill: [{ skill: 'a', score: 77 }],
        }),
      ),
    );
    expect(out.strengths).toEqual(['clear']);
    expect(out.weaknesses).toEqual([
      { category: 'missing-examples', description: '' },
      { category: 'tone', description: 'stiff', severity: 'high', skill: 'a' },
    ]);
    expect(out.suggestions).toEqual(['add one']);
    expect(out.perSkill).toEqual([{ skill: 'a', score: 77 }]);
  });

  test.each([0, 100])('boundary score %d is valid', (n) => {
    expect(dimensionScores(ok(parseJudgeOutput(JSON.stringify({ dimensions: { ...dims, clarity: n } })))).clarity).toBe(
      n,
    );
  });
});

describe('parseJudgeOutput: invalid output', () => {
  test('a score of 150 fails the schema; the heuristic averages the dimensions it can read', () => {
    const r = notOk(parseJudgeOutput(JSON.stringify({ dimensions: { ...dims, clarity: 150 } })));
    expect(r.problem).toMatch(/^judge JSON did not match the schema: dimensions\.clarity/);
    expect(r.dimensions).toEqual({ completeness: 80, correctness: 90, effectiveness: 60, efficiency: 50 });
    expect(r.heuristicScore).toBe(70);
  });

  test('a missing dimension fails the schema, naming it', () => {
    const { efficiency: _dropped, ...four } = dims;
    const r = notOk(parseJudgeOutput(JSON.stringify({ dimensions: four })));
    expect(r.problem).toMatch(/dimensions\.efficiency/);
    expect(r.heuristicScore).toBe(75);
    expect(r.dimensions).toEqual({ clarity: 70, completeness: 80, correctness: 90, effectiveness: 60 });
  });

  test.each([
    ['negative score', { dimensions: { ...dims, correctness: -1 } }, /dimensions\.correctness/],
    ['non-numeric score', { dimensions: { ...dims, correctness: 'great' } }, /dimensions\.correctness/],
    ['no dimensions at all', { overall: 80 }, /dimensions/],
    [
      'a weakness without a category',
      { dimensions: dims, weaknesses: [{ description: 'x' }] },
      /weaknesses\.0\.category/,
    ],
    ['an empty weakness category', { dimensions: dims, weaknesses: [{ category: '' }] }, /weaknesses\.0\.category/],
    [
      'a bad severity',
      { dimensions: dims, weaknesses: [{ category: 'x', severity: 'extreme' }] },
      /weaknesses\.0\.severity/,
    ],
    ['perSkill over 100', { dimensions: dims, perSkill: [{ skill: 'a', score: 101 }] }, /perSkill\.0\.score/],
  ])('%s', (_name, value, problem) => {
    expect(notOk(parseJudgeOutput(JSON.stringify(value))).problem).toMatch(problem);
  });

  test.each([
    ['no JSON at all', 'I cannot evaluate this.', /^judge output is not JSON: no JSON object in the output/, undefined],
    ['truncated JSON', '{"dimensions": {"clarity": 70,', /^judge output is not JSON: no JSON object/, 70],
    ['braces but not JSON', 'see {this} and {that}', /^judge output is not JSON: /, undefined],
    ['unbalanced JSON with scores', '{"clarity": 60, "completeness": 80 }}', /^judge output is not JSON: /, 70],
  ])('%s', (_name, text, problem, heuristic) => {
    const r = notOk(parseJudgeOutput(text));
    expect(r.problem).toMatch(problem);
    expect(r.heuristicScore).toBe(heuristic);
  });

  test('free text with scores gives a heuristic score', () => {
    const r = notOk(parseJudgeOutput('Clarity: 70, Completeness: 80, Correctness: 90. Overall decent.'));
    expect(r.problem).toMatch(/not JSON/);
    expect(r.heuristicScore).toBe(80);
    expect(r.dimensions).toEqual({ clarity: 70, completeness: 80, correctness: 90 });
  });
});

test.each([null, '', false, [80]])('a non-numeric dimension score %j fails the schema', (value) => {
  expect(parseJudgeOutput(JSON.stringify({ dimensions: { ...dims, clarity: value } })).ok).toBe(false);
});

describe('heuristicScores', () => {
  test.each<[string, string, number | undefined, Record<string, number> | undefined]>([
    [
      'all five dimensions',
      'Clarity: 70, Completeness: 80, Correctness: 90, Effectiveness: 60, Efficiency: 50',
      70,
      { clarity: 70, completeness: 80, correctness: 90, effectiveness: 60, efficiency: 50 },
    ],
    ['some dimensions', 'Clarity: 70, Completeness: 80', 75, { clarity: 70, completeness: 80 }],
    ['with equals signs and /100', 'correctness = 80/100; EFFICIENCY=61', 70.5, { correctness: 80, efficiency: 61 }],
    ['decimals', 'clarity 72.5', 72.5, { clarity: 72.5 }],
    [
      'JSON-ish with score objects',
      '"clarity": {"score": 66}, "efficiency": {"score": 44}',
      55,
      { clarity: 66, efficiency: 44 },
    ],
    ['a dimension over 100 is ignored', 'Clarity: 120, Completeness: 80', 80, { completeness: 80 }],
    ['dimensions win over an overall score', 'Overall score: 10. Clarity: 90', 90, { clarity: 90 }],
    ['overall score out of 100', 'Overall score: 65/100', 65, undefined],
    ['total score', 'Total score is 58', 58, undefined],
    ['bare score', 'score - 81', 81, undefined],
    ['just N/100', 'I would give this 72/100.', 72, undefined],
    ['N / 100 with spaces', 'Rated 64 / 100 overall', 64, undefined],
    ['an overall score over 100 is ignored', 'Overall score: 150', undefined, undefined],
    ['N/100 over 100 is ignored', 'That is 150/100 good', undefined, undefined],
    ['nothing numeric', 'Looks fine, clear and complete.', undefined, undefined],
    ['empty text', '', undefined, undefined],
  ])('%s', (_name, text, score, dimensions) => {
    const r = heuristicScores(text);
    expect(r.heuristicScore).toBe(score);
    expect(r.dimensions).toEqual(dimensions);
  });
});

test('heuristicScores ignores a four-digit number', () => {
  expect(heuristicScores('Clarity: 1000')).toEqual({});
});

describe('extractJson', () => {
  test('takes the first fenced block', () => {
    expect(extractJson('```json\n{"a":1}\n```\n```json\n{"a":2}\n```')).toEqual({ a: 1 });
  });
  test('throws when there is no object', () => {
    expect(() => extractJson('[1,2,3]')).toThrow('no JSON object in the output');
  });
});

describe('improverOutputSchema', () => {
  test('needs a rationale and at least one edit', () => {
    expect(improverOutputSchema.safeParse({ rationale: 'r', edits: [] }).success).toBe(false);
    expect(
      improverOutputSchema.safeParse({ rationale: '', edits: [{ path: 'a', action: 'create', content: 'x' }] }).success,
    ).toBe(false);
    expect(improverOutputSchema.safeParse({ rationale: 'r', edits: [{ path: 'a', action: 'move' }] }).success).toBe(
      false,
    );
    expect(improverOutputSchema.parse({ rationale: 'r', edits: [{ path: 'a', action: 'delete' }] })).toEqual({
      rationale: 'r',
      edits: [{ path: 'a', action: 'delete' }],
    });
  });
});

describe('normaliseCategory', () => {
  test.each([
    ['Missing Examples', 'missing-examples'],
    ['missing-examples', 'missing-examples'],
    ['MISSING_EXAMPLES', 'missing-examples'],
    ['  Missing   examples!! ', 'missing-examples'],
    ['--edge--cases--', 'edge-cases'],
    ['Step 2: Output', 'step-2-output'],
    ['a.b/c', 'a-b-c'],
    ['!!!', 'uncategorised'], // nothing letter-like left: one explicit bucket, not an empty name
    ['Ясность', 'ясность'],
    ['x'.repeat(80), 'x'.repeat(60)],
  ])('%j → %j', (input, expected) => {
    expect(normaliseCategory(input)).toBe(expected);
  });

  test('different spellings of one category agree', () => {
    expect(
      new Set(['Missing Examples', 'missing examples', 'missing_examples', 'Missing-Examples'].map(normaliseCategory))
        .size,
    ).toBe(1);
  });

  test('a long category cut at 60 characters does not end in a hyphen', () => {
    expect(normaliseCategory(`${'a'.repeat(59)} tail`)).not.toMatch(/-$/);
  });
});
