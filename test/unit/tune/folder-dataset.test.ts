import { chainInput, chainStepCases, folderCases, MIN_FOLDER_CASES } from '../../../src/tune/folder-dataset';
import { pairedTest } from '../../../src/optimizer/paired-test';

describe('the folder form as a dataset', () => {
  test('a lone scenario is drawn as several judge-graded cases, each keyed apart, enough for a paired test to accept', () => {
    const cases = folderCases('Write the notes');
    expect(cases).toHaveLength(MIN_FOLDER_CASES);
    expect(cases.map((c) => c.id)).toEqual(['scenario-1', 'scenario-2', 'scenario-3', 'scenario-4', 'scenario-5']);
    expect(cases.every((c) => c.input === 'Write the notes' && c.vars.input === 'Write the notes')).toBe(true);
    expect(new Set(cases.map((c) => c.vars.draw)).size).toBe(MIN_FOLDER_CASES);
    expect(cases.every((c) => JSON.stringify(c.assertions) === '[{"type":"rubric"}]')).toBe(true);
    // A child that wins every draw can be accepted at alpha 0.05; with one case it never could.
    expect(pairedTest([1, 1, 1, 1, 1], [0, 0, 0, 0, 0], 1).pValue).toBeLessThan(0.05);
    expect(pairedTest([1], [0], 1).pValue).toBeGreaterThanOrEqual(0.05);
  });

  test('golden cases keep their assertions and expected; one with nothing to check is judged', () => {
    const cases = folderCases('S', [
      { input: 'a', expected: 'x', assertions: [] },
      { input: 'b', assertions: [{ type: 'regex', value: '^b' }] },
      { input: 'c', assertions: [] },
    ]);
    expect(cases.map((c) => c.id)).toEqual(['scenario-1', 'scenario-2', 'golden-1', 'golden-2', 'golden-3']);
    expect(cases[2]).toMatchObject({ input: 'a', expected: 'x', assertions: [], tags: ['golden'] });
    expect(cases[3]!.assertions).toEqual([{ type: 'regex', value: '^b' }]);
    expect(cases[4]!.assertions).toEqual([{ type: 'rubric' }]);
    const many = folderCases(
      'S',
      Array.from({ length: 6 }, (_, i) => ({ input: `g${i}`, assertions: [] })),
    );
    expect(many[0]).toMatchObject({ id: 'scenario', vars: { input: 'S' } });
  });

  test('a chain step carries the artifacts before it; only the last step keeps the golden checks', () => {
    const base = folderCases('S', [{ input: 'a', expected: 'x', assertions: [{ type: 'contains', value: 'y' }] }]);
    const upstream = { 'golden-1': [{ skill: 'one', artifact: 'A1' }] };
    const middle = chainStepCases(base, upstream, false);
    expect(middle[4]).toMatchObject({ id: 'golden-1', assertions: [{ type: 'rubric' }] });
    expect(middle[4]!.expected).toBeUndefined();
    expect(middle[4]!.input).toBe(chainInput('a', upstream['golden-1']));
    expect(middle[4]!.input).toContain('<artifact from="one">\nA1\n</artifact>');
    expect(middle[0]!.input).toBe('S');
    const last = chainStepCases(base, upstream, true);
    expect(last[4]).toMatchObject({ expected: 'x', assertions: [{ type: 'contains', value: 'y' }] });
    expect(last[4]!.vars.input).toBe(last[4]!.input);
  });
});
