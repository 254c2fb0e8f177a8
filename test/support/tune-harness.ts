import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startTune, type StartedTune } from '../../src/clients/tune';
import { validateTuneInput, type TuneFlags } from '../../src/cli/tune-input';
import type { Config } from '../../src/config';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { parseRenderedFiles, roleOf } from '../../src/tune/role-prompts';
import { DIMENSIONS, type TuneStatus } from '../../src/tune/types';
import { applyTuneOutcome } from '../../src/cli/tune-outcome';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import type { FakeReply, FakeServer, RecordedRequest } from '../fakes/fake-server-core';
import { startFakeGemini } from '../fakes/fake-gemini';
import { tempDir } from './temporal';

/** A marker used as both API keys: tests check it never reaches history, logs or reports. */
export const MARKER_KEY = 'sk-marker-KEY-7f3a9c';

export function judgeJson(
  score: number,
  categories: string[] = [],
  perSkill?: { skill: string; score: number }[],
): string {
  return JSON.stringify({
    dimensions: Object.fromEntries(DIMENSIONS.map((d) => [d, { score, notes: 'ok' }])),
    strengths: ['clear steps'],
    weaknesses: categories.map((category) => ({
      category,
      description: `needs work on ${category}`,
      severity: 'medium',
    })),
    suggestions: categories.map((c) => `fix ${c}`),
    ...(perSkill ? { perSkill } : {}),
  });
}

/** Deterministic improver: appends one numbered line to SKILL.md, derived from the prompt alone. */
export function appendImprovement(req: RecordedRequest): FakeReply {
  const skill = /<skill name="[^"]+">\n([\s\S]*?)\n<\/skill>/.exec(req.text)?.[1] ?? '';
  const md = parseRenderedFiles(skill)['SKILL.md'] ?? '';
  const n = (md.match(/^- improvement \d+$/gm) ?? []).length + 1;
  return {
    text: JSON.stringify({
      rationale: `improvement ${n}`,
      edits: [{ path: 'SKILL.md', action: 'replace', content: `${md}\n- improvement ${n}` }],
    }),
  };
}

/**
 * The iteration a judge request belongs to, read from the store: the newest snapshot of the newest run (the
 * snapshot is recorded before the iteration executes). The judge's prompt carries no iteration or earlier
 * score on purpose, so a fake judge that scripts scores per iteration learns it out of band, here.
 */
export async function judgeIteration(db: Db): Promise<number> {
  const row = await db.get<{ iteration: number }>(
    'SELECT iteration FROM tune_snapshots ORDER BY created_at DESC, iteration DESC LIMIT 1',
  );
  return Number(row?.iteration ?? 1);
}

export interface Roles {
  executor?: (req: RecordedRequest) => FakeReply | Promise<FakeReply>;
  improver?: (req: RecordedRequest) => FakeReply | Promise<FakeReply>;
  /** `iteration` comes from the store (see judgeIteration), never from the request. */
  judge: (req: RecordedRequest, iteration: number) => FakeReply | Promise<FakeReply>;
}

export interface TuneHarness {
  anthropic: FakeServer;
  gemini: FakeServer;
  db: Db;
  dbUrl: string;
  dir: string;
  providers: Pick<Config, 'provider' | 'anthropic' | 'gemini'>;
  /** Environment for a worker process using the same fakes and store. */
  workerEnv: Record<string, string>;
  makeSkill(name: string, files?: Record<string, string>): string;
  start(dirs: string[], flags: TuneFlags, client: Client, taskQueue: string): Promise<StartedTune[]>;
  /** Waits for the run and writes its outcome and report here, as `refinery tune --wait` does. */
  finish(handle: StartedTune['handle']): Promise<TuneStatus>;
  requestsFor(role: 'executor' | 'judge' | 'improver'): RecordedRequest[];
  close(): Promise<void>;
}

/** Fake Anthropic (executor, improver) and Gemini (judge) servers, a fresh store and skill folders. */
export async function tuneHarness(roles: Roles): Promise<TuneHarness> {
  const dir = tempDir('tune');
  const dbUrl = `sqlite:${path.join(dir, 'refinery.db')}`;
  const db = await openStore(dbUrl);
  const route = async (req: RecordedRequest) => {
    const role = roleOf(/\[refinery:(executor|judge|improver)\]/.exec(req.text)?.[0]);
    if (role === 'judge') return roles.judge(req, await judgeIteration(db));
    if (role === 'improver') return (roles.improver ?? appendImprovement)(req);
    return (
      roles.executor ??
      ((r: RecordedRequest) => ({ text: `artifact for ${/<scenario>\n([^\n]*)/.exec(r.text)?.[1] ?? ''}` }))
    )(req);
  };
  const anthropic = await startFakeAnthropic({ respond: route });
  const gemini = await startFakeGemini({ respond: route });
  const providers = {
    provider: 'auto' as const,
    anthropic: { apiKey: MARKER_KEY, baseUrl: anthropic.baseUrl },
    gemini: { apiKey: MARKER_KEY, baseUrl: gemini.baseUrl },
  };
  const all = () => [...anthropic.requests, ...gemini.requests];
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
    makeSkill(name, files = { 'SKILL.md': `# ${name}\n\nDoes the ${name} job well.\n` }) {
      const skillDir = path.join(dir, 'skills', name);
      for (const [rel, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(skillDir, rel)), { recursive: true });
        fs.writeFileSync(path.join(skillDir, rel), content);
      }
      return skillDir;
    },
    start(dirs, flags, client, taskQueue) {
      const tune = validateTuneInput(dirs, { output: dir, scenario: 'Write release notes for version 2.4', ...flags });
      return startTune(client, db, taskQueue, tune, { startedBy: 'test' });
    },
    async finish(handle) {
      const status = await handle.result();
      await applyTuneOutcome(db, status, { write: true });
      return status;
    },
    requestsFor(role) {
      return all().filter((r) => r.text.includes(`[refinery:${role}]`));
    },
    async close() {
      await anthropic.close();
      await gemini.close();
      await db.close();
    },
  };
}
