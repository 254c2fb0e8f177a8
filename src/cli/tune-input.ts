import fs from 'node:fs';
import path from 'node:path';
import { fileAt } from '../skills/files';
import { skillIdentity } from '../skills/identity';
import { loadSkillFolder } from '../skills/load';
import { SkillError } from '../skills/skill-error';
import { parseGoldenJsonl, type GoldenCase } from '../tune/golden';
import { parseModelChoice } from '../tune/model-choice';
import { resolvePreset } from '../tune/presets';
import type { ValidatedTune } from '../clients/tune';
import { parseDuration } from './duration';
import { CliError } from './exit-codes';

export const MAX_SCENARIO_BYTES = 64 * 1024;

export interface TuneFlags {
  scenario?: string;
  golden?: string;
  preset?: string;
  threshold?: string;
  'max-iterations'?: string;
  chain?: boolean;
  execution?: string;
  executor?: string;
  judge?: string;
  improver?: string;
  'dry-run'?: boolean;
  'decision-timeout'?: string;
  output?: string;
}

function intFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`${flag} ${value}: expected a whole number from ${min} to ${max}`);
  return n;
}

/** `--execution agent|inline`: how the executor runs a skill. */
export function executionFlag(value: string): 'agent' | 'inline' {
  if (value === 'agent' || value === 'inline') return value;
  throw new CliError(
    `--execution ${value}: expected agent (the executor reads files with tools) or inline (every file in the prompt)`,
  );
}

/** Validates everything a tune needs before anything is written or started. */
export function validateTuneInput(dirs: string[], flags: TuneFlags, cwd = process.cwd()): ValidatedTune {
  if (dirs.length === 0)
    throw new CliError('name at least one skill folder: refinery tune <skill-dir>… --scenario <text|@file>');
  if (!flags.scenario) throw new CliError('--scenario is required: the task to run the skill on, as text or @file');
  let scenario = flags.scenario;
  if (scenario.startsWith('@')) {
    const file = path.resolve(cwd, scenario.slice(1));
    if (!fs.existsSync(file)) throw new CliError(`--scenario ${flags.scenario}: no such file`);
    scenario = fs.readFileSync(file, 'utf8');
  }
  if (!scenario.trim()) throw new CliError('--scenario is empty: describe the task to run the skill on');
  if (Buffer.byteLength(scenario) > MAX_SCENARIO_BYTES)
    throw new CliError(`--scenario is over ${MAX_SCENARIO_BYTES} bytes: shorten it`);

  let golden: GoldenCase[] | undefined;
  if (flags.golden) {
    const file = path.resolve(cwd, flags.golden);
    if (!fs.existsSync(file)) throw new CliError(`--golden ${flags.golden}: no such file`);
    try {
      golden = parseGoldenJsonl(fs.readFileSync(file, 'utf8'), flags.golden);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }

  const skills = dirs.map((d) => {
    try {
      return loadSkillFolder(path.resolve(cwd, d));
    } catch (err) {
      if (err instanceof SkillError) throw new CliError(err.message);
      throw err;
    }
  });
  const names = skills.map((s) => s.name);
  if (new Set(names).size !== names.length)
    throw new CliError(`two skill folders share a name (${names.join(', ')}): rename one`);

  let preset;
  try {
    preset = resolvePreset(flags.preset, {
      threshold: intFlag(flags.threshold, '--threshold', 0, 101),
      maxIterations: intFlag(flags['max-iterations'], '--max-iterations', 1, 500),
    });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const model = (text: string | undefined, flag: string) => {
    try {
      return parseModelChoice(text ?? 'auto', flag);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  };
  let decisionTimeoutMs = 7 * 86_400_000;
  if (flags['decision-timeout']) {
    try {
      decisionTimeoutMs = parseDuration(flags['decision-timeout'], '--decision-timeout');
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }
  return {
    skills,
    scenario,
    golden,
    settings: {
      ...preset,
      maxConsecutiveErrors: 3,
      chain: Boolean(flags.chain),
      ...(flags.execution === undefined ? {} : { execution: executionFlag(flags.execution) }),
      dryRun: Boolean(flags['dry-run']),
      executor: model(flags.executor, '--executor'),
      judge: model(flags.judge, '--judge'),
      improver: model(flags.improver, '--improver'),
      decisionTimeoutMs,
      outputDir: path.resolve(cwd, flags.output ?? '.'),
    },
  };
}

/**
 * The folder form through the optimizer: as validateTuneInput, and each skill named by its SKILL.md front matter,
 * as `refinery push` names it (the library item the folder is pushed to).
 */
export function validateFolderTune(dirs: string[], flags: TuneFlags, cwd = process.cwd()): ValidatedTune {
  const tune = validateTuneInput(dirs, flags, cwd);
  const skills = tune.skills.map((s, i) => {
    try {
      return { ...s, name: skillIdentity(fileAt(s.files, 'SKILL.md') ?? '', s.name, dirs[i]!).name };
    } catch (err) {
      if (err instanceof SkillError) throw new CliError(err.message);
      throw err;
    }
  });
  const names = skills.map((s) => s.name);
  if (new Set(names).size !== names.length)
    throw new CliError(`two skill folders share a name in their front matter (${names.join(', ')}): rename one`);
  return { ...tune, skills };
}
