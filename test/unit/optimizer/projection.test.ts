import { projectRun, type ProjectionInput } from '../../../src/optimizer/projection';

// 400 characters: 100 tokens in by the four-characters rule.
const PROMPT = 'x'.repeat(400);
const ids = Array.from({ length: 10 }, (_, i) => `c${i}`);
const judged = new Set(['c0', 'c1', 'c4', 'c5']);

function input(
  over: Partial<ProjectionInput> = {},
  settings: Partial<ProjectionInput['settings']> = {},
): ProjectionInput {
  return {
    cases: ids.map((id) => ({ id, prompt: PROMPT, judgeGraded: judged.has(id), noSkillPrompt: 'y'.repeat(40) })),
    split: { validation: ['c0', 'c1', 'c2', 'c3'], train: ['c4', 'c5', 'c6', 'c7', 'c8', 'c9'], test: [] },
    settings: { maxRounds: 5, parallel: 2, minibatchSize: 3, repeat: 3, budget: {}, alpha: 0.05, ...settings },
    models: {
      executor: 'claude-haiku-4-5',
      judge: 'gemini-2.5-flash',
      improver: 'claude-sonnet-4-5',
      maxOutputTokens: 200,
    },
    reflectionTokens: 4000,
    contentTokens: 100,
    skill: false,
    validationShare: 0.4,
    ...over,
  };
}

// Prices per token: haiku 4.5 $1/$5 per MTok, gemini 2.5 flash $0.30/$2.50, sonnet 4.5 $3/$15.
const EXEC = (100 * 1 + 200 * 5) / 1e6; // one executor call: 100 in, 200 out
const JUDGE = (300 * 0.3 + 300 * 2.5) / 1e6; // the judge reads prompt and answer (300), writes 300
const IMPROVER = (4100 * 3 + 600 * 15) / 1e6;

describe('projectRun', () => {
  it('prices the baseline, each round and the whole run in calls and dollars', () => {
    const p = projectRun(input());
    // Validation with repeat 3: two judged cases × 3 × (executor + judge) + two plain cases × 1.
    const validation = { calls: 2 * 3 * 2 + 2, usd: 2 * 3 * (EXEC + JUDGE) + 2 * EXEC };
    expect(p.baselineAndOneValidation.calls).toBe(28);
    expect(p.baselineAndOneValidation.usd).toBeCloseTo(2 * validation.usd, 6);
    // A minibatch of 3 from train: 8 calls over 6 training cases (two judged, one sample) → 4 calls.
    const minibatch = { calls: 4, usd: ((2 * (EXEC + JUDGE) + 4 * EXEC) * 3) / 6 };
    // Per proposal: parent and child on the minibatch, one improver call, half the children validated.
    const proposal = {
      calls: 2 * minibatch.calls + 1 + 0.5 * validation.calls,
      usd: 2 * minibatch.usd + IMPROVER + 0.5 * validation.usd,
    };
    expect(p.perRound.calls).toBe(2 * proposal.calls);
    expect(p.perRound.usd).toBeCloseTo(2 * proposal.usd, 6);
    expect(p.calls).toBe(validation.calls + 5 * 2 * proposal.calls);
    expect(p.usd).toBeCloseTo(validation.usd + 10 * proposal.usd, 6);
    expect(p.warning).toBeUndefined();
    // Four validation cases: the paired test at 0.05 needs five clean wins, so nothing could be accepted.
    expect(p.evidence).toMatchObject({ validationCases: 4, minWins: 5 });
    expect(p.evidence?.warning).toMatch(/^no change can ever be accepted/);
    // Unsplit (validation is every case, train too): the advice sizes the dataset by the share a split would give.
    const unsplit = projectRun(input({ split: { validation: ids, train: ids, test: [] } }));
    expect(unsplit.evidence).toMatchObject({ validationCases: 10, minWins: 5, minShare: 0.5 });
    expect(unsplit.evidence?.warning).toContain('about 125 cases give 50 validation cases');
  });

  it('adds the test split for the chosen and the original, and the no-skill run for a skill', () => {
    const split = { validation: ['c0', 'c1', 'c2'], train: ['c4', 'c5', 'c6', 'c7', 'c8', 'c9'], test: ['c3'] };
    const plain = projectRun(input({ split }));
    const withTest = projectRun(input({ split }, { maxRounds: 0 }));
    // No rounds: the baseline on validation (2 judged × 6 + 1) and the test split twice (c3: 1 call).
    expect(withTest.calls).toBe(13 + 2);
    const skill = projectRun(input({ split, skill: true }, { maxRounds: 0 }));
    expect(skill.calls).toBe(13 + 2 + 1);
    // The no-skill request is shorter than the one with the skill: it costs less than a test run does.
    expect(skill.usd - withTest.usd).toBeLessThan(EXEC);
    expect(skill.usd - withTest.usd).toBeGreaterThan(0);
    expect(plain.calls).toBeGreaterThan(withTest.calls);
  });

  it('warns when the budget cannot cover the baseline plus one full validation', () => {
    expect(projectRun(input({}, { budget: { calls: 28 } })).warning).toBeUndefined();
    const calls = projectRun(input({}, { budget: { calls: 27 } }));
    expect(calls.warning).toMatch(/baseline plus one full validation/);
    expect(calls.warning).toMatch(/--budget-calls 27 is below 28 calls/);
    const usd = projectRun(input({}, { budget: { usd: 0.001 } }));
    expect(usd.warning).toMatch(/--budget-usd 0.001 is below \$0\.0/);
    expect(projectRun(input({}, { budget: { usd: 1 } })).warning).toBeUndefined();
  });

  it('refuses a split naming a case it was not given', () => {
    expect(() => projectRun(input({ split: { validation: ['nope'], train: ['c4'], test: [] } }))).toThrow(
      /case "nope"/,
    );
  });
});
