/** Refusal of a skill folder or edit: the message names the problem and the fix. */
export class SkillError extends Error {
  override readonly name = 'SkillError';
}
