import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { countCases, listCases } from '../../cases/case-store';
import { reviewInteractively } from '../../cases/interactive-review';
import { formatCase } from '../../cases/case-view';
import { harvestCases, type HarvestResult } from '../../cases/harvest';
import { acceptCase, publishAccepted, rejectCase, skipCase, tendenciesFor } from '../../cases/case-review';
import type { Config } from '../../config';
import type { Db } from '../../store/db';
import { CliError, EXIT } from '../exit-codes';
import { cliActor } from '../library-io';
import { withStore } from '../with-store';
import { requireItem } from '../../library/versions';

export const casesHelp = `refinery cases harvest <name> [--limit <n>] [--json]
  Samples the runs of a prompt or skill that went wrong since the last harvest (thumbs-down, low ratings,
  corrections, regenerations, format failures, errors) into its review queue: stratified by version and
  failure kind, near-identical inputs folded, inputs reviewed before never offered again. The daily
  calendar review does the same for every prompt in production.
refinery cases review <name>
  Works through the queue interactively (stdin a terminal): accept (the correction, or an expected output
  or assertion you type, becomes the case), reject with a reason, skip.
refinery cases review <name> --list [--all] [--json]
refinery cases review <name> --accept <case-id> [--expected "…" | --assert-json '{"type":"is-json"}']
refinery cases review <name> --reject <case-id> --reason "…"
refinery cases review <name> --skip <case-id>
  Accepted cases are added as a new version of the prompt's dataset (the newest one targeting it, or
  --dataset <name>), tagged source:production. --as <user> names the reviewer.`;

export async function casesCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      accept: { type: 'string' },
      reject: { type: 'string' },
      skip: { type: 'string' },
      expected: { type: 'string' },
      'assert-json': { type: 'string' },
      reason: { type: 'string' },
      dataset: { type: 'string' },
      as: { type: 'string' },
    },
  });
  const [verb, name] = positionals;
  if (verb !== 'harvest' && verb !== 'review')
    throw new CliError(`unknown cases subcommand "${verb ?? ''}": use harvest or review (refinery cases --help)`);
  if (!name) throw new CliError(`usage: refinery cases ${verb} <name>`);
  const reviewer = cliActor(config, values.as).subject;

  if (verb === 'harvest') {
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
      throw new CliError(`--limit must be a whole number ≥ 0, not "${values.limit}"`);
    return withStore(config, async (db) => {
      const r = await harvestCases(db, name, { limit });
      console.log(values.json ? JSON.stringify(r, null, 2) : harvestSummary(r, await countCases(db, name)));
      return EXIT.ok;
    });
  }

  const actions = [values.accept, values.reject, values.skip].filter((a) => a !== undefined);
  if (actions.length > 1) throw new CliError('give one of --accept, --reject or --skip per call');
  if ((values.expected !== undefined || values['assert-json'] !== undefined) && values.accept === undefined)
    throw new CliError('--expected and --assert-json go with --accept <case-id>');
  if (values.reason !== undefined && values.reject === undefined)
    throw new CliError('--reason goes with --reject <case-id>');
  let assertions: unknown;
  if (values['assert-json'] !== undefined) {
    try {
      assertions = JSON.parse(values['assert-json']);
    } catch {
      throw new CliError(`--assert-json is not JSON: give an assertion object, e.g. '{"type":"contains","value":"…"}'`);
    }
  }
  return withStore(config, async (db) => {
    await requireItem(db, name);
    if (values.list) {
      const cases = await listCases(
        db,
        name,
        values.all ? { statuses: ['pending', 'skipped', 'accepted', 'rejected'] } : {},
      );
      if (values.json)
        console.log(JSON.stringify({ cases, tendencies: await tendenciesFor(db, name, cases) }, null, 2));
      else if (cases.length === 0)
        console.log(`the review queue of ${name} is empty: run \`refinery cases harvest ${name}\``);
      else {
        const tendencies = await tendenciesFor(db, name, cases);
        for (const c of cases) console.log(`${formatCase(c, tendencies, 300)}\n`);
      }
      return EXIT.ok;
    }
    if (values.accept !== undefined) {
      const c = await acceptCase(db, name, values.accept, { expected: values.expected, assertions }, reviewer);
      console.log(`accepted ${c.caseId}`);
      await publish(db, name, values.dataset, reviewer);
      return EXIT.ok;
    }
    if (values.reject !== undefined) {
      if (values.reason === undefined)
        throw new CliError('--reject needs --reason "…": the reason is kept with the input');
      const c = await rejectCase(db, name, values.reject, values.reason, reviewer);
      console.log(`rejected ${c.caseId}: its input will not be offered again`);
      return EXIT.ok;
    }
    if (values.skip !== undefined) {
      const c = await skipCase(db, name, values.skip, reviewer);
      console.log(`skipped ${c.caseId}: it stays in the queue`);
      return EXIT.ok;
    }
    if (!process.stdin.isTTY)
      throw new CliError(
        'stdin is not a terminal: use --list, --accept <id>, --reject <id> --reason "…" or --skip <id>',
      );
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      await reviewInteractively(db, name, { ask: (q) => rl.question(q), say: (t) => console.log(t), reviewer });
    } finally {
      rl.close();
    }
    await publish(db, name, values.dataset, reviewer);
    return EXIT.ok;
  });
}

async function publish(db: Db, name: string, dataset: string | undefined, author: string): Promise<void> {
  const p = await publishAccepted(db, name, { dataset, author });
  if (p)
    console.log(
      p.dataset.created
        ? `dataset ${p.dataset.name}@${p.dataset.version}: ${p.dataset.caseCount} cases (${p.added} from production)`
        : `dataset ${p.dataset.name}: unchanged — the cases are version ${p.dataset.version}`,
    );
}

function harvestSummary(r: HarvestResult, open: Record<string, number>): string {
  const lines = [
    `harvested ${r.name}${r.firstHarvest ? ' (first harvest: the last 7 days)' : ''}: ${r.queued} new case(s) queued`,
    `  read ${r.runsRead} failed run(s), ${r.feedbackRead} feedback row(s); ${r.candidates} distinct, ${r.duplicates} near-identical folded, ${r.alreadyReviewed} reviewed before, ${r.merged} open case(s) updated`,
  ];
  for (const s of r.strata) lines.push(`  v${s.version} ${s.kind}: ${s.sampled} of ${s.seen} sampled`);
  lines.push(`  queue: ${open.pending} pending, ${open.skipped} skipped — \`refinery cases review ${r.name}\``);
  return lines.join('\n');
}
