/** One golden case as the eval runs it, whatever file format it came from. */
export interface DatasetCase {
  /** Stable within the dataset: given, or `case-<n>` by position (1-based). */
  id: string;
  /** Template variables; `input` is a common one. */
  vars: Record<string, string | number | boolean>;
  /** Shorthand for a single prompt input; always equal to `vars.input` when both are present. */
  input?: string;
  expected?: string;
  /** Whatever the injected validator returns (the eval's assertion type). */
  assertions: unknown[];
  tags: string[];
  /** A required case failing fails the gate regardless of the pass rate. */
  required: boolean;
}

export type DatasetFormat = 'jsonl' | 'csv' | 'yaml';

/** Validates one case's raw assertions; throws `Error(`${where}: …`)` on a bad one. */
export type AssertionValidator = (raw: unknown, where: string) => unknown[];

export interface ParseDatasetOptions {
  /** Names the file in every error, e.g. its path. */
  source: string;
  validateAssertions?: AssertionValidator;
}

export const DATASET_LIMITS = {
  maxCases: 100_000,
  maxTextBytes: 50 * 1024 * 1024,
  maxFieldBytes: 100 * 1024,
  /** More errors than this are counted, not listed: past 20 the file is usually in the wrong shape altogether. */
  maxProblems: 20,
} as const;
