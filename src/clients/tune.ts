import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../shared';
import type { loadSkillFolder } from '../skills/load';
import { putBlob, putJson } from '../store/blobs';
import type { Db } from '../store/db';
import { recordSkillVersion } from '../library/skill-versions';
import { putFileBlob } from '../store/file-blobs';
import { storeIdentity } from '../store/store-identity';
import { storeMemo } from '../temporal/store-binding';
import type { GoldenCase } from '../tune/golden';
import type { TuneInput, TuneSettings, TuneStatus } from '../tune/types';
import type { tuneWorkflow } from '../workflows/tune';
import { tuneMetadata } from '../web-ui/static-metadata';

/** A tune the CLI has checked: skill folders loaded, scenario read, settings complete. Defined here, where it is started, so the CLI imports the client and not the other way round. */
export interface ValidatedTune {
  skills: ReturnType<typeof loadSkillFolder>[];
  scenario: string;
  golden?: GoldenCase[];
  settings: TuneSettings;
}

export interface StartedTune {
  workflowId: string;
  skills: string[];
  handle: WorkflowHandle<typeof tuneWorkflow>;
}

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);
const skillKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.skill, SearchAttributeType.KEYWORD);

/**
 * Records each skill's current content as a version, stores the scenario and golden cases, and starts
 * one tune workflow per skill (or one for the whole chain). Only hashes go into the workflow input.
 */
export async function startTune(
  client: Client,
  db: Db,
  taskQueue: string,
  tune: ValidatedTune,
  opts: { startedBy?: string; idPrefix?: string } = {},
): Promise<StartedTune[]> {
  const startedBy = opts.startedBy ?? os.userInfo().username;
  const originals = [];
  for (const s of tune.skills) {
    for (const bytes of s.blobs.values()) await putFileBlob(db, bytes);
    const v = await recordSkillVersion(db, s.name, s.content, {
      rationale: 'content at the start of a tune run',
      author: startedBy,
    });
    originals.push({ name: s.name, dir: s.dir, originalHash: v.hash });
  }
  const scenarioRef = await putBlob(db, tune.scenario);
  const goldenRef = tune.golden ? await putJson(db, tune.golden) : undefined;
  const groups = tune.settings.chain ? [originals] : originals.map((o) => [o]);
  // The run carries its store: a worker holding another store refuses its activities.
  const memo = storeMemo(await storeIdentity(db));

  const started: StartedTune[] = [];
  for (const skills of groups) {
    const workflowId = `${opts.idPrefix ?? 'tune'}-${skills.map((s) => s.name).join('+')}-${randomBytes(4).toString('hex')}`;
    const input: TuneInput = { runId: workflowId, skills, scenarioRef, goldenRef, settings: tune.settings, startedBy };
    const handle = await client.workflow.start<typeof tuneWorkflow>('tuneWorkflow', {
      taskQueue,
      workflowId,
      args: [input],
      memo,
      ...tuneMetadata(input),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: statusKey, value: 'running' },
        { key: skillKey, value: skills.map((s) => s.name).join('+') },
      ]),
    });
    started.push({ workflowId, skills: skills.map((s) => s.name), handle });
  }
  return started;
}

/** One line of progress: iteration, phase and the score trail (and the judge failures, when there are any). */
export function progressLine(s: TuneStatus): string {
  const trail = s.scores.map((n) => String(Math.round(n * 10) / 10)).join(' → ') || '—';
  // A status from before the field existed has none: read as no failures.
  const failures = s.judgeFailures ? ` · judge failures ${s.judgeFailures}` : '';
  return `iteration ${s.iteration}/${s.maxIterations} · ${s.phase} · scores ${trail} (threshold ${s.threshold})${failures}`;
}
