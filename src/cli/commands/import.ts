import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../../config';
import { ImportError } from '../../import/promptfoo/file-refs';
import { planImport, type ImportPlan } from '../../import/promptfoo/plan';
import type { Unsupported } from '../../import/promptfoo/unsupported';
import { evalCommands, writeImport } from '../../import/promptfoo/write';
import { CliError, EXIT } from '../exit-codes';
import { cliActor } from '../library-io';
import { withStore } from '../with-store';

export const importHelp = `refinery import promptfoo <promptfooconfig.yaml> [--name N] [--dataset D] [--root DIR] [--why "…"]
                         [--skip-unsupported] [--dry-run] [--json] [--as user]
  Imports a promptfoo suite: each prompt (inline, file://, chat JSON/YAML) becomes a library prompt, the tests
  (inline, file:// YAML/JSON/JSONL, promptfoo CSV with __expected columns; defaultTest merged) one dataset
  version. Prompts are named by their label (or id), else their file name, else prompt-<n>; --name names a single
  prompt, or prefixes several. The dataset is --dataset, else the config's folder name. Files must lie under the
  config's folder (or --root). Anything without a faithful Refinery equivalent (e.g. similar, python, a test
  threshold) is listed with its test number and nothing is imported, unless --skip-unsupported drops it. All
  writes happen in one transaction; the equivalent \`refinery eval\` commands are printed.`;

const listed = (u: Unsupported) => `${u.at}: ${u.what}`;

export async function importCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      dataset: { type: 'string' },
      root: { type: 'string' },
      why: { type: 'string' },
      'skip-unsupported': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      as: { type: 'string' },
    },
  });
  const [source, file] = positionals;
  if (source !== 'promptfoo' || !file)
    throw new CliError('usage: refinery import promptfoo <promptfooconfig.yaml> (promptfoo is the one source so far)');
  let plan: ImportPlan;
  try {
    plan = planImport(file, { name: values.name, dataset: values.dataset, root: values.root });
  } catch (err) {
    if (err instanceof ImportError) throw new CliError(`${err.message}\nNothing was imported.`);
    throw err;
  }
  const skip = values['skip-unsupported'] === true;
  if (plan.unsupported.length && !skip) {
    if (values.json) {
      console.log(JSON.stringify({ imported: false, unsupported: plan.unsupported, notes: plan.notes }));
      return EXIT.badInput;
    }
    throw new CliError(
      `${plan.unsupported.length} unsupported feature${plan.unsupported.length > 1 ? 's' : ''}; nothing was imported:\n  ${plan.unsupported.map(listed).join('\n  ')}\nRemove them, or pass --skip-unsupported to import without them.`,
    );
  }
  const summary = {
    prompts: plan.prompts.map((p) => ({ name: p.name, namedBy: p.namedBy, source: p.source, type: p.content.type })),
    dataset: { name: plan.dataset.name, cases: plan.dataset.cases.length, target: plan.dataset.target ?? null },
    skipped: plan.unsupported,
    notes: plan.notes,
  };
  if (values['dry-run']) {
    if (values.json) console.log(JSON.stringify({ imported: false, dryRun: true, ...summary }));
    else {
      console.log(`dry run: nothing written. ${path.basename(plan.config)} would import:`);
      for (const p of summary.prompts)
        console.log(`  prompt ${p.name} (${p.type}, named by ${p.namedBy}) from ${p.source}`);
      console.log(`  dataset ${plan.dataset.name}: ${plan.dataset.cases.length} cases`);
      printLists(plan);
    }
    return EXIT.ok;
  }
  const actor = cliActor(config, values.as);
  const result = await withStore(config, async (db) => {
    try {
      return await writeImport(db, plan, {
        author: actor.subject,
        rationale: values.why?.trim() || `imported from promptfoo config ${path.basename(plan.config)}`,
      });
    } catch (err) {
      if (err instanceof ImportError) throw new CliError(`${err.message}\nNothing was imported.`);
      throw err;
    }
  });
  const commands = evalCommands(plan, result);
  if (values.json) {
    console.log(
      JSON.stringify({
        imported: true,
        prompts: result.prompts.map((p, i) => ({
          name: p.name,
          version: p.version,
          created: p.created,
          namedBy: p.namedBy,
          source: plan.prompts[i]!.source,
          type: plan.prompts[i]!.content.type,
        })),
        dataset: {
          name: result.dataset.name,
          version: result.dataset.version,
          created: result.dataset.created,
          cases: result.dataset.caseCount,
          target: result.dataset.target,
        },
        skipped: plan.unsupported,
        notes: plan.notes,
        evalCommands: commands,
      }),
    );
    return EXIT.ok;
  }
  for (const p of result.prompts)
    console.log(
      `prompt ${p.name}: ${p.created ? `created version ${p.version}` : `unchanged — the content is version ${p.version}`} (named by ${p.namedBy})`,
    );
  const d = result.dataset;
  console.log(
    d.created
      ? `dataset ${d.name}@${d.version}: ${d.caseCount} cases`
      : `dataset ${d.name}: unchanged — the cases are version ${d.version}`,
  );
  printLists(plan);
  console.log(`Evaluate with:\n  ${commands.join('\n  ')}`);
  return EXIT.ok;
}

function printLists(plan: ImportPlan): void {
  if (plan.unsupported.length)
    console.log(`Left out (--skip-unsupported):\n  ${plan.unsupported.map(listed).join('\n  ')}`);
  if (plan.notes.length) console.log(`Notes:\n  ${plan.notes.join('\n  ')}`);
}
