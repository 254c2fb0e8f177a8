import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../../config';
import { validateAssertions } from '../../eval/assertions';
import { DatasetError, formatFromPath, parseDataset } from '../../eval/datasets';
import { captureScripts, type CapturedScripts } from '../../eval/dataset-scripts';
import { addDatasetVersion, getDataset, getDatasetCases, listDatasets } from '../../store/evals';
import { openStore } from '../../store/open';
import { CliError, EXIT } from '../exit-codes';
import { cliActor } from '../library-io';

export const datasetHelp = `refinery dataset add <name> <file.jsonl|.csv|.yaml> [--for <prompt-or-skill>]
  Imports golden cases as a new dataset version (unchanged content: the existing version). Bad rows are
  reported with their line numbers and nothing is stored. The sources of \`javascript\` assertion files
  (relative to the dataset file) are stored with the version: a changed script makes a new version.
refinery dataset list
refinery dataset show <name>[@version] [--json]`;

export async function datasetCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { for: { type: 'string' }, json: { type: 'boolean' }, as: { type: 'string' } },
  });
  const [verb, name, file] = positionals;
  const db = await openStore(config.databaseUrl);
  try {
    if (verb === 'add') {
      if (!name || !file) throw new CliError('usage: refinery dataset add <name> <file> [--for <prompt>]');
      if (!fs.existsSync(file)) throw new CliError(`${file} does not exist`);
      let captured: CapturedScripts;
      try {
        const format = formatFromPath(file);
        const cases = parseDataset(fs.readFileSync(file, 'utf8'), format, {
          source: path.basename(file),
          validateAssertions: (raw, where) => validateAssertions(raw, where),
        });
        // The scripts travel with the version: workers never read this folder.
        captured = await captureScripts(cases, path.dirname(path.resolve(file)));
      } catch (err) {
        if (err instanceof DatasetError || err instanceof Error) throw new CliError(err.message);
        throw err;
      }
      const d = await addDatasetVersion(db, {
        name,
        cases: captured.cases,
        scripts: captured.sources,
        target: values.for,
        source: path.resolve(file),
        author: cliActor(config, values.as).subject,
      });
      console.log(
        d.created
          ? `dataset ${name}@${d.version}: ${d.caseCount} cases`
          : `dataset ${name}: unchanged — the cases are version ${d.version}`,
      );
      return EXIT.ok;
    }
    if (verb === 'list') {
      for (const d of await listDatasets(db))
        console.log(
          `${d.name}@${d.version}  ${d.caseCount} cases  ${d.target ? `for ${d.target}  ` : ''}${d.createdAt}  ${d.source}`,
        );
      return EXIT.ok;
    }
    if (verb === 'show') {
      if (!name) throw new CliError('usage: refinery dataset show <name>[@version]');
      const [dsName, v] = name.split('@');
      const d = await getDataset(db, dsName!, v === undefined ? undefined : Number(v));
      if (!d) throw new CliError(`no dataset ${name}: see \`refinery dataset list\``);
      const cases = await getDatasetCases(db, d.name, d.version);
      if (values.json) console.log(JSON.stringify({ ...d, cases }));
      else {
        console.log(
          `${d.name}@${d.version}: ${d.caseCount} cases${d.target ? `, for ${d.target}` : ''} (${d.hash.slice(0, 12)})`,
        );
        for (const c of cases)
          console.log(
            `  ${c.id}${c.required ? ' [required]' : ''}${c.tags.length ? ` {${c.tags.join(', ')}}` : ''}: ${c.assertions.length} assertion(s)`,
          );
      }
      return EXIT.ok;
    }
    throw new CliError('usage: refinery dataset add|list|show …');
  } finally {
    await db.close();
  }
}
