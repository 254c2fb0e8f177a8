import type { LibraryContent } from '../../../src/library/content';
import { droppedVariables, requiredVariables, variablesProblem } from '../../../src/optimizer/variables';

const text = (t: string, variables: string[] = []): LibraryContent => ({ type: 'text', text: t, variables });

describe('variables', () => {
  test('required: every placeholder the parent uses, declared or detected', () => {
    expect(requiredVariables(text('Hi {{ name }}, about {{topic}}', ['name']))).toEqual(['name', 'topic']);
    const chat: LibraryContent = {
      type: 'chat',
      messages: [
        { role: 'system', content: 'Speak {{lang}}' },
        { role: 'user', content: '{{q}}' },
      ],
      variables: [],
    };
    expect(requiredVariables(chat)).toEqual(['lang', 'q']);
    expect(requiredVariables({ type: 'skill', files: { 'SKILL.md': '{{x}}' } })).toEqual([]);
  });

  test('a child that drops one is named "drops {{name}}"; moved or respaced placeholders are kept', () => {
    const parent = text('Hi {{name}}, about {{topic}}', ['name', 'topic']);
    expect(variablesProblem(parent, text('About {{ topic }}. Hello {{name}}!', ['name', 'topic']))).toBeUndefined();
    expect(variablesProblem(parent, text('Hi there, about {{topic}}', ['name', 'topic']))).toBe('drops {{name}}');
    expect(droppedVariables(parent, text('Hi', ['name', 'topic']))).toEqual(['name', 'topic']);
    expect(variablesProblem(parent, text('Hi', ['name', 'topic']))).toBe('drops {{name}}, {{topic}}');
  });
});
