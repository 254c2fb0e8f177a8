import { parseArgs } from 'node:util';
import {
  listPostRunEvals,
  postRunEvalSchema,
  recordPostRunEval,
  subjectExists,
  subjectHint,
} from '../../calendar/shared/post-run-eval-store';
import type { Config } from '../../config';
import { CliError, EXIT } from '../exit-codes';
import { withStore } from '../with-store';
import { cliActor } from '../library-io';

export const reviewHelp = `refinery review tune|rollout <id> --effective yes|no --better "…" [--by <user>]
refinery review list [--kind tune|rollout] [--subject <id>] [--json]
  A post-run eval: after a tune (its workflow id) or a rollout (its rollout id), record whether it was
  effective and what would have made it better. Weekly and monthly reports count them.`;

const YES = ['yes', 'y', 'true'];
const NO = ['no', 'n', 'false'];

export async function reviewCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      effective: { type: 'string' },
      better: { type: 'string' },
      by: { type: 'string' },
      kind: { type: 'string' },
      subject: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [sub, id] = positionals;
  if (sub === 'list') {
    if (values.kind !== undefined && values.kind !== 'tune' && values.kind !== 'rollout')
      throw new CliError(`--kind must be "tune" or "rollout", not "${values.kind}"`);
    const kind = values.kind;
    return withStore(config, async (db) => {
      const evals = await listPostRunEvals(db, { kind, subject: values.subject });
      if (values.json) console.log(JSON.stringify(evals, null, 2));
      else if (evals.length === 0) console.log('no post-run evals');
      else
        for (const e of evals)
          console.log(
            `${e.createdAt.slice(0, 16)}  ${e.kind} ${e.subject}  ${e.effective ? 'effective' : 'not effective'}  by ${e.author}: ${e.better}`,
          );
      return EXIT.ok;
    });
  }
  if (sub !== 'tune' && sub !== 'rollout')
    throw new CliError(`unknown review subcommand "${sub ?? ''}": use tune, rollout or list (refinery review --help)`);
  if (!id) throw new CliError(`usage: refinery review ${sub} <id> --effective yes|no --better "…"`);
  const eff = values.effective?.toLowerCase();
  if (eff === undefined || (!YES.includes(eff) && !NO.includes(eff)))
    throw new CliError('--effective must be yes or no: was the run effective?');
  const parsed = postRunEvalSchema.safeParse({
    kind: sub,
    subject: id,
    effective: YES.includes(eff),
    better: values.better ?? '',
  });
  if (!parsed.success) throw new CliError(parsed.error.issues[0]!.message);
  return withStore(config, async (db) => {
    if (!(await subjectExists(db, parsed.data.kind, parsed.data.subject)))
      throw new CliError(`no ${sub} run "${id}"; ${subjectHint(parsed.data.kind)}`);
    const e = await recordPostRunEval(db, parsed.data, cliActor(config, values.by).subject);
    console.log(
      `recorded post-run eval ${e.id} of ${e.kind} ${e.subject} (${e.effective ? 'effective' : 'not effective'})`,
    );
    return EXIT.ok;
  });
}
