import { OfflineProvider } from '../../src/offline/offline-provider';
import { filesRead, runSkillAgent } from '../../src/skills/agent-run';
import { EXECUTOR_SYSTEM, executorTask } from '../../src/tune/role-prompts';

describe('the offline provider as an agent (what `npm start` shows without keys)', () => {
  it('lists the files, reads only those SKILL.md points to, and answers naming them', async () => {
    const provider = new OfflineProvider();
    const files = {
      'SKILL.md': '# Notes\n\nWrite notes.\n\n## Steps\n\n1. Follow references/style.md for tone.\n',
      'references/style.md': 'Be brief.',
      'references/unused.md': 'Never needed.',
    };
    const run = await runSkillAgent({
      skill: { name: 'notes', files },
      system: EXECUTOR_SYSTEM,
      task: executorTask({ scenario: 'Release 2.4' }),
      maxOutputTokens: 1024,
      caps: { maxTurns: 5, maxTokens: 100_000 },
      turn: (req) => provider.turn('offline', req),
    });
    expect(run.calls.map((c) => c.tool)).toEqual(['list_files', 'read_file']);
    expect(filesRead(run.calls)).toEqual(['references/style.md']);
    expect(run.turns).toBe(3);
    expect(run.text).toContain('Scenario: Release 2.4');
    expect(run.text).toContain('## Steps');
    expect(run.text).toContain('References used: references/style.md');
    expect(run.inputTokens).toBeGreaterThan(0);
  });

  it('an eval case (an input, no scenario): echoes what the run saw, as the inline simulation does', async () => {
    const provider = new OfflineProvider();
    const run = await runSkillAgent({
      skill: { name: 'notes', files: { 'SKILL.md': '# Notes\n\nSee references/a.md.', 'references/a.md': 'ALPHA' } },
      system: 'You carry out a skill.',
      task: '<input>\nquestion 7\n</input>',
      maxOutputTokens: 256,
      caps: { maxTurns: 5, maxTokens: 100_000 },
      turn: (req) => provider.turn('offline', req),
    });
    expect(run.text).toMatch(/^Offline answer: /);
    expect(run.text).toContain('question 7');
    expect(run.text).toContain('ALPHA');
  });
});
