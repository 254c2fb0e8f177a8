import { log } from '@temporalio/activity';
import { contentHash, promptContentSchema } from '../../library/content';
import type { EvalModels, CaseEvidence, ProposeCandidateInput } from '../../optimizer/activity-types';
import { toDocuments } from '../../optimizer/documents';
import { proposalFromAnswer } from '../../optimizer/proposal';
import { isFailing, reflectionPrompt } from '../../optimizer/reflection';
import type { CandidateRef, ProposeResponse, Spend } from '../../optimizer/types';
import { requiredVariables } from '../../optimizer/variables';
import { getJson, putBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { getCachedResponse, putCachedResponse } from '../../store/evals';
import { sha256 } from '../../store/hash';
import type { ModelCalls } from '../tune/model-calls';
import { descriptionOnlyProblem, type EditScope } from '../../optimizer/edit-scope';
import { versionFileUsage } from '../../skills/tool-call-store';

/** What a dataset lets proposals change (trigger cases only: a skill's description alone). */
export type EditScopeLoader = (db: Db, dataset: { name: string; version: number }) => Promise<EditScope>;

/** Reads a candidate's stored results on some cases back as the improver sees them (the evaluate activity's store). */
export type CaseEvidenceLoader = (
  db: Db,
  req: {
    runId: string;
    dataset: { name: string; version: number };
    candidate: CandidateRef;
    caseIds: string[];
    models: EvalModels;
  },
) => Promise<CaseEvidence[]>;

/** The improver's answer is cached under this key: one paid call per (run, round, slot), whatever the retries. */
export function proposalCacheKey(input: Pick<ProposeCandidateInput, 'runId' | 'round' | 'slot' | 'parent' | 'models'>) {
  const { provider, model } = input.models.improver;
  // The first element keeps these keys apart from the eval engine's output and judge keys in the same cache.
  return sha256(
    JSON.stringify(['improver:reflect', input.runId, input.round, input.slot, input.parent.hash, provider, model]),
  );
}

const IMPROVER_MAX_TOKENS = 4096;
const NOTHING: Spend = { calls: 0, usd: 0 };

/**
 * proposeCandidate: the engine's propose. Reads the parent and its evidence on the minibatch, asks the reflective
 * improver once (the answer is stored before it is used, so a retried activity reads it instead of paying again),
 * applies the edits strictly and stores the child as a blob. A refusal is a normal result; a provider error that
 * is permanent fails non-retryably (ProviderRejected), as ModelCalls reports it.
 */
export function proposeCandidateActivity(
  db: Db,
  models: ModelCalls,
  loadEvidence: CaseEvidenceLoader,
  scopeOf: EditScopeLoader = () => Promise.resolve('files'),
) {
  return async function proposeCandidate(input: ProposeCandidateInput): Promise<ProposeResponse> {
    const parent = promptContentSchema.parse(await getJson<unknown>(db, input.parent.ref));
    const editScope = parent.type === 'skill' ? await scopeOf(db, input.dataset) : 'files';
    const evidence = await loadEvidence(db, {
      runId: input.runId,
      dataset: input.dataset,
      candidate: input.parent,
      caseIds: input.minibatch,
      models: input.models,
    });
    if (evidence.length === 0) return { refused: 'no stored evidence for the parent on the minibatch', spent: NOTHING };
    // A parent that passes every case of its minibatch cannot be beaten there: asking would be money spent for nothing.
    if (!evidence.some(isFailing)) {
      return { refused: 'nothing to learn from: the parent passes every minibatch case', spent: NOTHING };
    }

    const key = proposalCacheKey(input);
    let answer: string;
    let spent = NOTHING;
    const stored = await getCachedResponse(db, key);
    if (stored) answer = stored.text;
    else {
      const req = reflectionPrompt({
        kind: parent.type,
        documents: toDocuments(parent),
        evidence,
        lineage: input.lineage,
        changeBudget: input.changeBudget,
        variables: requiredVariables(parent),
        reflectionTokens: input.reflectionTokens,
        editScope,
        // Which files the agent runs of the parent read: the improver merges, splits or removes by it.
        ...(parent.type === 'skill' ? { fileUsage: await versionFileUsage(db, input.parent.hash) } : {}),
      });
      // Sizes and cuts only: the prompt itself never goes into a log line.
      log.info('reflection prompt built', {
        runId: input.runId,
        round: input.round,
        slot: input.slot,
        tokens: req.tokens,
        fits: req.fits,
        cuts: req.cuts,
      });
      const reply = await models.call(
        'improver',
        input.models.improver,
        { system: req.system, prompt: req.prompt, maxTokens: IMPROVER_MAX_TOKENS, json: true },
        { runId: input.runId, step: `optimize:${input.round}:${input.slot}:propose` },
        // A skill's files, named if the prompt does not fit the improver's context window.
        parent.type === 'skill' ? parent.files : undefined,
      );
      await putCachedResponse(db, key, {
        text: reply.text,
        inputTokens: reply.inputTokens,
        outputTokens: reply.outputTokens,
      });
      answer = reply.text;
      spent = { calls: 1, usd: reply.costUsd };
    }

    const outcome = proposalFromAnswer(parent, answer, input.changeBudget);
    if ('refused' in outcome) {
      return outcome.summary
        ? { refused: outcome.refused, spent, summary: outcome.summary }
        : { refused: outcome.refused, spent };
    }
    if (editScope === 'description') {
      const outside = descriptionOnlyProblem(parent, outcome.child, 'skill');
      if (outside) return { refused: outside, spent, summary: outcome.summary };
    }
    const ref = await putBlob(db, JSON.stringify(outcome.child));
    return { child: { hash: contentHash(outcome.child), ref }, summary: outcome.summary, spent };
  };
}
