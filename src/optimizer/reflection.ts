import { roughTokens } from '../eval/estimate';
import { ROLE_TAG } from '../tune/role-prompts';
import type { CaseEvidence } from './activity-types';
import type { ChangeBudget } from './change-budget';
import type { Document } from './documents';
import type { EditScope } from './edit-scope';
import type { LineageEntry } from './types';

/**
 * The optimizer's reflective improver prompt. It shows the parent's documents, the minibatch cases the parent
 * failed as they happened (input, output, expected, every assertion, the judge's reasoning), the ones it passed
 * briefly, and the earlier attempts with why they were rejected; it states the change budget. It fits a token
 * budget: what does not fit is cut in a fixed order, and the prompt says what was cut.
 */

/** Marks the reflective improver (after the role tag), so the offline provider and fakes tell it from the tune loop's. */
export const REFLECT_TAG = '[refinery:improver:reflect]';

export const isReflectionRequest = (system: string | undefined) => (system ?? '').includes(REFLECT_TAG);

/** A case the improver learns from: it failed, or passed with less than full marks. */
export const isFailing = (e: CaseEvidence) => !e.passed || e.score < 1;

/** How short each case's texts (input, output, expected, reasons) are cut, step by step, when the prompt is too long. */
export const TRUNCATION_STEPS = [4000, 1500, 600, 200, 80] as const;
/** Passing cases are shown briefly: their texts never longer than this. */
const PASSING_CHARS = 200;
const CUT_MARK = '… [cut: ';

export interface ReflectionInput {
  kind: 'text' | 'chat' | 'skill';
  documents: Document[];
  /** The parent's evidence on the minibatch (failing and passing cases). */
  evidence: CaseEvidence[];
  /** Earlier attempts, oldest first. */
  lineage: LineageEntry[];
  changeBudget: ChangeBudget;
  /** The placeholders the proposal must keep. */
  variables: string[];
  /** Tokens the whole prompt (system and user text) may hold, estimated at four characters a token. */
  reflectionTokens: number;
  /** What the proposal may change (absent: any text document). */
  editScope?: EditScope;
  /** A skill's files as agent runs of this version read them (absent or no runs: not shown). */
  fileUsage?: { agentRuns: number; files: { path: string; runs: number }[] };
}

/** What was left out or shortened to fit the budget (in the order it is cut). */
export interface ReflectionCuts {
  lineageLeftOut: number;
  /** Each case text cut to this many characters (undefined: none cut). */
  truncatedTo?: number;
  passingLeftOut: number;
  failingLeftOut: number;
}

export interface ReflectionPrompt {
  system: string;
  prompt: string;
  /** Estimated tokens of system plus prompt. */
  tokens: number;
  cuts: ReflectionCuts;
  /** False when even the smallest form (documents, one failing case, texts cut short) is over the budget. */
  fits: boolean;
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const unattr = (s: string) => s.replace(/&quot;/g, '"').replace(/&amp;/g, '&');

function cut(text: string, limit: number | undefined): string {
  if (limit === undefined || text.length <= limit) return text;
  return `${text.slice(0, limit)}${CUT_MARK}${text.length - limit} more characters]`;
}

const EDIT_FORMAT = (kind: ReflectionInput['kind']) =>
  [
    '{"summary": "one line: what you change and why", "edits": [',
    '  {"path": "<document path>", "action": "replace", "find": "exact text now in the document", "text": "its replacement"},',
    '  {"path": "<document path>", "action": "insert_after", "find": "exact anchor text", "text": "text inserted right after the anchor"},',
    '  {"path": "<document path>", "action": "delete", "find": "exact text to remove"},',
    '  {"path": "<document path>", "action": "append", "text": "text added at the end of the document"}',
    ...(kind === 'skill'
      ? [
          '  {"path": "relative/new-file.md", "action": "create_file", "text": "the whole file"},',
          '  {"path": "relative/old-file.md", "action": "delete_file"}',
        ]
      : []),
    ']}',
  ].join('\n');

function systemPrompt(kind: ReflectionInput['kind']): string {
  return [
    `${ROLE_TAG('improver')} ${REFLECT_TAG} You are the optimizer's reflective improver. You read a ${kind === 'skill' ? 'skill' : 'prompt'} ` +
      '(its documents), the cases it failed with what it answered and how each was graded, and the earlier attempts ' +
      'to improve it; you propose one small, general change that fixes the cause of the failures without ' +
      'overfitting to one case. Answer with JSON only, of this shape:',
    EDIT_FORMAT(kind),
    'Edits apply in order. "find" must quote text that occurs exactly once in the document, character for ' +
      'character; otherwise the whole proposal is refused. ' +
      (kind === 'skill'
        ? 'File paths are relative to the skill folder, never absolute, never "..".'
        : "A prompt's documents can be edited, not created or deleted."),
  ].join('\n');
}

function renderCase(e: CaseEvidence, limit: number | undefined): string {
  const assertions = e.assertions.map((a) => {
    const score = a.score === undefined ? '' : ` (score ${a.score})`;
    const label = a.type === 'rubric' ? "judge's reasoning" : 'reason';
    return `- ${a.pass ? 'PASS' : 'FAIL'} ${a.type}${score}${a.reason ? `: ${label}: ${cut(a.reason, limit)}` : ''}`;
  });
  return [
    `<case id="${attr(e.caseId)}" score="${e.score.toFixed(2)}" passed="${e.passed}">`,
    `<input>\n${cut(JSON.stringify(e.vars), limit)}\n</input>`,
    `<output>\n${cut(e.output, limit)}\n</output>`,
    e.expected !== undefined ? `<expected>\n${cut(e.expected, limit)}\n</expected>` : '',
    assertions.length ? `<assertions>\n${assertions.join('\n')}\n</assertions>` : '',
    e.error ? `<error>\n${cut(e.error, limit)}\n</error>` : '',
    '</case>',
  ]
    .filter(Boolean)
    .join('\n');
}

function renderPassing(e: CaseEvidence, limit: number | undefined): string {
  const brief = Math.min(limit ?? PASSING_CHARS, PASSING_CHARS);
  return `- ${e.caseId} (score ${e.score.toFixed(2)}): input ${cut(JSON.stringify(e.vars), brief)}; output: ${cut(e.output, brief)}`;
}

function renderAttempt(l: LineageEntry): string {
  const screen = l.minibatch ? ` (minibatch ${l.minibatch.child} vs parent ${l.minibatch.parent})` : '';
  return `- round ${l.round}, ${l.status}${screen}: ${cut(l.reason, 300)}. The change: ${cut(l.summary, 300)}`;
}

function cutsNote(c: ReflectionCuts, budget: number): string {
  const parts = [
    c.lineageLeftOut && `the ${c.lineageLeftOut} oldest earlier attempts left out`,
    c.truncatedTo !== undefined && `case texts cut to ${c.truncatedTo} characters`,
    c.passingLeftOut && `${c.passingLeftOut} passing cases left out`,
    c.failingLeftOut && `${c.failingLeftOut} failing cases left out`,
  ].filter(Boolean);
  return parts.length ? `<cuts>\nTo fit the prompt's budget of ${budget} tokens: ${parts.join('; ')}.\n</cuts>` : '';
}

export function renderDocuments(kind: ReflectionInput['kind'], documents: Document[]): string {
  return [
    `<documents kind="${kind}">`,
    ...documents.map((d) => `<document path="${attr(d.path)}">\n${d.text}\n</document>`),
    '</documents>',
  ].join('\n');
}

const DESCRIPTION_SCOPE =
  "<edit-scope>\nThese are trigger cases: an agent was shown this skill's name and description among other skills and " +
  'a user\'s request, and said which skills it would load. Change only the "description" in the front matter of ' +
  'SKILL.md (what the skill does and when to use it, at most 1024 characters); a proposal that changes anything ' +
  'else is refused. Make it load for the requests it should serve and not for the others.\n</edit-scope>';

/** How often agent runs of this version read each file: what to merge, split or remove. */
function renderUsage(input: ReflectionInput): string {
  const u = input.fileUsage;
  if (!u || u.agentRuns === 0 || input.kind !== 'skill' || input.editScope === 'description') return '';
  const runs = new Map(u.files.map((f) => [f.path, f.runs]));
  const lines = input.documents
    .filter((d) => d.path !== 'SKILL.md')
    .map((d) => `- ${d.path}: read in ${runs.get(d.path) ?? 0} of ${u.agentRuns} runs`);
  if (!lines.length) return '';
  return [
    `<file-usage>\nAgents load SKILL.md in every run and open the other files only when a task needs them. Over the ${u.agentRuns} evaluated agent runs of this version:`,
    ...lines,
    'A file no run reads is a candidate for merging into SKILL.md or removal; an overlong SKILL.md can be split into files it references, read only when needed. Any such change counts against the change budget.\n</file-usage>',
  ].join('\n');
}

function render(input: ReflectionInput, failing: CaseEvidence[], passing: CaseEvidence[], c: ReflectionCuts): string {
  const lineage = input.lineage.slice(c.lineageLeftOut);
  const failingShown = failing.slice(0, failing.length - c.failingLeftOut);
  const passingShown = passing.slice(0, passing.length - c.passingLeftOut);
  const b = input.changeBudget;
  return [
    renderDocuments(input.kind, input.documents),
    input.editScope === 'description' ? DESCRIPTION_SCOPE : '',
    renderUsage(input),
    input.variables.length
      ? `<variables>\nKeep every one of these placeholders exactly as written: ${input.variables.map((v) => `{{${v}}}`).join(', ')}. A proposal that drops one is refused.\n</variables>`
      : '',
    `<failing-cases>\n${failingShown.map((e) => renderCase(e, c.truncatedTo)).join('\n')}\n</failing-cases>`,
    passingShown.length
      ? `<passing-cases>\n${passingShown.map((e) => renderPassing(e, c.truncatedTo)).join('\n')}\n</passing-cases>`
      : '',
    lineage.length
      ? `<earlier-attempts>\nOldest first. Do not repeat a rejected change.\n${lineage.map(renderAttempt).join('\n')}\n</earlier-attempts>`
      : '',
    `<change-budget>\nAt most ${b.lines} lines changed (added plus removed) and ${b.bytes} bytes changed, all edits together. ` +
      'A proposal over either is refused without being evaluated.\n</change-budget>',
    cutsNote(c, input.reflectionTokens),
    'Find what the failing cases have in common and propose the smallest general change that fixes it, within the change budget.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * The prompt, cut to fit `reflectionTokens` in this order: the oldest earlier attempts first, then every case's
 * long texts shortened step by step, then passing cases left out (the last first), then failing cases left out
 * (the highest-scoring first), never the last failing case. Documents are never cut: they are what is edited.
 */
export function reflectionPrompt(input: ReflectionInput): ReflectionPrompt {
  const byScore = (a: CaseEvidence, b: CaseEvidence) => a.score - b.score || (a.caseId < b.caseId ? -1 : 1);
  const failing = input.evidence.filter(isFailing).sort(byScore);
  const passing = input.evidence.filter((e) => !isFailing(e)).sort((a, b) => (a.caseId < b.caseId ? -1 : 1));
  const system = systemPrompt(input.kind);
  const cuts: ReflectionCuts = { lineageLeftOut: 0, passingLeftOut: 0, failingLeftOut: 0 };
  const size = () => roughTokens(system) + roughTokens(render(input, failing, passing, cuts));
  const fits = () => size() <= input.reflectionTokens;
  while (!fits() && cuts.lineageLeftOut < input.lineage.length) cuts.lineageLeftOut++;
  for (const step of TRUNCATION_STEPS) {
    if (fits()) break;
    cuts.truncatedTo = step;
  }
  while (!fits() && cuts.passingLeftOut < passing.length) cuts.passingLeftOut++;
  while (!fits() && cuts.failingLeftOut < failing.length - 1) cuts.failingLeftOut++;
  const prompt = render(input, failing, passing, cuts);
  const tokens = roughTokens(system) + roughTokens(prompt);
  return { system, prompt, tokens, cuts, fits: tokens <= input.reflectionTokens };
}

/** What the offline improver and the test fakes read back from a reflection prompt. */
export interface ParsedReflection {
  kind: ReflectionInput['kind'];
  documents: Document[];
  /**
   * Failing cases as shown, worst first; `expected` only when it was shown whole. `wanted`: texts the case asks the
   * output to hold, its expected text and the values of its failing `contains` assertions, each only when whole.
   */
  failing: { caseId: string; output: string; expected?: string; wanted: string[]; input?: string }[];
  /** The prompt limits the proposal to the skill's description (trigger cases). */
  descriptionScope: boolean;
}

export function parseReflectionPrompt(prompt: string): ParsedReflection {
  const kind = (/<documents kind="(text|chat|skill)">/.exec(prompt)?.[1] ?? 'text') as ReflectionInput['kind'];
  const documents = [...prompt.matchAll(/<document path="([^"]+)">\n([\s\S]*?)\n<\/document>/g)].map((m) => ({
    path: unattr(m[1]!),
    text: m[2]!,
  }));
  const block = /<failing-cases>\n([\s\S]*?)\n<\/failing-cases>/.exec(prompt)?.[1] ?? '';
  const failing = [...block.matchAll(/<case id="([^"]*)"[^>]*>\n([\s\S]*?)\n<\/case>/g)].map((m) => {
    const body = m[2]!;
    const shown = /<expected>\n([\s\S]*?)\n<\/expected>/.exec(body)?.[1];
    const expected = shown === undefined || shown.includes(CUT_MARK) ? undefined : shown;
    const contains = [
      ...body.matchAll(/^- FAIL i?contains\b.*?: reason: output does not contain ("(?:[^"\\]|\\.)*")/gm),
    ]
      .map((c) => JSON.parse(c[1]!) as string)
      // The assertion's own preview ends with … when it shortened the value.
      .filter((v) => !v.endsWith('…'));
    const vars = /<input>\n([\s\S]*?)\n<\/input>/.exec(body)?.[1];
    let input: string | undefined;
    try {
      const parsed = vars === undefined || vars.includes(CUT_MARK) ? undefined : (JSON.parse(vars) as unknown);
      const given = (parsed as { input?: unknown } | undefined)?.input;
      input = typeof given === 'string' ? given : undefined;
    } catch {
      input = undefined;
    }
    return {
      caseId: unattr(m[1]!),
      output: /<output>\n([\s\S]*?)\n<\/output>/.exec(body)?.[1] ?? '',
      expected,
      wanted: [...(expected !== undefined ? [expected] : []), ...contains],
      ...(input !== undefined ? { input } : {}),
    };
  });
  return { kind, documents, failing, descriptionScope: prompt.includes('<edit-scope>') };
}
