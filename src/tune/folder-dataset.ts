import type { EvalCase } from '../eval/types';
import type { GoldenCase } from './golden';

/**
 * The folder form (`refinery tune <skill-dir> --scenario … [--golden …]`) as a dataset for the optimizer: the
 * scenario is graded by the judge (the five standard dimensions, as the tune loop's judge graded it), each golden
 * case by its assertions (and `expected`, which the eval engine checks as `contains`).
 */

/**
 * The optimizer accepts a child only when a paired test over cases says it beats its parent (one-sided, p < alpha).
 * Over n cases the smallest p-value a sign-flip test can reach is 1/2^n: below 5 cases no child could ever be
 * accepted at alpha 0.05. So a scenario with fewer than 4 golden cases beside it is drawn as several cases (the same
 * task, each draw its own answers), enough to make 5; with under 12 cases the run still says "no held-out evidence"
 * and takes repeated samples of each.
 */
export const MIN_FOLDER_CASES = 5;

/** The dataset a skill folder is tuned on: one per skill name, a new version when the scenario or cases change. */
export const folderDatasetName = (skill: string) => `${skill}-scenario`;

/** A rubric with no text: the judge grades the standard dimensions. */
const RUBRIC = { type: 'rubric' } as const;

/** The scenario (drawn as often as MIN_FOLDER_CASES needs) and the golden cases, as dataset cases. */
export function folderCases(scenario: string, golden: readonly GoldenCase[] = []): EvalCase[] {
  const draws = Math.max(1, MIN_FOLDER_CASES - golden.length);
  // `draw` is not shown to the model (a skill sees only `input`), but it keys the response cache and the stored
  // results, so each draw is its own answer rather than one answer counted several times.
  const scenarioCases: EvalCase[] = Array.from({ length: draws }, (_, i): EvalCase => {
    const vars: EvalCase['vars'] = { input: scenario };
    if (draws > 1) vars.draw = i + 1;
    return {
      id: draws === 1 ? 'scenario' : `scenario-${i + 1}`,
      vars,
      input: scenario,
      assertions: [RUBRIC],
      tags: ['scenario'],
      required: false,
    };
  });
  const goldenCases: EvalCase[] = golden.map((g, i) => ({
    id: `golden-${i + 1}`,
    vars: { input: g.input },
    input: g.input,
    ...(g.expected !== undefined ? { expected: g.expected } : {}),
    // A golden case with nothing to check is graded by the judge, or it would pass whatever the skill did.
    assertions: g.assertions.length > 0 || g.expected !== undefined ? [...g.assertions] : [RUBRIC],
    tags: ['golden'],
    required: false,
  }));
  return [...scenarioCases, ...goldenCases];
}

/** What one skill of a chain produced for one case, handed to the skills after it. */
export interface UpstreamArtifact {
  skill: string;
  artifact: string;
}

/** A chain step's input: the artifacts of the skills before it (as the tune loop gave them), then the task. */
export function chainInput(task: string, upstream: readonly UpstreamArtifact[]): string {
  if (upstream.length === 0) return task;
  const artifacts = upstream.map((u) => `<artifact from="${u.skill}">\n${u.artifact}\n</artifact>`).join('\n');
  return `Artifacts from the previous skills of the chain, your input:\n${artifacts}\n\n<task>\n${task}\n</task>`;
}

/**
 * One step of a chain: the folder's cases with the artifacts of the skills before it in their input. The golden
 * assertions judge what the chain delivers, so they stay on the last skill only; the skills before it are graded
 * by the judge on every case.
 */
export function chainStepCases(
  base: readonly EvalCase[],
  upstream: Readonly<Record<string, readonly UpstreamArtifact[]>>,
  last: boolean,
): EvalCase[] {
  return base.map((c) => {
    const input = chainInput(String(c.input ?? c.vars.input ?? ''), upstream[c.id] ?? []);
    const { expected: _expected, ...rest } = c;
    return {
      ...(last ? c : rest),
      vars: { ...c.vars, input },
      input,
      assertions: last ? c.assertions : [RUBRIC],
    };
  });
}
