/**
 * The one import of the dataset split. STAND-IN until src/optimizer/split.ts (another helper's) is merged to
 * main: then this file re-exports the real splitDataset and nothing else changes.
 */
import type { DatasetSplit, SplitSettings } from '../../src/optimizer/types';
import { stream } from './random';

export function splitDataset(cases: readonly { id: string; tags: string[] }[], settings: SplitSettings): DatasetSplit {
  const ids = cases.map((c) => c.id);
  if (cases.length < settings.minCasesForSplit)
    return { train: ids, validation: ids, test: [], heldOut: false, seed: settings.seed };
  const random = stream(settings.seed);
  const strata = new Map<string, string[]>();
  for (const c of cases) strata.set(c.tags[0] ?? '', [...(strata.get(c.tags[0] ?? '') ?? []), c.id]);
  const split: DatasetSplit = { train: [], validation: [], test: [], heldOut: true, seed: settings.seed };
  for (const key of [...strata.keys()].sort()) {
    const members = [...strata.get(key)!].sort();
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    const nValidation = Math.round(members.length * settings.validationShare);
    const nTest = Math.round(members.length * settings.testShare);
    split.validation.push(...members.slice(0, nValidation));
    split.test.push(...members.slice(nValidation, nValidation + nTest));
    split.train.push(...members.slice(nValidation + nTest));
  }
  return split;
}
