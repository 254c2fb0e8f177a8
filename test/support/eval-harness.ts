import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DEFAULT_EVAL_SETTINGS, startEval, type EvalResult } from '../../src/clients/eval';
import type { EvalCase, EvalSettings } from '../../src/eval/types';
import { moveLabel } from '../../src/library/label-store';
import { recordVersion } from '../../src/library/versions';
import type { Db } from '../../src/store/db';
import { addDatasetVersion } from '../../src/store/evals';
import { captureScripts } from '../../src/eval/dataset-scripts';
import { openStore } from '../../src/store/open';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import { startFakeGemini } from '../fakes/fake-gemini';
import type { FakeReply, FakeServer, RecordedRequest } from '../fakes/fake-server-core';
import { tempDir } from './temporal';
import { MARKER_KEY } from './tune-harness';

export interface EvalHarness {
  anthropic: FakeServer;
  gemini: FakeServer;
  db: Db;
  dbUrl: string;
  dir: string;
  providers: {
    provider: 'auto';
    anthropic: { apiKey: string; baseUrl: string };
    gemini: { apiKey: string; baseUrl: string };
  };
  workerEnv: Record<string, string>;
  /** Adds a text prompt version and returns its number. */
  prompt(name: string, text: string, production?: boolean): Promise<number>;
  dataset(name: string, cases: Partial<EvalCase>[]): Promise<number>;
  run(
    client: Client,
    taskQueue: string,
    p: {
      name: string;
      version: number;
      dataset: string;
      datasetVersion: number;
      settings?: Partial<EvalSettings>;
      runId?: string;
    },
  ): Promise<{ runId: string; result: EvalResult }>;
  /** Output requests (not judge requests) seen by the fake, per case input marker. */
  outputRequests(): readonly RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Fake Anthropic answers the prompts under test (answer(req)), fake Gemini judges rubrics (judge(req));
 * a fresh store, prompts and datasets.
 */
export async function evalHarness(roles: {
  answer: (req: RecordedRequest) => FakeReply | Promise<FakeReply>;
  judge?: (req: RecordedRequest) => FakeReply | Promise<FakeReply>;
  latencyMs?: number;
}): Promise<EvalHarness> {
  const anthropic = await startFakeAnthropic({ respond: roles.answer, latencyMs: roles.latencyMs });
  const gemini = await startFakeGemini({
    respond: roles.judge ?? (() => ({ text: '{"score": 80, "reason": "fine"}' })),
    latencyMs: roles.latencyMs,
  });
  const dir = tempDir('eval');
  const dbUrl = `sqlite:${path.join(dir, 'r.db')}`;
  const db = await openStore(dbUrl);
  const providers = {
    provider: 'auto' as const,
    anthropic: { apiKey: MARKER_KEY, baseUrl: anthropic.baseUrl },
    gemini: { apiKey: MARKER_KEY, baseUrl: gemini.baseUrl },
  };
  return {
    anthropic,
    gemini,
    db,
    dbUrl,
    dir,
    providers,
    workerEnv: {
      REFINERY_DATABASE_URL: dbUrl,
      ANTHROPIC_API_KEY: MARKER_KEY,
      ANTHROPIC_BASE_URL: anthropic.baseUrl,
      GEMINI_API_KEY: MARKER_KEY,
      GEMINI_BASE_URL: gemini.baseUrl,
    },
    async prompt(name, text, production = false) {
      const v = await recordVersion(
        db,
        name,
        { type: 'text', text, variables: [] },
        { rationale: 'test', author: 'ana' },
      );
      if (production)
        await moveLabel(db, {
          name,
          label: 'production',
          version: v.version,
          actor: { subject: 'ana', admin: true, ownerRole: true },
          reason: 'test',
        });
      return v.version;
    },
    async dataset(name, cases) {
      const full: EvalCase[] = cases.map((c, i) => ({
        id: c.id ?? `case-${i + 1}`,
        vars: c.vars ?? {},
        assertions: c.assertions ?? [],
        tags: c.tags ?? [],
        required: c.required ?? false,
        ...(c.expected !== undefined ? { expected: c.expected } : {}),
      }));
      // As `refinery dataset add` does: scripts resolve in the harness folder and are stored with the version.
      const captured = await captureScripts(full, dir);
      return (
        await addDatasetVersion(db, {
          name,
          cases: captured.cases,
          scripts: captured.sources,
          source: path.join(dir, `${name}.jsonl`),
          author: 'ana',
        })
      ).version;
    },
    async run(client, taskQueue, p) {
      const started = await startEval(client, taskQueue, {
        runId: p.runId,
        target: { name: p.name, version: p.version },
        dataset: { name: p.dataset, version: p.datasetVersion },
        settings: { ...DEFAULT_EVAL_SETTINGS, ...p.settings },
      });
      return { runId: started.runId, result: await started.handle.result() };
    },
    outputRequests() {
      return anthropic.requests;
    },
    async close() {
      await anthropic.close();
      await gemini.close();
      await db.close();
    },
  };
}
