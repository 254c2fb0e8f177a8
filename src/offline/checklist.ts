import type { SkillFiles } from '../skills/limits';
import type { Dimension } from '../tune/types';

/**
 * The offline judge's rubric: plain structural checks of SKILL.md. A simulation, not a model: it
 * makes the loop's mechanics visible (scores rise as the improver fills gaps), nothing more.
 */
export interface Check {
  id: string;
  dimension: Dimension;
  /** Weakness category reported when the check fails. */
  category: string;
  suggestion: string;
  passes(skillMd: string, files: SkillFiles): boolean;
  /** The section the offline improver adds to satisfy the check. */
  fix: string;
}

const hasSection = (md: string, names: string[]) => names.some((n) => new RegExp(`^#{2,3}\\s+${n}\\b`, 'im').test(md));

export const CHECKS: Check[] = [
  {
    id: 'purpose',
    dimension: 'clarity',
    category: 'unclear-purpose',
    suggestion: 'Open with a one-paragraph statement of what the skill is for and when to use it.',
    passes: (md) => /^#\s+\S.*\n+[^#\n].{40,}/m.test(md),
    fix: '# Purpose\n\nUse this skill when the scenario calls for it; it turns the given input into the deliverable described below.',
  },
  {
    id: 'inputs',
    dimension: 'completeness',
    category: 'missing-inputs',
    suggestion: 'Add an "Inputs" section listing what the skill needs before it starts.',
    passes: (md) => hasSection(md, ['Inputs?']),
    fix: '## Inputs\n\n- The scenario text, as given.\n- Any artifacts from earlier steps, if present.',
  },
  {
    id: 'steps',
    dimension: 'completeness',
    category: 'missing-steps',
    suggestion: 'Add a numbered "Steps" section so the executor follows a fixed order.',
    passes: (md) => hasSection(md, ['Steps', 'Procedure', 'Process']),
    fix: '## Steps\n\n1. Read the inputs.\n2. Draft the deliverable.\n3. Check it against the output format.',
  },
  {
    id: 'output',
    dimension: 'completeness',
    category: 'missing-output-format',
    suggestion: 'Add an "Output" section that fixes the deliverable\'s format.',
    passes: (md) => hasSection(md, ['Output', 'Output format', 'Deliverable']),
    fix: '## Output\n\nA Markdown document with a title, a short summary, and one bullet per item.',
  },
  {
    id: 'examples',
    dimension: 'correctness',
    category: 'missing-examples',
    suggestion: 'Add an "Examples" section with one worked input and its expected output.',
    passes: (md) => hasSection(md, ['Examples?']),
    fix: '## Examples\n\nInput: a short scenario.\nOutput: the deliverable in the format above, with every item covered.',
  },
  {
    id: 'edge-cases',
    dimension: 'effectiveness',
    category: 'missing-edge-cases',
    suggestion: 'Add an "Edge cases" section saying what to do with empty or contradictory input.',
    passes: (md) => hasSection(md, ['Edge cases', 'Constraints', 'Limits']),
    fix: '## Edge cases\n\n- Empty input: say so and stop.\n- Contradictory input: list the contradiction and ask.',
  },
  {
    id: 'size',
    dimension: 'efficiency',
    category: 'size-out-of-range',
    suggestion: 'Keep SKILL.md between 200 and 8,000 characters.',
    passes: (md) => md.length >= 200 && md.length <= 8000,
    fix: '',
  },
];
