import path from 'node:path';
import { runCli } from '../support/cli';
import { tempDir } from '../support/temporal';

describe('refinery rollout: bounds and help', () => {
  const env = { REFINERY_DATABASE_URL: `sqlite:${path.join(tempDir('rollout-cli'), 'r.db')}`, REFINERY_USER: 'ana' };

  test('--help states the defaults the code uses', async () => {
    const r = await runCli(['rollout', '--help'], env);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--interval 1m');
    expect(r.out).toContain('--bake 1h');
    expect(r.out).not.toContain('10m');
    expect(r.out).toMatch(/--max-bake-extension as long as --bake/);
  });

  test.each([
    [['--interval', '5s'], /--interval 5s is under 10s/],
    [['--bake', '91d'], /--bake 91d is longer than 90 days/],
    [['--max-bake-extension', '100d'], /--max-bake-extension 100d is longer than 90 days/],
    [['--min-samples', '1'], /--min-samples must be a whole number of 2 or more/],
  ])('%j is refused before anything starts (exit 2)', async (args, message) => {
    const r = await runCli(['rollout', 'greet', '--version', '2', ...args], env);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(message);
  });
});
