import { parseArgs } from 'node:util';
import { diffFiles } from '../../activities/tune/write-back';
import type { Config } from '../../config';
import { getLabels, labelHistory, moveLabel, resolveLabel, rollbackProduction } from '../../library/label-store';
import { versionLink } from '../../library/links';
import { getContent, listVersions, recordVersion, requireItem, requireVersion } from '../../library/versions';
import { connectClient } from '../../client';
import { emergencyRollback } from '../../rollout/emergency';
import { parseDuration } from '../duration';
import { postWebhook } from '../../webhook';
import { CliError, EXIT } from '../exit-codes';
import { withStore } from '../with-store';
import { rolloutWorkflowId } from './rollout';
import { cliActor, contentAsFiles, pulledTree, readPushable, writePulled } from '../library-io';
import { getFileBlob, putFileBlob } from '../../store/file-blobs';
import { PUSH_OPTIONS, ROLLBACK_OPTIONS, versionArg } from '../command-options';

export const libraryHelp = `refinery push <dir|file> [--name N] --why "…" [--owner O] [--tags a,b] [--description "…"] [--as user]
  Adds a version when the content changed ("unchanged" otherwise). A folder is a skill, named by the "name" of
  its SKILL.md front matter (--name overrides it, with a warning); its binary files and executable bits are
  kept exactly. A .json file is a chat prompt; any other file a text prompt with {{variables}}.
refinery pull <name> [--label L | --version N] <dir>   writes a version into <dir> (must be empty or new)
refinery log <name>                                    versions, authors, rationales, labels, links
refinery diff <name> <a> <b>                           unified diff between versions a and b
refinery labels <name>                                 labels and their move history (who, when, from, to, why)
refinery label <name> <label> <version> --why "…"      moves a label (production: the owner or an admin)
refinery rollback <name> [--to N] --why "…"            production back to the previous (or given) version
refinery rollback <name> --emergency --why "…" [--window 24h]   stops a running rollout (split to 0%) and undoes a
                                                       promotion made by a rollout within the window`;

const link = (config: Config, name: string, version: number) => versionLink(config.api.publicUrl, name, version);

export async function pushCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: PUSH_OPTIONS,
  });
  if (!positionals[0]) throw new CliError('name what to push: refinery push <dir|file> --why "…"');
  if (!values.why?.trim()) throw new CliError('--why is required: every version records why it changed');
  const { name, content, blobs, warnings, description } = readPushable(positionals[0], values.name);
  for (const w of warnings) console.error(`warning: ${w}`);
  const actor = cliActor(config, values.as);
  return withStore(config, async (db) => {
    // The bytes first: a version never names a blob the store lacks.
    for (const bytes of blobs.values()) await putFileBlob(db, bytes);
    const v = await recordVersion(db, name, content, {
      rationale: values.why!,
      author: actor.subject,
      item: {
        owner: values.owner ?? actor.subject,
        tags: values.tags
          ?.split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        description: values.description ?? description,
      },
    });
    if (v.created)
      console.log(`${name}: created version ${v.version} (${v.hash.slice(0, 12)})  ${link(config, name, v.version)}`);
    else console.log(`${name}: unchanged — the content is version ${v.version}  ${link(config, name, v.version)}`);
    return EXIT.ok;
  });
}

export async function pullCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { label: { type: 'string' }, version: { type: 'string' } },
  });
  const [name, dir] = positionals;
  if (!name || !dir) throw new CliError('usage: refinery pull <name> [--label L | --version N] <dir>');
  if (values.label && values.version) throw new CliError('give --label or --version, not both');
  return withStore(config, async (db) => {
    await requireItem(db, name);
    const version = values.version
      ? versionArg(values.version, '--version')
      : await resolveLabel(db, name, values.label ?? 'production').catch(async (err) => {
          if (values.label) throw err;
          return resolveLabel(db, name, 'latest');
        });
    await requireVersion(db, name, version);
    const files = await pulledTree(await getContent(db, name, { version }), name, (blob) => getFileBlob(db, blob));
    writePulled(dir, files);
    console.log(`${name}: version ${version} written to ${dir} (${files.size} files)  ${link(config, name, version)}`);
    return EXIT.ok;
  });
}

export async function logCommand(config: Config, argv: string[]): Promise<number> {
  const [name] = parseArgs({ args: argv, allowPositionals: true, options: {} }).positionals;
  if (!name) throw new CliError('usage: refinery log <name>');
  return withStore(config, async (db) => {
    const item = await requireItem(db, name);
    const labels = await getLabels(db, name);
    console.log(
      `${name} (${item.kind}, owner ${item.owner}${item.tags.length ? `, tags ${item.tags.join(', ')}` : ''})`,
    );
    for (const v of (await listVersions(db, name)).reverse()) {
      const at = Object.entries(labels)
        .filter(([, n]) => n === v.version)
        .map(([l]) => l);
      console.log(
        `v${v.version}  ${v.hash.slice(0, 12)}  ${v.createdAt}  ${v.author}${at.length ? `  [${at.join(', ')}]` : ''}\n    ${v.rationale}\n    ${link(config, name, v.version)}`,
      );
    }
    return EXIT.ok;
  });
}

export async function diffCommand(config: Config, argv: string[]): Promise<number> {
  const [name, a, b] = parseArgs({ args: argv, allowPositionals: true, options: {} }).positionals;
  if (!name || !a || !b) throw new CliError('usage: refinery diff <name> <a> <b>');
  return withStore(config, async (db) => {
    const va = versionArg(a, 'a');
    const vb = versionArg(b, 'b');
    await requireVersion(db, name, va);
    await requireVersion(db, name, vb);
    const from = contentAsFiles(await getContent(db, name, { version: va }), name);
    const to = contentAsFiles(await getContent(db, name, { version: vb }), name);
    const diff = diffFiles(from, to);
    process.stdout.write(diff || `versions ${va} and ${vb} of ${name} are identical\n`);
    return EXIT.ok;
  });
}

export async function labelsCommand(config: Config, argv: string[]): Promise<number> {
  const [name] = parseArgs({ args: argv, allowPositionals: true, options: {} }).positionals;
  if (!name) throw new CliError('usage: refinery labels <name>');
  return withStore(config, async (db) => {
    await requireItem(db, name);
    for (const [label, v] of Object.entries(await getLabels(db, name)))
      console.log(`${label.padEnd(12)} v${v}  ${link(config, name, v)}`);
    const history = await labelHistory(db, name);
    if (history.length) console.log('\nhistory:');
    for (const m of history)
      console.log(
        `  ${m.movedAt}  ${m.label}: ${m.fromVersion === null ? '—' : `v${m.fromVersion}`} → v${m.toVersion}  by ${m.actor}: ${m.reason}`,
      );
    return EXIT.ok;
  });
}

export async function labelCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { why: { type: 'string' }, as: { type: 'string' } },
  });
  const [name, label, version] = positionals;
  if (!name || !label || !version) throw new CliError('usage: refinery label <name> <label> <version> --why "…"');
  if (!values.why?.trim()) throw new CliError('--why is required: every label move is audited');
  return withStore(config, async (db) => {
    const m = await moveLabel(db, {
      name,
      label,
      version: versionArg(version, 'version'),
      actor: cliActor(config, values.as),
      reason: values.why!,
    });
    console.log(
      `${name}: ${label} ${m.fromVersion === null ? '—' : `v${m.fromVersion}`} → v${m.toVersion}  ${link(config, name, m.toVersion)}`,
    );
    return EXIT.ok;
  });
}

export async function rollbackCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: ROLLBACK_OPTIONS,
  });
  const [name] = positionals;
  if (!name) throw new CliError('usage: refinery rollback <name> [--to N] --why "…" [--emergency [--window 24h]]');
  if (!values.why?.trim()) throw new CliError('--why is required: a rollback is audited');
  if (values.emergency) return emergencyCommand(config, name, values.why, values.window ?? '24h', values.as);
  return withStore(config, async (db) => {
    const m = await rollbackProduction(db, {
      name,
      to: values.to === undefined ? undefined : versionArg(values.to, '--to'),
      actor: cliActor(config, values.as),
      reason: values.why!,
    });
    console.log(
      `${name}: production rolled back v${m.fromVersion} → v${m.toVersion}  ${link(config, name, m.toVersion)}`,
    );
    return EXIT.ok;
  });
}

/**
 * Emergency rollback in one call: the store is changed first (split to 0 %, production back if a
 * rollout promoted it within the window), so resolvers see it within a second even with no worker up;
 * then the running rollout workflow is told to stop, and the webhook is notified.
 */
async function emergencyCommand(
  config: Config,
  name: string,
  why: string,
  window: string,
  as?: string,
): Promise<number> {
  let windowMs: number;
  try {
    windowMs = parseDuration(window, '--window');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const actor = cliActor(config, as);
  const done = await withStore(config, async (db) => {
    await requireItem(db, name);
    return emergencyRollback(db, { name, actor, reason: why, windowMs });
  });
  let workflow = 'no rollout workflow was running';
  try {
    const { client, close } = await connectClient(config);
    try {
      await client.workflow
        .getHandle(rolloutWorkflowId(name))
        .signal('control', { action: 'emergency-rollback', by: actor.subject, reason: why });
      workflow = `rollout workflow ${rolloutWorkflowId(name)} told to stop`;
    } catch {
      // not running: nothing to stop
    } finally {
      await close();
    }
  } catch {
    workflow = 'Temporal was not reachable; the store change above already took effect';
  }
  if (config.webhook) {
    await postWebhook(
      config.webhook,
      { text: `Refinery emergency rollback of ${name} by ${actor.subject}: ${why}` },
      5000,
    ).catch(() => undefined);
  }
  console.log(`${name}: emergency rollback by ${actor.subject}`);
  console.log(`  split: ${done.stoppedRollout ? `${done.stoppedRollout} set to 0%` : 'no running split'}`);
  console.log(
    `  production: ${done.productionRestored ? `v${done.productionRestored.from} → v${done.productionRestored.to}` : 'unchanged (not promoted by a rollout within the window)'}`,
  );
  console.log(`  ${workflow}`);
  return EXIT.ok;
}
