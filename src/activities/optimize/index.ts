import type { Config } from '../../config';
import { promptContentSchema } from '../../library/content';
import { datasetCases } from '../eval/dataset-cases';
import { loadCaseEvidence } from '../../optimizer/candidate-result-store';
import type { CandidateRef } from '../../optimizer/types';
import { getBlob } from '../../store/blobs';
import type { Db } from '../../store/db';
import { ModelCalls } from '../tune/model-calls';
import { evaluateCandidateActivity, noSkillContent, storeCandidate } from './evaluate';
import { finishOptimizeRunActivity } from './finish';
import { prepareOptimizeRunActivity } from './prepare';
import { findOptimizeRecurringActivity } from './recurring';
import { proposeCandidateActivity, type CaseEvidenceLoader, type EditScopeLoader } from './propose';
import { editScopeOf } from '../../optimizer/edit-scope';
import { buildCandidateRolloutActivity } from './rollout';
import { prepareChainStepActivity } from './chain';

/** The improver's evidence: the parent's stored results on the minibatch, read back from the evaluate activity's store. */
const evidenceFromStore: CaseEvidenceLoader = async (db, req) => {
  const wanted = new Set(req.caseIds);
  const cases = (await datasetCases(db, req.dataset.name, req.dataset.version)).filter((c) => wanted.has(c.id));
  return loadCaseEvidence(db, { candidateHash: req.candidate.hash, cases, models: req.models });
};

/** A dataset of trigger cases only tunes a skill's description alone. */
const scopeFromDataset: EditScopeLoader = async (db, dataset) =>
  editScopeOf(await datasetCases(db, dataset.name, dataset.version));

/** The optimizer's activities (`refinery tune <name> --dataset`): thin adapters over the store and the providers. */
export function optimizeActivities(
  db: Db,
  config: Pick<Config, 'provider' | 'anthropic' | 'gemini' | 'openai'>,
  opts: { publicUrl: string; admins: string[] },
) {
  const models = new ModelCalls(config, db);
  return {
    ...evaluateCandidateActivity(db, models),
    proposeCandidate: proposeCandidateActivity(db, models, evidenceFromStore, scopeFromDataset),
    prepareOptimizeRun: prepareOptimizeRunActivity(db),
    findOptimizeRecurring: findOptimizeRecurringActivity(db),
    finishOptimizeRun: finishOptimizeRunActivity(db, opts.publicUrl),
    buildCandidateRollout: buildCandidateRolloutActivity(db, opts.admins),
    prepareChainStep: prepareChainStepActivity(db, models),

    /** A skill's cases without the skill, as a candidate (skill-creator's baseline): same request, no <skill> block. */
    async noSkillCandidate(p: { skill: CandidateRef }): Promise<CandidateRef> {
      const content = promptContentSchema.parse(JSON.parse(await getBlob(db, p.skill.ref)));
      return storeCandidate(db, noSkillContent(content));
    },
  };
}
