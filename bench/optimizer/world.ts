import { createHash } from 'node:crypto';
import type { CandidateRef } from '../../src/optimizer/types';
import { keyedUniform, pick, stream } from './random';

/**
 * The simulated task world of the optimizer benchmark. A prompt is a set of rules. Each case belongs to one tag,
 * needs a few rules and may be harmed by one: its true pass probability is high only when every rule it needs is in
 * the prompt and no rule that harms it is. Rules: a few global ones (any case may need them: output format,
 * grounding…), and per tag plain rules (helpful, never harmful) and one double-edged rule that some cases of its tag
 * need and that harms some cases of the next tag, so the best prompt is a trade-off, found by enumerating every
 * rule set.
 */
export interface WorldSettings {
  tags: string[];
  casesPerTag: number;
  globalRules: number;
  plainRulesPerTag: number;
  /** True pass probability: every needed rule present and no harmful one. */
  pass: number;
  /** ...every needed rule present but a harmful one too. */
  passHarmed: number;
  /** ...a needed rule missing. */
  passMissing: number;
  /** Each rule in the prompt that a case does not need lowers its pass probability by this much (a longer prompt
   * distracts), down to passMissing at worst: added rules are not free. */
  distraction: number;
  /** Chance that a case needs each global rule; one of its tag's plain rules; its tag's double-edged rule. */
  needsGlobal: number;
  needsPlain: number;
  needsDoubleEdged: number;
  /** Share of cases harmed by the previous tag's double-edged rule. */
  harmed: number;
  /** The original prompt: how many global and plain rules it has (drawn), plus one double-edged rule. */
  originalGlobal: number;
  originalPlain: number;
  /** The judge: flips the verdict with this probability, then adds uniform score noise of ± this much. */
  judgeFlip: number;
  scoreNoise: number;
}

export const DEFAULT_WORLD: WorldSettings = {
  tags: ['format', 'facts', 'tone', 'safety'],
  casesPerTag: 12,
  globalRules: 4,
  plainRulesPerTag: 2,
  pass: 0.9,
  passHarmed: 0.25,
  passMissing: 0.15,
  distraction: 0.03,
  needsGlobal: 0.3,
  needsPlain: 0.6,
  needsDoubleEdged: 0.15,
  harmed: 0.3,
  originalGlobal: 2,
  originalPlain: 3,
  judgeFlip: 0.15,
  scoreNoise: 0.1,
};

export interface WorldCase {
  id: string;
  tags: string[];
  needs: number[];
  harmedBy: number[];
}

export interface World {
  seed: number;
  settings: WorldSettings;
  ruleCount: number;
  cases: WorldCase[];
  byId: Map<string, WorldCase>;
  /** Per tag: the rules some case of the tag may need (the global ones, its plain ones, its double-edged one). */
  pool: Map<string, number[]>;
  doubleEdged: number[];
  original: number[];
}

export function makeWorld(seed: number, settings: WorldSettings = DEFAULT_WORLD): World {
  const random = stream(seed);
  const tagCount = settings.tags.length;
  const globals = [...Array(settings.globalRules).keys()];
  const plain = (t: number) =>
    Array.from(
      { length: settings.plainRulesPerTag },
      (_, i) => settings.globalRules + t * settings.plainRulesPerTag + i,
    );
  const firstDoubleEdged = settings.globalRules + tagCount * settings.plainRulesPerTag;
  const doubleEdged = settings.tags.map((_, t) => firstDoubleEdged + t);
  const pool = new Map(settings.tags.map((tag, t) => [tag, [...globals, ...plain(t), doubleEdged[t]!]]));
  const cases: WorldCase[] = [];
  settings.tags.forEach((tag, t) => {
    for (let i = 0; i < settings.casesPerTag; i++) {
      const needs = globals.filter(() => random() < settings.needsGlobal);
      if (random() < settings.needsPlain) needs.push(pick(plain(t), random()));
      if (random() < settings.needsDoubleEdged) needs.push(doubleEdged[t]!);
      if (needs.length === 0) needs.push(pick(plain(t), random()));
      const harmedBy = random() < settings.harmed ? [doubleEdged[(t + tagCount - 1) % tagCount]!] : [];
      cases.push({ id: `${tag}-${String(i).padStart(2, '0')}`, tags: [tag], needs: normalise(needs), harmedBy });
    }
  });
  const allPlain = settings.tags.flatMap((_, t) => plain(t));
  const original = normalise([
    ...draw(globals, settings.originalGlobal, random),
    ...draw(allPlain, settings.originalPlain, random),
    pick(doubleEdged, random()),
  ]);
  return {
    seed,
    settings,
    ruleCount: firstDoubleEdged + tagCount,
    cases,
    byId: new Map(cases.map((c) => [c.id, c])),
    pool,
    doubleEdged,
    original,
  };
}

function draw(items: number[], n: number, random: () => number): number[] {
  const left = [...items];
  const out: number[] = [];
  while (out.length < n && left.length) out.push(left.splice(Math.floor(random() * left.length), 1)[0]!);
  return out;
}

export function normalise(rules: Iterable<number>): number[] {
  return [...new Set(rules)].sort((a, b) => a - b);
}

/** Candidate identity: the hash of the sorted rule set; the ref is the rule set's JSON. */
export function candidateOf(rules: Iterable<number>): CandidateRef {
  const ref = JSON.stringify(normalise(rules));
  return { hash: createHash('sha256').update(ref).digest('hex'), ref };
}

export function rulesOf(candidate: CandidateRef): number[] {
  return JSON.parse(candidate.ref) as number[];
}

/** The noise-free probability that the executor passes a case with this prompt. */
export function truePass(world: World, rules: ReadonlySet<number>, c: WorldCase): number {
  const s = world.settings;
  if (!c.needs.every((r) => rules.has(r))) return s.passMissing;
  if (c.harmedBy.some((r) => rules.has(r))) return s.passHarmed;
  return Math.max(s.passMissing, s.pass - s.distraction * (rules.size - c.needs.length));
}

/** The noise-free expected pass rate (0..1) of a prompt over cases. */
export function trueRate(world: World, rules: Iterable<number>, caseIds: readonly string[]): number {
  if (caseIds.length === 0) return 0;
  const set = new Set(rules);
  return caseIds.reduce((sum, id) => sum + truePass(world, set, world.byId.get(id)!), 0) / caseIds.length;
}

export interface Sample {
  /** What really happened (the executor's output was right). */
  truePassed: boolean;
  /** What the judge said: the truth flipped with probability judgeFlip. */
  passed: boolean;
  /** The judge's score: 1 or 0 for its verdict plus uniform noise, clipped to 0..1. */
  score: number;
}

/** One executor run and its judgement, a keyed draw: the same (candidate, case, sample) always gives the same. */
export function sampleCase(world: World, candidate: CandidateRef, caseId: string, sample: number, salt = ''): Sample {
  const c = world.byId.get(caseId);
  if (!c) throw new Error(`unknown case ${caseId}`);
  const key = [salt, candidate.hash, caseId, sample];
  const truePassed = keyedUniform(world.seed, 'exec', ...key) < truePass(world, new Set(rulesOf(candidate)), c);
  const flipped = keyedUniform(world.seed, 'flip', ...key) < world.settings.judgeFlip;
  const passed = truePassed !== flipped;
  const noise = (2 * keyedUniform(world.seed, 'noise', ...key) - 1) * world.settings.scoreNoise;
  return { truePassed, passed, score: Math.min(1, Math.max(0, (passed ? 1 : 0) + noise)) };
}
