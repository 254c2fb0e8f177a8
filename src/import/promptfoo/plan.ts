import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { LibraryContent } from '../../library/content';
import { nameProblem } from '../../library/versions';
import type { EvalCase } from '../../eval/types';
import { ConfigFiles, ImportError } from './file-refs';
import { readPrompts, type SourcePrompt } from './config-prompts';
import { modelFor, providerList, providerName } from './providers';
import { buildCases, readDefaultTest, readTests } from './tests';
import type { Unsupported } from './unsupported';

export interface PlannedPrompt {
  name: string;
  /** Which rule named it: "--name", "label" (promptfoo's label or id), "file" or "position". */
  namedBy: '--name' | 'label' | 'file' | 'position';
  position: number;
  source: string;
  content: LibraryContent;
}

/** Everything the import would write, validated, and what it leaves out. Nothing is written to make one. */
export interface ImportPlan {
  config: string;
  description?: string;
  prompts: PlannedPrompt[];
  dataset: { name: string; cases: EvalCase[]; scripts: string[]; target?: string };
  /** `--model` values for the config's providers, where Refinery has the provider. */
  models: string[];
  unsupported: Unsupported[];
  notes: string[];
}

export interface PlanOptions {
  /** The library name of a single prompt, or the prefix of several. */
  name?: string;
  dataset?: string;
  /** The folder tree files may be read from; default: the config's folder. */
  root?: string;
}

// Config keys that change what promptfoo runs or how it scores: without them the import would not mean the same.
const UNSUPPORTED_CONFIG = ['scenarios', 'redteam', 'extensions', 'nunjucksFilters', 'derivedMetrics'];

/** A library name from free text: lowercase, other characters as "-", at most 100. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 100)
    .replace(/[-.]+$/, '');
}

function baseName(p: SourcePrompt): { name: string; namedBy: PlannedPrompt['namedBy'] } {
  if (p.label && slug(p.label)) return { name: slug(p.label), namedBy: 'label' };
  if (p.fileName && slug(p.fileName)) return { name: slug(p.fileName), namedBy: 'file' };
  return { name: `prompt-${p.position}`, namedBy: 'position' };
}

/**
 * Names the prompts. The rule: promptfoo's `label` (or an `id` that is not a file path), else the file's base
 * name, else `prompt-<position>`, made a valid library name. `--name N` names a single prompt N, and prefixes
 * several: `N-<name by the rule>`.
 */
export function namePrompts(prompts: SourcePrompt[], name: string | undefined): PlannedPrompt[] {
  const named = prompts.map((p): PlannedPrompt => {
    if (name !== undefined && prompts.length === 1)
      return { name, namedBy: '--name', position: p.position, source: p.source, content: p.content };
    const b = baseName(p);
    return {
      ...b,
      name: name !== undefined ? `${name}-${b.name}`.slice(0, 100) : b.name,
      position: p.position,
      source: p.source,
      content: p.content,
    };
  });
  const seen = new Map<string, number>();
  for (const p of named) {
    const problem = nameProblem(p.name);
    if (problem) throw new ImportError(`prompt ${p.position}: ${problem}; give it a label or use --name`);
    const first = seen.get(p.name);
    if (first !== undefined)
      throw new ImportError(
        `prompts ${first} and ${p.position} would both be named "${p.name}"; give them distinct labels`,
      );
    seen.set(p.name, p.position);
  }
  return named;
}

function datasetName(configPath: string, explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const base = path.basename(configPath).replace(/\.[^.]+$/, '');
  // The conventional file name says nothing: its folder names the suite.
  const fromFile = /^promptfooconfig$/i.test(base) ? path.basename(path.dirname(path.resolve(configPath))) : base;
  return slug(fromFile) || 'promptfoo-tests';
}

/** Reads and validates a promptfoo config and every file it names; throws ImportError on the first problem. */
export function planImport(configPath: string, opts: PlanOptions = {}): ImportPlan {
  const abs = path.resolve(configPath);
  if (!fs.existsSync(abs)) throw new ImportError(`${configPath} does not exist`);
  const baseDir = path.dirname(abs);
  const root = path.resolve(opts.root ?? baseDir);
  if (!fs.existsSync(root)) throw new ImportError(`--root ${opts.root}: no such folder`);
  const files = new ConfigFiles(baseDir, root);
  const configName = path.basename(abs);
  let config: unknown;
  try {
    config = parseYaml(files.text(abs, 'config'));
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError(`${configName}: not valid YAML or JSON: ${(err as Error).message}`);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config))
    throw new ImportError(`${configName}: expected a mapping with prompts and tests`);
  const c = config as Record<string, unknown>;

  const unsupported: Unsupported[] = UNSUPPORTED_CONFIG.filter((k) => c[k] !== undefined).map((k) => ({
    at: 'config',
    what: `config field "${k}"`,
  }));
  const read = readPrompts(c.prompts, files);
  unsupported.push(...read.unsupported);
  if (read.prompts.length === 0) throw new ImportError('no prompt can be imported (see the unsupported list)');
  const prompts = namePrompts(read.prompts, opts.name);

  const built = buildCases(readTests(c.tests, files, configName), readDefaultTest(c.defaultTest, files), files);
  unsupported.push(...built.unsupported);
  const name = datasetName(configPath, opts.dataset);
  const problem = nameProblem(name);
  if (problem) throw new ImportError(`dataset ${problem}; choose one with --dataset`);

  const notes = [...built.notes];
  const providers = providerList(c.providers);
  const models: string[] = [];
  for (const p of providers) {
    const m = modelFor(p);
    if (m) models.push(m);
    else notes.push(`provider ${providerName(p)} has no Refinery equivalent: choose --model when you evaluate`);
  }
  const types = new Set(built.cases.flatMap((k) => k.assertions.map((a) => (a as { type: string }).type)));
  if (types.has('equals') || types.has('starts-with'))
    notes.push(
      'in Refinery equals ignores surrounding whitespace and starts-with leading whitespace (promptfoo compares exactly)',
    );
  const description = typeof c.description === 'string' ? c.description : undefined;
  return {
    config: abs,
    description,
    prompts,
    dataset: {
      name,
      cases: built.cases,
      scripts: built.scripts,
      // One prompt: `refinery eval <prompt>` then finds the dataset without --dataset.
      target: prompts.length === 1 ? prompts[0]!.name : undefined,
    },
    models: [...new Set(models)],
    unsupported,
    notes,
  };
}
