import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../../../src/cli/exit-codes';
import { parseOptimizeFlags } from '../../../src/cli/optimize-input';
import { executionFlag, validateTuneInput } from '../../../src/cli/tune-input';

describe('--execution agent|inline', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exec-flag-'));
  fs.writeFileSync(path.join(dir, 'SKILL.md'), '# s\n\nDoes s.\n');

  test('the folder form: absent leaves the default (agent), inline and agent are kept', () => {
    expect(validateTuneInput([dir], { scenario: 'x' }).settings.execution).toBeUndefined();
    expect(validateTuneInput([dir], { scenario: 'x', execution: 'inline' }).settings.execution).toBe('inline');
    expect(validateTuneInput([dir], { scenario: 'x', execution: 'agent' }).settings.execution).toBe('agent');
  });

  test('the dataset form carries it into the optimizer settings', () => {
    const p = parseOptimizeFlags(
      ['greet'],
      { dataset: 'cases@2', execution: 'inline' },
      { cwd: '/w', drawSeed: () => 1 },
    );
    expect(p.settings.execution).toBe('inline');
  });

  test('anything else is refused, naming both values', () => {
    expect(() => executionFlag('agents')).toThrow(CliError);
    expect(() => executionFlag('agents')).toThrow(
      '--execution agents: expected agent (the executor reads files with tools) or inline (every file in the prompt)',
    );
  });
});
