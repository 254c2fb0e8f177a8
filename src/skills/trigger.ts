/**
 * Trigger evaluation (skill-creator's description loop): does a skill's description make an agent load it? The
 * model under test is shown the candidate's name and description among distractors and a user's query, and says
 * which skills it would load. Pure: the request, the answer's reading, and precision and recall over the runs.
 */
import { sha256 } from '../store/hash';

/** Marks a trigger request in its system prompt, so the offline provider and the fakes tell it from the others. */
export const TRIGGER_TAG = '[refinery:trigger]';

export const isTriggerRequest = (system: string | undefined) => (system ?? '').includes(TRIGGER_TAG);

export interface SkillCard {
  name: string;
  description: string;
}

/** The structured answer: the names of the skills the model would load (none is an answer too). */
export const TRIGGER_ANSWER_SCHEMA = {
  name: 'skills_to_load',
  schema: {
    type: 'object',
    properties: { load: { type: 'array', items: { type: 'string' } } },
    required: ['load'],
    additionalProperties: false,
  },
} as const;

/** Answers are a short list of names: a small cap keeps a trigger call cheap. */
export const TRIGGER_MAX_TOKENS = 256;

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const unattr = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/**
 * The cards in the order shown: the candidate among the distractors at a position drawn from `seed` (the case and
 * sample), so repeated runs do not all show it first. A distractor named like the candidate is left out.
 */
export function shownCards(candidate: SkillCard, distractors: readonly SkillCard[], seed: string): SkillCard[] {
  const others = distractors.filter((d) => d.name !== candidate.name);
  const at = parseInt(sha256(seed).slice(0, 8), 16) % (others.length + 1);
  return [...others.slice(0, at), candidate, ...others.slice(at)];
}

export function triggerRequest(cards: readonly SkillCard[], query: string) {
  const system = [
    `${TRIGGER_TAG} You are an agent with these skills available. Each is a folder of instructions you load only`,
    "when a task needs it, and you see only its name and description until you load it. Given the user's request,",
    'decide which skills you would load before answering: none, one, or (rarely) more. Answer with JSON only:',
    '{"load": ["<skill name>", …]}',
  ].join(' ');
  const prompt = [
    '<available-skills>',
    ...cards.map((c) => `<skill name="${attr(c.name)}">\n${c.description}\n</skill>`),
    '</available-skills>',
    `<user-request>\n${query}\n</user-request>`,
  ].join('\n');
  return { system, prompt, maxTokens: TRIGGER_MAX_TOKENS, json: true, jsonSchema: TRIGGER_ANSWER_SCHEMA };
}

/** What the offline provider and the fakes read back from a trigger request. */
export function parseTriggerPrompt(prompt: string): { skills: SkillCard[]; query: string } {
  const skills = [...prompt.matchAll(/<skill name="([^"]*)">\n([\s\S]*?)\n<\/skill>/g)].map((m) => ({
    name: unattr(m[1]!),
    description: m[2]!,
  }));
  const query = /<user-request>\n([\s\S]*?)\n<\/user-request>/.exec(prompt)?.[1] ?? '';
  return { skills, query };
}

/** The names the model would load, or undefined when the answer is not the asked JSON (a fenced block is read too). */
export function parseTriggerAnswer(text: string): string[] | undefined {
  const body = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1] ?? text;
  try {
    const parsed = JSON.parse(body.trim()) as { load?: unknown };
    if (!Array.isArray(parsed.load) || !parsed.load.every((n) => typeof n === 'string')) return undefined;
    return [...new Set(parsed.load)];
  } catch {
    return undefined;
  }
}

/** One trigger run as it is stored as the case's output (what the `trigger` assertion and the improver read). */
export interface TriggerOutcome {
  candidate: string;
  loaded: string[];
  candidateLoaded: boolean;
  shown: string[];
}

export function triggerOutput(candidate: string, loaded: string[], shown: readonly string[]): string {
  const o: TriggerOutcome = { candidate, loaded, candidateLoaded: loaded.includes(candidate), shown: [...shown] };
  return JSON.stringify(o);
}

export function readTriggerOutput(output: string): TriggerOutcome | undefined {
  try {
    const o = JSON.parse(output) as Partial<TriggerOutcome>;
    return typeof o.candidateLoaded === 'boolean' && typeof o.candidate === 'string'
      ? (o as TriggerOutcome)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface TriggerRun {
  caseId: string;
  should: boolean;
  loaded: boolean;
}

export interface TriggerMetrics {
  /** Runs (samples) counted: every query times its repeats. */
  runs: number;
  queries: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** Of the runs that loaded the skill, the share that should have; null when none loaded it. */
  precision: number | null;
  /** Of the runs that should have loaded the skill, the share that did; null when no query should load it. */
  recall: number | null;
  /** Runs decided right, over all runs. */
  accuracy: number;
}

/** Precision and recall over repeated runs (each run of each query counts once). */
export function triggerMetrics(runs: readonly TriggerRun[]): TriggerMetrics {
  const n = (should: boolean, loaded: boolean) => runs.filter((r) => r.should === should && r.loaded === loaded).length;
  const tp = n(true, true);
  const fp = n(false, true);
  const fn = n(true, false);
  const tn = n(false, false);
  return {
    runs: runs.length,
    queries: new Set(runs.map((r) => r.caseId)).size,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: tp + fp ? tp / (tp + fp) : null,
    recall: tp + fn ? tp / (tp + fn) : null,
    accuracy: runs.length ? (tp + tn) / runs.length : 0,
  };
}

/** The case's trigger assertion, when it is a trigger case. */
export function triggerAssertionOf(
  assertions: readonly unknown[],
): { should: boolean; distractors?: SkillCard[] } | undefined {
  const a = assertions.find((x) => (x as { type?: unknown } | null)?.type === 'trigger') as
    { should: boolean; distractors?: SkillCard[] } | undefined;
  return a;
}
