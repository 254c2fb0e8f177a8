import type { Client, WorkflowHandle } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import type { ValidatedTune } from './tune';
import type { ChainTuneInput, ChainTuneStatus } from '../optimizer/chain-types';
import type { OptimizeInput, SplitSettings } from '../optimizer/types';
import { SEARCH_ATTRIBUTES } from '../shared';
import type { Db } from '../store/db';
import { addDatasetVersion } from '../store/evals';
import { putFileBlob } from '../store/file-blobs';
import { recordSkillVersion } from '../library/skill-versions';
import type { RunBinding } from '../temporal/store-binding';
import { folderCases, folderDatasetName } from '../tune/folder-dataset';
import { newOptimizeRunId, startOptimize, type OptimizeWorkflow } from './optimize';
import { runMetadata } from '../web-ui/static-metadata';

/** The settings the folder form shares with `tune <name> --dataset` (every optimizer flag applies). */
export interface FolderTuneSettings {
  split: SplitSettings;
  settings: OptimizeInput['settings'];
}

/** One pushed folder: the library version it became, and the folder the outcome goes back to. */
export interface PushedFolder {
  name: string;
  dir: string;
  version: number;
  hash: string;
}

export type StartedFolderTune =
  | {
      kind: 'single';
      workflowId: string;
      folder: PushedFolder;
      dataset: { name: string; version: number };
      caseCount: number;
      input: OptimizeInput;
      handle: WorkflowHandle<OptimizeWorkflow>;
    }
  | {
      kind: 'chain';
      workflowId: string;
      folders: PushedFolder[];
      dataset: { name: string; version: number };
      caseCount: number;
      input: ChainTuneInput;
      handle: WorkflowHandle<(input: ChainTuneInput) => Promise<ChainTuneStatus>>;
    };

export const CHAIN_WORKFLOW_TYPE = 'chainTuneWorkflow';

const statusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD);
const skillKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.skill, SearchAttributeType.KEYWORD);

/**
 * The folder form through the optimizer: pushes each folder as a library version (its bytes first), stores the
 * scenario and golden cases as the skill's dataset, and starts one optimizer run per skill, or, with --chain, one
 * chain run that tunes the skills in order. Only names, versions and settings go into the inputs.
 */
export async function startFolderTune(
  client: Client,
  db: Db,
  binding: Pick<RunBinding, 'taskQueue' | 'memo'>,
  tune: ValidatedTune,
  opts: FolderTuneSettings & { startedBy: string },
): Promise<StartedFolderTune[]> {
  const folders: PushedFolder[] = [];
  for (const s of tune.skills) {
    for (const bytes of s.blobs.values()) await putFileBlob(db, bytes);
    const v = await recordSkillVersion(db, s.name, s.content, {
      rationale: 'content at the start of a tune run',
      author: opts.startedBy,
    });
    folders.push({ name: s.name, dir: s.dir, version: v.versionNo, hash: v.hash });
  }
  const cases = folderCases(tune.scenario, tune.golden);
  const dataset = async (skill: string) => {
    const d = await addDatasetVersion(db, {
      name: folderDatasetName(skill),
      cases,
      target: skill,
      source: 'refinery tune <skill-dir> --scenario',
      author: opts.startedBy,
    });
    return { name: d.name, version: d.version };
  };

  if (tune.settings.chain) {
    const runId = newOptimizeRunId();
    const input: ChainTuneInput = {
      runId,
      skills: folders.map((f) => ({ name: f.name, version: f.version, dir: f.dir })),
      base: await dataset(folders[0]!.name),
      split: opts.split,
      settings: opts.settings,
      startedBy: opts.startedBy,
    };
    const names = folders.map((f) => f.name).join('+');
    const workflowId = `chain-${names}-${runId}`;
    const handle = await client.workflow.start<(input: ChainTuneInput) => Promise<ChainTuneStatus>>(
      CHAIN_WORKFLOW_TYPE,
      {
        taskQueue: binding.taskQueue,
        workflowId,
        args: [input],
        memo: binding.memo,
        ...runMetadata({
          what: 'Tune chain',
          item: folders.map((f) => f.name).join(' → '),
          startedBy: opts.startedBy,
          settings: [
            ['Skills, in order', folders.map((f) => `${f.name} (${f.dir})`).join(', ')],
            ['Cases', cases.length],
          ],
          follow: `One optimizer run per skill, in order; follow it with \`refinery status ${workflowId}\`.`,
        }),
        staticSummary: `Tunes the chain ${folders.map((f) => f.name).join(' → ')} in order, one optimizer run per skill`,
        typedSearchAttributes: new TypedSearchAttributes([
          { key: statusKey, value: 'running' },
          { key: skillKey, value: names },
        ]),
      },
    );
    return [{ kind: 'chain', workflowId, folders, dataset: input.base, caseCount: cases.length, input, handle }];
  }

  const started: StartedFolderTune[] = [];
  for (const folder of folders) {
    const input: OptimizeInput = {
      runId: newOptimizeRunId(),
      target: { name: folder.name, version: folder.version, kind: 'skill' },
      dataset: await dataset(folder.name),
      split: opts.split,
      settings: { ...opts.settings, folder: folder.dir },
      startedBy: opts.startedBy,
    };
    const { workflowId, handle } = await startOptimize(client, binding, input);
    started.push({
      kind: 'single',
      workflowId,
      folder,
      dataset: input.dataset,
      caseCount: cases.length,
      input,
      handle,
    });
  }
  return started;
}
