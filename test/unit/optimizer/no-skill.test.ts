import { noSkillContent, renderRequest } from '../../../src/eval/render';
import { contentHash, type LibraryContent } from '../../../src/library/content';

const skill: LibraryContent = {
  type: 'skill',
  files: { 'SKILL.md': '# Summarise\nKeep it to three bullet points.', 'examples/one.md': 'An example.' },
};

describe('the no-skill baseline', () => {
  test('asks exactly what the skill asks, without the <skill> block', () => {
    const vars = { input: 'A long report about quarterly results.' };
    const withSkill = renderRequest(skill, vars);
    const without = renderRequest(noSkillContent(skill), vars);
    expect(withSkill.prompt).toMatch(/^<skill>\n[\s\S]*\n<\/skill>\n\n<input>/);
    expect(without.system).toBe(withSkill.system);
    expect(without.prompt).toBe(withSkill.prompt.replace(/^<skill>\n[\s\S]*\n<\/skill>\n\n/, ''));
    expect(without.prompt).toBe('<input>\nA long report about quarterly results.\n</input>');
  });

  test('is a candidate of its own (another content hash), and only for skills', () => {
    expect(contentHash(noSkillContent(skill))).not.toBe(contentHash(skill));
    expect(() => noSkillContent({ type: 'text', text: 'Hi {{name}}', variables: ['name'] })).toThrow(
      'the no-skill baseline is for skills, and this is a text prompt',
    );
  });
});
