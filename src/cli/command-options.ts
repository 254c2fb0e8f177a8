import type { ParseArgsConfig } from 'node:util';
import { CliError } from './exit-codes';

/**
 * Flags of the commands that run in both local and remote mode: one definition, so the two modes accept
 * exactly the same command line.
 */
export const PUSH_OPTIONS = {
  name: { type: 'string' },
  why: { type: 'string' },
  owner: { type: 'string' },
  tags: { type: 'string' },
  description: { type: 'string' },
  as: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const ROLLBACK_OPTIONS = {
  to: { type: 'string' },
  why: { type: 'string' },
  as: { type: 'string' },
  emergency: { type: 'boolean' },
  window: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const ROLLOUT_OPTIONS = {
  version: { type: 'string' },
  steps: { type: 'string' },
  bake: { type: 'string' },
  interval: { type: 'string' },
  'max-bake-extension': { type: 'string' },
  'no-approval': { type: 'boolean' },
  dataset: { type: 'string' },
  'no-gate': { type: 'boolean' },
  threshold: { type: 'string' },
  'min-samples': { type: 'string' },
  wait: { type: 'boolean' },
  by: { type: 'string' },
  note: { type: 'string' },
  reason: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** A version number from the command line (1, 2, …), or a CliError naming the flag. */
export function versionArg(text: string | undefined, what: string): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < 1)
    throw new CliError(`${what} must be a version number (1, 2, …), got "${text ?? ''}"`);
  return n;
}
