import fs from 'node:fs';
import path from 'node:path';
import { checkContextBudget, ContextBudgetError, GeminiProvider } from '../src/providers';
import { DEFAULT_AGENT_CAPS, filesRead, runSkillAgent } from '../src/skills/agent-run';
import { EXECUTOR_SYSTEM, executorPrompt, executorTask, judgePrompt } from '../src/tune/role-prompts';
import { startFakeGemini } from '../test/fakes/fake-gemini';
import type { RecordedRequest } from '../test/fakes/fake-server-core';

const KIB = 1024;
const NEEDED = 'references/invoices.md';
/** A 1 MiB skill: SKILL.md and `count` references sharing 1 MiB (invoices first); the task needs invoices.md. */
function bigSkill(count: number): Record<string, string> {
  const topics = [
    'invoices',
    'contracts',
    'receipts',
    'payroll',
    'taxes',
    ...Array.from({ length: count - 5 }, (_, i) => `topic-${i + 1}`),
  ].slice(0, count);
  const files: Record<string, string> = {
    'SKILL.md':
      '---\nname: finance-docs\ndescription: Drafts finance documents from a request.\n---\n# Finance documents\n\n' +
      topics.map((t) => `- ${t}: see references/${t}.md`).join('\n'),
  };
  for (const t of topics) {
    const line = `Rule for ${t}: every field is checked against the ledger before the document is issued.\n`;
    files[`references/${t}.md`] = line.repeat(Math.ceil((1024 * KIB) / count / line.length));
  }
  return files;
}

/**
 * The model as the fake plays it: with tools it reads the one reference the scenario needs, then answers; without
 * tools (inline) it answers at once. The fake counts input tokens from the text it receives (4 characters a token).
 */
function respond(req: RecordedRequest) {
  const body = req.body as { tools?: unknown[]; contents?: { parts?: { functionResponse?: unknown }[] }[] };
  const answered = (body.contents ?? []).some((c) => (c.parts ?? []).some((p) => p.functionResponse !== undefined));
  if (body.tools && !answered) return { text: '', toolCalls: [{ name: 'read_file', input: { path: NEEDED } }] };
  if (req.text.includes('[refinery:judge]')) return { text: '{"dimensions":{}}', outputTokens: 200 };
  return { text: '# Invoice\n\nDrafted per the rules.', outputTokens: 300 };
}

/**
 * Token cost per tune iteration (executor and judge input tokens) for a 1 MiB skill whose scenario needs one
 * reference file, inline versus agent execution, through the real Gemini SDK against the fake (Gemini: its 1M
 * window takes the inline prompt; on Claude's 200k window the inline prompt is refused by the context budget).
 */
export async function skillTokensBench() {
  const fake = await startFakeGemini({ respond });
  const provider = new GeminiProvider({ apiKey: 'bench-key', baseUrl: fake.baseUrl });
  try {
    // The needed file is a fifth of the skill (5 references, near the 256 KiB per-file cap), then a twentieth.
    const shapes = [];
    for (const count of [5, 20]) shapes.push(await measure(provider, count));
    const result = {
      name: 'skill-tokens',
      setup:
        'a 1 MiB skill (SKILL.md + N references sharing 1 MiB), a scenario needing references/invoices.md; one tune ' +
        'iteration (executor + judge); real Gemini SDK against the fake, which counts 4 characters a token',
      shapes,
      goal: 'agent <= 10% of inline',
      reading:
        'the agent reads SKILL.md and the one needed reference whole, and the judge sees the same, so the agent ' +
        "share cannot fall below the needed file's share of the skill: met when that file is a twentieth of the " +
        'skill (20 references), not when it is a fifth (5 references of ~205 KiB, near the per-file cap)',
    };
    const dir = path.join(__dirname, 'results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'skill-tokens.json'),
      JSON.stringify({ when: new Date().toISOString(), result }, null, 2) + '\n',
    );
    return result;
  } finally {
    await fake.close();
  }
}

async function measure(provider: GeminiProvider, count: number) {
  const files = bigSkill(count);
  const bytes = Object.values(files).reduce((n, t) => n + Buffer.byteLength(t), 0);
  const executor = 'gemini-2.5-flash';
  const judge = 'gemini-2.5-pro';
  const scenario = 'Draft the invoice for order 1042 (three items, net 30).';
  // Inline: every file in the executor's prompt and in the judge's.
  const inlineExec = await provider.complete(executor, {
    ...executorPrompt({ skill: 'finance-docs', files, scenario }),
    maxTokens: 4096,
  });
  const inlineJudge = await provider.complete(judge, {
    ...judgePrompt({ skills: [{ name: 'finance-docs', files, artifact: inlineExec.text }], scenario }),
    maxTokens: 4096,
    json: true,
  });
  // Agent: SKILL.md given, one reference read; the judge sees SKILL.md and that reference.
  const run = await runSkillAgent({
    skill: { name: 'finance-docs', files },
    system: EXECUTOR_SYSTEM,
    task: executorTask({ scenario }),
    maxOutputTokens: 4096,
    caps: DEFAULT_AGENT_CAPS,
    turn: (req) => provider.turn(executor, req),
  });
  const read = filesRead(run.calls);
  const seen = Object.fromEntries(['SKILL.md', ...read].map((p) => [p, files[p]!]));
  const agentJudge = await provider.complete(judge, {
    ...judgePrompt({ skills: [{ name: 'finance-docs', files: seen, artifact: run.text }], scenario }),
    maxTokens: 4096,
    json: true,
  });
  const inline = { executorInputTokens: inlineExec.inputTokens, judgeInputTokens: inlineJudge.inputTokens };
  const agent = {
    executorInputTokens: run.inputTokens,
    judgeInputTokens: agentJudge.inputTokens,
    turns: run.turns,
    filesRead: read,
  };
  const total = (x: { executorInputTokens: number; judgeInputTokens: number }) =>
    x.executorInputTokens + x.judgeInputTokens;
  const inlineOnClaude = (() => {
    const req = executorPrompt({ skill: 'finance-docs', files, scenario });
    try {
      checkContextBudget({
        provider: 'anthropic',
        model: 'claude-sonnet-4-6',
        what: 'the executor prompt',
        text: `${req.system}\n${req.prompt}`,
        maxOutputTokens: 4096,
        files,
      });
      return 'fits';
    } catch (err) {
      return err instanceof ContextBudgetError ? `refused, naming ${err.files.join(', ')}` : String(err);
    }
  })();
  const share = Math.round((total(agent) / total(inline)) * 1000) / 1000;
  const neededBytes = Buffer.byteLength(files[NEEDED]!);
  const skillMdBytes = Buffer.byteLength(files['SKILL.md']!);
  const neededShare = Math.round((neededBytes / bytes) * 1000) / 1000;
  return {
    // The skill's shape in words: what the agent must read whole bounds its share of the inline tokens from below.
    shape:
      `SKILL.md (${skillMdBytes} bytes) + ${count} references of ~${Math.round(neededBytes / KIB)} KiB each ` +
      `(${(bytes / KIB / KIB).toFixed(2)} MiB in all); the task needs ${NEEDED} whole, ` +
      `${(neededShare * 100).toFixed(1)} % of the skill`,
    references: count,
    skillBytes: bytes,
    neededFileBytes: neededBytes,
    /** The floor of agentShareOfInline when the agent reads the needed file whole (as the executor and the judge do). */
    neededFileShareOfSkill: neededShare,
    inline: { ...inline, total: total(inline) },
    agent: { ...agent, total: total(agent) },
    agentShareOfInline: share,
    goalMet: share <= 0.1,
    inlineOnClaudeSonnet: inlineOnClaude,
  };
}
