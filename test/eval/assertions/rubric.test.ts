import { rubricResult, type RubricAssertion } from '../../../src/eval/assertions';

describe('rubricResult', () => {
  test.each<[string, RubricAssertion, number, string, { pass: boolean; score: number; reason: string }]>([
    ['passes at the default threshold', { type: 'rubric' }, 70, 'solid', { pass: true, score: 0.7, reason: 'solid' }],
    [
      'fails just below the default threshold',
      { type: 'rubric' },
      69.5,
      'vague steps',
      { pass: false, score: 0.695, reason: 'judge scored 69.5, below the threshold 70: vague steps' },
    ],
    [
      'uses a custom threshold',
      { type: 'rubric', rubric: 'Is it polite?', threshold: 90 },
      85,
      '',
      { pass: false, score: 0.85, reason: 'judge scored 85, below the threshold 90' },
    ],
    [
      'a threshold of 0 always passes',
      { type: 'rubric', threshold: 0 },
      0,
      'bad',
      { pass: true, score: 0, reason: 'bad' },
    ],
    ['clamps scores above 100', { type: 'rubric' }, 140, 'great', { pass: true, score: 1, reason: 'great' }],
    [
      'clamps scores below 0',
      { type: 'rubric' },
      -5,
      'awful',
      { pass: false, score: 0, reason: 'judge scored 0, below the threshold 70: awful' },
    ],
    [
      'a missing score fails',
      { type: 'rubric', threshold: 0 },
      NaN,
      'unparseable reply',
      { pass: false, score: 0, reason: 'judge gave no valid score: unparseable reply' },
    ],
  ])('%s', (_name, assertion, judgeScore, reason, expected) => {
    expect(rubricResult(assertion, judgeScore, reason)).toEqual({ type: 'rubric', weight: 1, ...expected });
  });

  test('carries the weight', () => {
    expect(rubricResult({ type: 'rubric', weight: 3 }, 80, '').weight).toBe(3);
  });
});
