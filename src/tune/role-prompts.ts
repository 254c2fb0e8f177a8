import type { SkillFiles } from '../skills/limits';
import { DIMENSIONS } from './types';

/**
 * The three prompts of the loop. Each system prompt opens with a role tag, `[refinery:<role>]`, so a
 * deterministic offline simulation (and fake servers in tests) can tell the roles apart.
 */
export type Role = 'executor' | 'judge' | 'improver';
export const ROLE_TAG = (role: Role) => `[refinery:${role}]`;

export function roleOf(system: string | undefined): Role | undefined {
  const m = /^\[refinery:(executor|judge|improver)\]/.exec(system ?? '');
  return m ? (m[1] as Role) : undefined;
}

export function renderFiles(files: SkillFiles): string {
  return Object.keys(files)
    .sort()
    .map((p) => `<file path="${p}">\n${files[p]}\n</file>`)
    .join('\n');
}

/** Inverse of renderFiles, for the offline simulation. */
export function parseRenderedFiles(text: string): SkillFiles {
  const files: SkillFiles = {};
  for (const m of text.matchAll(/<file path="([^"]+)">\n([\s\S]*?)\n<\/file>/g)) files[m[1]!] = m[2]!;
  return files;
}

export const EXECUTOR_SYSTEM = `${ROLE_TAG('executor')} You carry out a skill exactly as its files instruct, on the given scenario, and return only the deliverable.`;

/** What the executor is asked after the skill: upstream artifacts, the scenario, the instruction (inline and agent alike). */
export function executorTask(p: { scenario: string; upstream?: { skill: string; artifact: string }[] }): string {
  const upstream = (p.upstream ?? []).map((u) => `<artifact from="${u.skill}">\n${u.artifact}\n</artifact>`).join('\n');
  return [
    upstream && `Artifacts from the previous skills of the chain, your input:\n${upstream}`,
    `<scenario>\n${p.scenario}\n</scenario>`,
    'Produce the deliverable the skill describes for this scenario.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** Inline execution: every file of the skill pasted into one prompt. */
export function executorPrompt(p: {
  skill: string;
  files: SkillFiles;
  scenario: string;
  upstream?: { skill: string; artifact: string }[];
}) {
  return {
    system: EXECUTOR_SYSTEM,
    prompt: [`<skill name="${p.skill}">`, renderFiles(p.files), '</skill>', executorTask(p)]
      .filter(Boolean)
      .join('\n\n'),
  };
}

/**
 * The judge's prompt holds the skill, its artifact, the scenario and the golden results, and nothing that
 * tells one iteration from another (no earlier score, no iteration number, no "previous version"): told the
 * earlier scores, a judge anchors on them instead of grading what is in front of it.
 */
export function judgePrompt(p: {
  /** With agent execution, `files` holds SKILL.md and the files the executor read, not the whole folder. */
  skills: { name: string; files: SkillFiles; artifact: string }[];
  scenario: string;
  goldenResults?: string;
}) {
  const skills = p.skills
    .map(
      (s) =>
        `<skill name="${s.name}">\n${renderFiles(s.files)}\n</skill>\n<artifact of="${s.name}">\n${s.artifact}\n</artifact>`,
    )
    .join('\n\n');
  return {
    system:
      `${ROLE_TAG('judge')} You evaluate a skill by the artifact it produced. Answer with JSON only, no prose, of this shape: ` +
      `{"dimensions":{${DIMENSIONS.map((d) => `"${d}":{"score":0-100,"notes":"..."}`).join(',')}},` +
      `"strengths":["..."],"weaknesses":[{"category":"kebab-case-category","description":"...","severity":"low|medium|high","skill":"name"}],` +
      `"suggestions":["..."],"perSkill":[{"skill":"name","score":0-100}]}`,
    prompt: [
      skills,
      `<scenario>\n${p.scenario}\n</scenario>`,
      p.goldenResults && `<golden-case-results>\n${p.goldenResults}\n</golden-case-results>`,
      'Score each dimension 0-100. Categorise every weakness with a short kebab-case category.',
    ]
      .filter(Boolean)
      .join('\n\n'),
  };
}

export function improverPrompt(p: { skill: string; files: SkillFiles; weaknesses: string; suggestions: string[] }) {
  return {
    system:
      `${ROLE_TAG('improver')} You improve a skill's files to fix the weaknesses an evaluation found. Answer with JSON only: ` +
      `{"rationale":"why these edits","edits":[{"path":"relative/path.md","action":"replace|create|delete","content":"full new file content"}]}. ` +
      'Paths are relative to the skill folder; never absolute, never "..".',
    prompt: [
      `<skill name="${p.skill}">\n${renderFiles(p.files)}\n</skill>`,
      `<weaknesses>\n${p.weaknesses}\n</weaknesses>`,
      `<suggestions>\n${p.suggestions.map((s) => `- ${s}`).join('\n')}\n</suggestions>`,
    ].join('\n\n'),
  };
}
