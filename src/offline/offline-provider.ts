import type { CompletionRequest, CompletionResult, Provider } from '../providers/types';
import { toolRequestText, type ToolProvider, type ToolTurnRequest, type ToolTurnResult } from '../providers/tools';
import { RUBRIC_TAG } from '../eval/rubric-judge';
import { isReflectionRequest } from '../optimizer/reflection';
import { parseRenderedFiles, roleOf } from '../tune/role-prompts';
import { DIMENSIONS, type Dimension } from '../tune/types';
import { CHECKS } from './checklist';
import { offlineAgentTurn } from './offline-agent';
import { offlineReflect } from './reflect';
import { offlineTrigger } from './trigger';
import { isTriggerRequest } from '../skills/trigger';

const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * The `offline` provider: a deterministic simulation used when no API keys are set, so the tune loop
 * runs on a fresh machine. It is not a language model. The executor echoes the skill's sections onto
 * the scenario, the judge scores SKILL.md against a structural checklist, the improver adds the first
 * missing section, a plain prompt is echoed back and the rubric judge checks for the expected text; the
 * optimizer's reflective improver adds a failing case's expected text to the prompt (src/offline/reflect.ts), and a
 * trigger request loads the skill whose description shares the most words with the query (src/offline/trigger.ts).
 * The same input always gives the same output.
 */
export class OfflineProvider implements Provider, ToolProvider {
  readonly name = 'offline' as const;

  complete(model: string, req: CompletionRequest): Promise<CompletionResult> {
    const role = roleOf(req.system);
    let text: string;
    // The optimizer's reflective improver carries the improver tag too: its marker is checked first.
    if (isReflectionRequest(req.system)) text = JSON.stringify(offlineReflect(req.prompt));
    else if (isTriggerRequest(req.system)) text = JSON.stringify(offlineTrigger(req.prompt));
    else if (role === 'executor') text = this.execute(req.prompt);
    else if (role === 'judge') text = this.judge(req.prompt);
    else if (role === 'improver') text = this.improve(req.prompt);
    else if (req.system?.startsWith(RUBRIC_TAG)) text = this.grade(req.prompt);
    else text = this.answer(req.prompt);
    return Promise.resolve({
      text,
      provider: 'offline',
      model,
      inputTokens: estimateTokens((req.system ?? '') + req.prompt),
      outputTokens: estimateTokens(text),
      costUsd: 0,
      latencyMs: 0,
    });
  }

  /** A tool-use turn: the executor as an agent reading only the files SKILL.md points to (src/offline/offline-agent.ts). */
  turn(model: string, req: ToolTurnRequest): Promise<ToolTurnResult> {
    const { text, toolCalls } = offlineAgentTurn(req);
    return Promise.resolve({
      text,
      toolCalls,
      provider: 'offline',
      model,
      inputTokens: estimateTokens(toolRequestText(req)),
      outputTokens: estimateTokens(text + toolCalls.map((c) => JSON.stringify(c.input)).join('')),
      costUsd: 0,
      latencyMs: 0,
    });
  }

  /** A plain prompt (an eval case): a deterministic echo of the request, so assertions have text to check. */
  private answer(prompt: string): string {
    return `Offline answer: ${prompt.trim()}`;
  }

  /** The rubric judge: full marks when the answer contains what was expected, else a middling score. */
  private grade(prompt: string): string {
    const expected = /<expected>\n([\s\S]*?)\n<\/expected>/.exec(prompt)?.[1];
    const answer = /<answer>\n([\s\S]*?)\n<\/answer>/.exec(prompt)?.[1] ?? '';
    const score = expected === undefined ? 75 : answer.includes(expected) ? 90 : 40;
    return JSON.stringify({
      score,
      reason:
        expected === undefined
          ? 'no expectation given'
          : score === 90
            ? 'matches the expectation'
            : 'misses the expectation',
    });
  }

  private execute(prompt: string): string {
    const files = parseRenderedFiles(prompt);
    const scenario = /<scenario>\n([\s\S]*?)\n<\/scenario>/.exec(prompt)?.[1] ?? '';
    const sections = [...(files['SKILL.md'] ?? '').matchAll(/^#{1,3}\s+(.+)$/gm)].map((m) => m[1]!);
    return [
      `# Deliverable`,
      `Scenario: ${scenario.split('\n')[0]}`,
      ...sections.map((s) => `## ${s}\nApplied "${s}" to the scenario.`),
    ].join('\n\n');
  }

  private judge(prompt: string): string {
    const skills = [...prompt.matchAll(/<skill name="([^"]+)">\n([\s\S]*?)\n<\/skill>/g)].map((m) => ({
      name: m[1]!,
      files: parseRenderedFiles(m[2]!),
    }));
    const perSkill = skills.map((s) => ({ skill: s.name, ...scoreSkill(s.files['SKILL.md'] ?? '') }));
    const dims = Object.fromEntries(
      DIMENSIONS.map((d) => [d, { score: Math.min(...perSkill.map((p) => p.dimensions[d])) }]),
    );
    return JSON.stringify({
      dimensions: dims,
      strengths: perSkill.flatMap((p) => p.passed.map((id) => `${p.skill}: ${id} is covered`)),
      weaknesses: perSkill.flatMap((p) =>
        p.failed.map((c) => ({ category: c.category, description: c.suggestion, severity: 'medium', skill: p.skill })),
      ),
      suggestions: perSkill.flatMap((p) => p.failed.map((c) => c.suggestion)),
      perSkill: perSkill.map((p) => ({ skill: p.skill, score: p.overall })),
    });
  }

  private improve(prompt: string): string {
    const files = parseRenderedFiles(prompt);
    const md = files['SKILL.md'] ?? '';
    const missing = CHECKS.find((c) => c.fix && !c.passes(md, files));
    if (!missing) return JSON.stringify({ rationale: 'nothing left to add', edits: [] });
    const content = missing.id === 'purpose' ? `${missing.fix}\n\n${md}` : `${md.trimEnd()}\n\n${missing.fix}\n`;
    return JSON.stringify({
      rationale: `Added what the evaluation found missing: ${missing.category}.`,
      edits: [{ path: 'SKILL.md', action: 'replace', content }],
    });
  }
}

function scoreSkill(md: string) {
  const byDim = new Map<Dimension, { passed: number; total: number }>();
  const passed: string[] = [];
  const failed: (typeof CHECKS)[number][] = [];
  for (const c of CHECKS) {
    const ok = c.passes(md, {});
    const agg = byDim.get(c.dimension) ?? { passed: 0, total: 0 };
    agg.total++;
    if (ok) {
      agg.passed++;
      passed.push(c.id);
    } else failed.push(c);
    byDim.set(c.dimension, agg);
  }
  // Half the points for being there at all, half for the checks the dimension passes.
  const dimensions = Object.fromEntries(
    DIMENSIONS.map((d) => {
      const agg = byDim.get(d) ?? { passed: 1, total: 1 };
      return [d, Math.round(50 + (50 * agg.passed) / agg.total)];
    }),
  ) as Record<Dimension, number>;
  const overall = Math.round(DIMENSIONS.reduce((n, d) => n + dimensions[d], 0) / DIMENSIONS.length);
  return { dimensions, passed, failed, overall };
}
