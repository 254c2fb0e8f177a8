import type { LibraryContent } from '../../../src/library/content';
import { scoreInterval } from '../../../src/optimizer/intervals';
import type { OptimizeReportData } from '../../../src/optimizer/report';
import type { AcceptedCandidate, OptimizeInput } from '../../../src/optimizer/types';

export const H0 = 'a'.repeat(64);
export const H1 = 'b'.repeat(64);
export const H2 = 'c'.repeat(64);
export const H3 = 'd'.repeat(64);

export const contents: Record<string, LibraryContent> = {
  [H0]: { type: 'text', text: 'Answer {{question}}.\nBe brief.\n', variables: ['question'] },
  [H1]: { type: 'text', text: 'Answer {{question}}.\nBe brief.\nCite the source.\n', variables: ['question'] },
  [H2]: {
    type: 'text',
    text: 'Answer {{question}} in English.\nBe brief.\nCite the source.\n',
    variables: ['question'],
  },
};

const ids = ['v1', 'v2', 'v3', 'v4', 'v5'];
const scores = (xs: number[]) => Object.fromEntries(ids.map((id, i) => [id, xs[i]!]));
const candidate = (hash: string, round: number, xs: number[], parent?: string, summary = ''): AcceptedCandidate => ({
  ref: { hash, ref: `ref-${hash.slice(0, 4)}` },
  parent,
  round,
  summary,
  validation: scores(xs),
  interval: scoreInterval(xs),
});

export const settings: OptimizeInput['settings'] = {
  seed: 7,
  minibatchSize: 3,
  repeat: 3,
  alpha: 0.05,
  parallel: 2,
  maxRounds: 8,
  threshold: 90,
  patience: 3,
  budget: { calls: 400, usd: 2 },
  executor: { provider: 'anthropic', model: 'claude-haiku-4-5' },
  judge: { provider: 'gemini', model: 'gemini-2.5-flash' },
  improver: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
  changeBudget: { lines: 20, bytes: 2000 },
  reflectionTokens: 6000,
  decisionTimeoutMs: 60_000,
  dryRun: false,
  thenRollout: false,
};

export function reportData(over: Partial<OptimizeReportData> = {}): OptimizeReportData {
  const accepted = [
    candidate(H0, 0, [0.2, 0.4, 0.6, 0.5, 1]),
    candidate(H1, 1, [0.6, 0.5, 0.6, 0.9, 1], H0, 'cite the source'),
    candidate(H2, 2, [0.9, 0.8, 0.5, 1, 1], H1, 'answer in English'),
  ];
  accepted[1]!.test = {
    name: 'paired sign-flip permutation',
    n: 5,
    meanDiff: 0.18,
    pValue: 0.031,
    wins: 3,
    losses: 0,
    ties: 2,
  };
  accepted[2]!.test = {
    name: 'paired sign-flip permutation',
    n: 5,
    meanDiff: 0.12,
    pValue: 0.0004,
    wins: 3,
    losses: 1,
    ties: 1,
  };
  return {
    runId: 'opt-run-1',
    cycleDate: '2026-12-06',
    target: { name: 'greet', version: 3, kind: 'text' },
    dataset: { name: 'greet-cases', version: 2 },
    splitSettings: { seed: 7, validationShare: 0.4, testShare: 0.2, minCasesForSplit: 12, minCasesForTest: 30 },
    split: { train: ['t1', 't2', 't3', 't4', 't5', 't6'], validation: ids, test: ['x1', 'x2'], heldOut: true, seed: 7 },
    settings,
    projection: {
      calls: 320,
      usd: 1.25,
      perRound: { calls: 38, usd: 0.14 },
      baselineAndOneValidation: { calls: 30, usd: 0.1 },
    },
    budget: settings.budget,
    state: {
      round: 3,
      accepted,
      lineage: [],
      lineageCount: 4,
      evaluationFailures: 0,
      validationCost: { calls: 10, usd: 0.01 },
      maxRounds: 5,
      proposals: 4,
      acceptances: 2,
      spent: { calls: 211, usd: 0.8734 },
      roundsWithoutAcceptance: 1,
      consecutiveErrors: 0,
      stop: 'max-iterations',
    },
    lineage: [
      {
        hash: H1,
        parent: H0,
        round: 1,
        status: 'accepted',
        reason: 'p = 0.031 < 0.05',
        summary: 'cite the source',
        minibatch: { child: 2.5, parent: 1.5 },
      },
      {
        hash: H3,
        parent: H0,
        round: 1,
        status: 'rejected',
        reason: 'lost the minibatch 1.0 vs 2.0',
        summary: 'shout | loudly',
      },
      { hash: H2, parent: H1, round: 2, status: 'accepted', reason: 'p < 0.001', summary: 'answer in English' },
      { hash: '', parent: H2, round: 3, status: 'rejected', reason: 'drops {{question}}', summary: 'rewrite' },
    ],
    chosen: accepted[2]!.ref,
    original: accepted[0]!.ref,
    contents,
    version: 4,
    test: { chosen: scoreInterval([1, 0.5]), original: scoreInterval([0.5, 0]) },
    decisions: [],
    warnings: ['judge and executor share a family'],
    ...over,
  };
}
