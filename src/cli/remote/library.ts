import { parseArgs } from 'node:util';
import { diffFiles } from '../../activities/tune/write-back';
import type { LibraryContent } from '../../library/content';
import type { Config } from '../../config';
import { postWebhook } from '../../webhook';
import { parseDuration } from '../duration';
import { CliError, EXIT } from '../exit-codes';
import { contentAsFiles, pulledTree, readPushable, writePulled } from '../library-io';
import { apiBytes, apiCall, refuseTypedIdentity, seg, type Remote } from './api-client';
import { PUSH_OPTIONS, ROLLBACK_OPTIONS, versionArg } from '../command-options';

/*
 * The library commands in remote mode: the same arguments and output as the local ones
 * (src/cli/commands/library.ts), sent through the HTTP API so the token's subject is the actor.
 */

interface VersionView {
  version: number;
  hash: string;
  createdAt: string;
  author: string;
  rationale: string;
  link: string;
}

async function exists(remote: Remote, name: string): Promise<boolean> {
  try {
    await apiCall(remote, 'GET', `/v1/library/${seg(name)}`);
    return true;
  } catch (err) {
    if (err instanceof CliError && / 404 /.test(err.message)) return false;
    throw err;
  }
}

export async function remotePush(remote: Remote, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: PUSH_OPTIONS,
  });
  refuseTypedIdentity('--as', values.as);
  if (!positionals[0]) throw new CliError('name what to push: refinery push <dir|file> --why "…"');
  if (!values.why?.trim()) throw new CliError('--why is required: every version records why it changed');
  const { name, content, blobs, warnings, description } = readPushable(positionals[0], values.name);
  for (const w of warnings) console.error(`warning: ${w}`);
  if (!(await exists(remote, name))) {
    // A new item: created with its metadata first (the owner role; the owner defaults to the token's subject).
    await apiCall(remote, 'POST', '/v1/library', {
      name,
      kind: content.type === 'skill' ? 'skill' : 'prompt',
      owner: values.owner,
      tags: values.tags
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      description: values.description ?? description,
    });
  }
  // The bytes of binary files first: the API refuses a version naming a blob it does not hold.
  for (const [hash, bytes] of blobs) await apiCall(remote, 'PUT', `/v1/library/${seg(name)}/blobs/${hash}`, bytes);
  const v = await apiCall<VersionView & { unchanged: boolean }>(remote, 'POST', `/v1/library/${seg(name)}/versions`, {
    content,
    rationale: values.why,
  });
  if (!v.unchanged) console.log(`${name}: created version ${v.version} (${v.hash.slice(0, 12)})  ${v.link}`);
  else console.log(`${name}: unchanged — the content is version ${v.version}  ${v.link}`);
  return EXIT.ok;
}

async function labelsOf(remote: Remote, name: string): Promise<Record<string, number>> {
  return (await apiCall<{ labels: Record<string, number> }>(remote, 'GET', `/v1/library/${seg(name)}`)).labels;
}

async function contentOf(remote: Remote, name: string, version: number) {
  return apiCall<{ content: LibraryContent; link: string }>(
    remote,
    'GET',
    `/v1/library/${seg(name)}/versions/${version}`,
  );
}

export async function remotePull(remote: Remote, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { label: { type: 'string' }, version: { type: 'string' } },
  });
  const [name, dir] = positionals;
  if (!name || !dir) throw new CliError('usage: refinery pull <name> [--label L | --version N] <dir>');
  if (values.label && values.version) throw new CliError('give --label or --version, not both');
  let version: number;
  if (values.version) version = versionArg(values.version, '--version');
  else {
    const labels = await labelsOf(remote, name);
    const at = labels[values.label ?? 'production'] ?? (values.label ? undefined : labels.latest);
    if (at === undefined) throw new CliError(`${name} has no label "${values.label}": see refinery labels ${name}`);
    version = at;
  }
  const v = await contentOf(remote, name, version);
  const files = await pulledTree(v.content, name, (blob) =>
    apiBytes(remote, `/v1/library/${seg(name)}/versions/${version}/blobs/${blob}`),
  );
  writePulled(dir, files);
  console.log(`${name}: version ${version} written to ${dir} (${files.size} files)  ${v.link}`);
  return EXIT.ok;
}

export async function remoteLog(remote: Remote, argv: string[]): Promise<number> {
  const [name] = parseArgs({ args: argv, allowPositionals: true, options: {} }).positionals;
  if (!name) throw new CliError('usage: refinery log <name>');
  const item = await apiCall<{
    kind: string;
    owner: string;
    tags: string[];
    labels: Record<string, number>;
    versions: VersionView[];
  }>(remote, 'GET', `/v1/library/${seg(name)}`);
  console.log(`${name} (${item.kind}, owner ${item.owner}${item.tags.length ? `, tags ${item.tags.join(', ')}` : ''})`);
  for (const v of [...item.versions].reverse()) {
    const at = Object.entries(item.labels)
      .filter(([, n]) => n === v.version)
      .map(([l]) => l);
    console.log(
      `v${v.version}  ${v.hash.slice(0, 12)}  ${v.createdAt}  ${v.author}${at.length ? `  [${at.join(', ')}]` : ''}\n    ${v.rationale}\n    ${v.link}`,
    );
  }
  return EXIT.ok;
}

export async function remoteDiff(remote: Remote, argv: string[]): Promise<number> {
  const [name, a, b] = parseArgs({ args: argv, allowPositionals: true, options: {} }).positionals;
  if (!name || !a || !b) throw new CliError('usage: refinery diff <name> <a> <b>');
  const va = versionArg(a, 'a');
  const vb = versionArg(b, 'b');
  const from = contentAsFiles((await contentOf(remote, name, va)).content, name);
  const to = contentAsFiles((await contentOf(remote, name, vb)).content, name);
  process.stdout.write(diffFiles(from, to) || `versions ${va} and ${vb} of ${name} are identical\n`);
  return EXIT.ok;
}

export async function remoteLabels(remote: Remote, argv: string[]): Promise<number> {
  const [name] = parseArgs({ args: argv, allowPositionals: true, options: {} }).positionals;
  if (!name) throw new CliError('usage: refinery labels <name>');
  const { labels, history } = await apiCall<{
    labels: Record<string, number>;
    history: {
      movedAt: string;
      label: string;
      fromVersion: number | null;
      toVersion: number;
      actor: string;
      reason: string;
    }[];
  }>(remote, 'GET', `/v1/library/${seg(name)}/labels`);
  for (const [label, v] of Object.entries(labels)) console.log(`${label.padEnd(12)} v${v}`);
  if (history.length) console.log('\nhistory:');
  for (const m of history)
    console.log(
      `  ${m.movedAt}  ${m.label}: ${m.fromVersion === null ? '—' : `v${m.fromVersion}`} → v${m.toVersion}  by ${m.actor}: ${m.reason}`,
    );
  return EXIT.ok;
}

export async function remoteLabel(remote: Remote, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { why: { type: 'string' }, as: { type: 'string' } },
  });
  refuseTypedIdentity('--as', values.as);
  const [name, label, version] = positionals;
  if (!name || !label || !version) throw new CliError('usage: refinery label <name> <label> <version> --why "…"');
  if (!values.why?.trim()) throw new CliError('--why is required: every label move is audited');
  const m = await apiCall<{ fromVersion: number | null; toVersion: number; actor: string; link: string }>(
    remote,
    'PUT',
    `/v1/library/${seg(name)}/labels/${seg(label)}`,
    { version: versionArg(version, 'version'), reason: values.why },
  );
  console.log(
    `${name}: ${label} ${m.fromVersion === null ? '—' : `v${m.fromVersion}`} → v${m.toVersion} by ${m.actor}  ${m.link}`,
  );
  return EXIT.ok;
}

export async function remoteRollback(remote: Remote, argv: string[], config: Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: ROLLBACK_OPTIONS,
  });
  refuseTypedIdentity('--as', values.as);
  const [name] = positionals;
  if (!name) throw new CliError('usage: refinery rollback <name> [--to N] --why "…" [--emergency [--window 24h]]');
  if (!values.why?.trim()) throw new CliError('--why is required: a rollback is audited');
  if (values.emergency) {
    let windowMs: number;
    try {
      windowMs = parseDuration(values.window ?? '24h', '--window');
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const done = await apiCall<{
      stoppedRollout?: string;
      productionRestored?: { from: number; to: number };
    }>(remote, 'POST', `/v1/library/${seg(name)}/emergency-rollback`, { reason: values.why, windowMs });
    // As in local mode, the person who pulled the cord tells the channel (the API itself does not).
    if (config.webhook)
      await postWebhook(
        config.webhook,
        { text: `Refinery emergency rollback of ${name} through the API: ${values.why}` },
        5000,
      ).catch(() => undefined);
    console.log(`${name}: emergency rollback through the API`);
    console.log(`  split: ${done.stoppedRollout ? `${done.stoppedRollout} set to 0%` : 'no running split'}`);
    console.log(
      `  production: ${done.productionRestored ? `v${done.productionRestored.from} → v${done.productionRestored.to}` : 'unchanged (not promoted by a rollout within the window)'}`,
    );
    console.log('  a running rollout workflow stops at its next look');
    return EXIT.ok;
  }
  const m = await apiCall<{ fromVersion: number; toVersion: number; link: string }>(
    remote,
    'POST',
    `/v1/library/${seg(name)}/rollback`,
    { to: values.to === undefined ? undefined : versionArg(values.to, '--to'), reason: values.why },
  );
  console.log(`${name}: production rolled back v${m.fromVersion} → v${m.toVersion}  ${m.link}`);
  return EXIT.ok;
}
