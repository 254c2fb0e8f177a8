import type { Client } from '@temporalio/client';
import {
  buildOptimizeInput,
  parseOptimizeFlags,
  resolveOptimizeTarget,
  type OptimizeFlags,
} from '../../../src/cli/optimize-input';
import { newOptimizeRunId, startOptimize } from '../../../src/clients/optimize';
import type { EvalCase } from '../../../src/eval/types';
import { storeIdentity } from '../../../src/store/store-identity';
import { storeMemo } from '../../../src/temporal/store-binding';
import type { LibraryContent } from '../../../src/library/content';
import { recordVersion } from '../../../src/library/versions';
import type { OptimizeInput, OptimizeStatus } from '../../../src/optimizer/types';
import type { FakeReply, RecordedRequest } from '../../fakes/fake-server-core';
import { evalHarness, type EvalHarness } from '../eval-harness';
import { scriptedImprover, type ImproverScript } from '../optimizer-fakes';

/**
 * A task world for the optimizer on the real SDKs and the fakes: the executor (fake Anthropic) answers with the
 * topics its prompt tells it to mention ("Always mention <topic>." lines), so a case passes when its prompt holds
 * the rule for its topic; the improver (also Anthropic) is scripted; the judge (fake Gemini) grades rubric cases.
 */
export const RULE = /^Always mention (\w+)\.$/gm;

export function topicsOf(text: string): string[] {
  return [...text.matchAll(RULE)].map((m) => m[1]!);
}

/** The executor: "ANSWER <q>: <topics the prompt names>" (the case's question echoed, so outputs differ per case). */
export function ruleExecutor(req: RecordedRequest): FakeReply {
  const q = /Question: (\S+)/.exec(req.text)?.[1] ?? /<input>\n(\S+)/.exec(req.text)?.[1] ?? '';
  // Tokens in grow with the request, so a request without the skill reads fewer.
  const text = `ANSWER ${q}: ${topicsOf(req.text).join(' ')}`.trim();
  return { text, inputTokens: Math.ceil(req.text.length / 4), outputTokens: 40 };
}

/** The improver adds a rule for every topic its failing cases expected (a real fix, learnt from the failures). */
export const learnFromFailures: ImproverScript = (shown) => {
  const topics = [...new Set(shown.failing.map((f) => f.expected).filter((e): e is string => Boolean(e)))];
  return {
    summary: `mention ${topics.join(', ')}`,
    edits: [
      {
        path: shown.documents[0]!.path,
        action: 'append',
        text: topics.map((t) => `\nAlways mention ${t}.`).join(''),
      },
    ],
  };
};

/** n cases over the topics, tagged by topic, each expecting its topic in the answer. */
export function topicCases(n: number, topics: string[]): Partial<EvalCase>[] {
  return Array.from({ length: n }, (_, i) => {
    const topic = topics[i % topics.length]!;
    return { id: `c${String(i).padStart(2, '0')}`, vars: { q: `q${i}` }, expected: topic, tags: [topic] };
  });
}

export interface OptimizeHarness extends EvalHarness {
  /** Records content as a library item version and returns its number. */
  item(name: string, content: LibraryContent): Promise<number>;
  /** Builds the input exactly as `refinery tune <name> --dataset …` does and starts the run. */
  start(
    client: Client,
    taskQueue: string,
    args: string[],
    flags: OptimizeFlags,
  ): Promise<{
    input: OptimizeInput;
    workflowId: string;
    result(): Promise<OptimizeStatus>;
    status(): Promise<OptimizeStatus>;
  }>;
  executorRequests(): RecordedRequest[];
  improverRequests(): RecordedRequest[];
}

export async function optimizeHarness(roles: {
  executor?: (req: RecordedRequest) => FakeReply | Promise<FakeReply>;
  improver?: ImproverScript;
  judge?: (req: RecordedRequest) => FakeReply | Promise<FakeReply>;
  latencyMs?: number;
}): Promise<OptimizeHarness> {
  const executor = roles.executor ?? ruleExecutor;
  const h = await evalHarness({
    answer: scriptedImprover(roles.improver ?? learnFromFailures, executor),
    judge: roles.judge,
    latencyMs: roles.latencyMs,
  });
  const isImprover = (r: RecordedRequest) => r.text.includes('[refinery:improver');
  return {
    ...h,
    async item(name, content) {
      return (await recordVersion(h.db, name, content, { rationale: 'test', author: 'ana' })).version;
    },
    async start(client, taskQueue, args, flags) {
      const parsed = parseOptimizeFlags(args, { output: h.dir, ...flags }, { cwd: h.dir });
      const resolved = await resolveOptimizeTarget(h.db, parsed, h.dir);
      const input = buildOptimizeInput(parsed, resolved, newOptimizeRunId(), 'ana');
      const memo = storeMemo(await storeIdentity(h.db));
      const { workflowId, handle } = await startOptimize(client, { taskQueue, memo }, input);
      return {
        input,
        workflowId,
        result: () => handle.result(),
        status: () => handle.query<OptimizeStatus>('status'),
      };
    },
    executorRequests: () => h.anthropic.requests.filter((r) => !isImprover(r)),
    improverRequests: () => h.anthropic.requests.filter(isImprover),
  };
}
