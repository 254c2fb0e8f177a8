import { getItem, recordVersion, type RecordedVersion } from '../../library/versions';
import type { Db } from '../../store/db';
import { addDatasetVersion, type DatasetVersion } from '../../store/evals';
import { inTransaction } from '../../store/nested-transaction';
import { ImportError } from './file-refs';
import type { ImportPlan } from './plan';

export interface ImportResult {
  prompts: (RecordedVersion & { namedBy: string })[];
  dataset: DatasetVersion & { created: boolean };
}

/** Read-only checks against the store before anything is written: a name held by a skill cannot take a prompt. */
export async function checkAgainstStore(db: Db, plan: ImportPlan): Promise<void> {
  for (const p of plan.prompts) {
    const item = await getItem(db, p.name);
    if (item && item.kind !== 'prompt')
      throw new ImportError(
        `"${p.name}" is a ${item.kind} in the library; import the prompt under another name (--name)`,
      );
  }
}

/**
 * Writes the plan in one transaction: every prompt's version and the dataset version, or nothing. Unchanged
 * content maps to the versions that already hold it (both are content-addressed), so importing twice adds nothing.
 */
export async function writeImport(
  db: Db,
  plan: ImportPlan,
  meta: { author: string; rationale: string },
): Promise<ImportResult> {
  await checkAgainstStore(db, plan);
  return db.transaction(async (tx) => {
    const inner = inTransaction(db, tx);
    const prompts: ImportResult['prompts'] = [];
    for (const p of plan.prompts) {
      const v = await recordVersion(inner, p.name, p.content, {
        rationale: meta.rationale,
        author: meta.author,
        item: { owner: meta.author, description: plan.description, tags: ['promptfoo'] },
      });
      prompts.push({ ...v, namedBy: p.namedBy });
    }
    const dataset = await addDatasetVersion(inner, {
      name: plan.dataset.name,
      cases: plan.dataset.cases,
      scripts: plan.dataset.scripts,
      target: plan.dataset.target,
      source: plan.config,
      author: meta.author,
    });
    return { prompts, dataset };
  });
}

/** The `refinery eval` commands that run what promptfoo ran: each prompt on the dataset, per mapped provider. */
export function evalCommands(plan: ImportPlan, result: ImportResult): string[] {
  const models = plan.models.length ? plan.models : [undefined];
  return result.prompts.flatMap((p) =>
    models.map(
      (m) =>
        `refinery eval ${p.name} --version ${p.version} --dataset ${result.dataset.name}@${result.dataset.version}${m ? ` --model ${m}` : ''}`,
    ),
  );
}
