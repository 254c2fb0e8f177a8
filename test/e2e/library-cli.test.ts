import fs from 'node:fs';
import path from 'node:path';
import { labelHistory } from '../../src/library/label-store';
import { openStore } from '../../src/store/open';
import { runCli } from '../support/cli';
import { tempDir } from '../support/temporal';

describe('refinery push, pull, log, diff, labels, label, rollback', () => {
  const dir = tempDir('library-cli');
  const env = {
    REFINERY_DATABASE_URL: `sqlite:${path.join(dir, 'r.db')}`,
    REFINERY_USER: 'ana',
    REFINERY_PUBLIC_URL: 'https://refinery.example.test',
  };
  const prompt = path.join(dir, 'welcome.md');

  test('a prompt file through its whole life', async () => {
    fs.writeFileSync(prompt, 'Welcome {{user}} to {{team}}.\n');
    let r = await runCli(['push', prompt, '--why', 'first draft', '--tags', 'onboarding'], env);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain('welcome: created version 1');
    expect(r.out).toContain('https://refinery.example.test/v1/library/welcome/versions/1');

    r = await runCli(['push', prompt, '--why', 'again'], env);
    expect(r.out).toContain('welcome: unchanged — the content is version 1');

    fs.writeFileSync(prompt, 'Welcome, {{user}}! You joined {{team}}.\n');
    expect((await runCli(['push', prompt, '--why', 'warmer'], env)).out).toContain('created version 2');

    expect((await runCli(['label', 'welcome', 'production', '1', '--why', 'launch'], env)).code).toBe(0);
    expect((await runCli(['label', 'welcome', 'production', '2', '--why', 'warmer tone'], env)).code).toBe(0);

    const log = await runCli(['log', 'welcome'], env);
    expect(log.out).toMatch(/v2 {2}[0-9a-f]{12} .* ana {2}\[production, latest\]\n {4}warmer/);

    const diff = await runCli(['diff', 'welcome', '1', '2'], env);
    expect(diff.out).toContain('-Welcome {{user}} to {{team}}.\n+Welcome, {{user}}! You joined {{team}}.');

    const rb = await runCli(['rollback', 'welcome', '--why', 'tone tested badly'], env);
    expect(rb).toMatchObject({ code: 0 });
    expect(rb.out).toContain('production rolled back v2 → v1');

    const labels = await runCli(['labels', 'welcome'], env);
    expect(labels.out).toMatch(/production +v1/);
    expect(labels.out).toMatch(/production: v2 → v1 {2}by ana: rollback: tone tested badly/);

    const out = path.join(dir, 'pulled');
    expect((await runCli(['pull', 'welcome', '--version', '2', out], env)).code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'welcome.md'), 'utf8')).toBe('Welcome, {{user}}! You joined {{team}}.\n');
  });

  test('library search shows who contributed to each item; library contributors sums per person', async () => {
    // After the first test: ana authored v1 and v2, both reached production (v2, then back to v1).
    const search = await runCli(['library', 'search', 'welc'], env);
    expect(search).toMatchObject({ code: 0 });
    expect(search.out).toMatch(/^welcome \(prompt, owner ana, 2 versions, .*production=v1/m);
    expect(search.out).toContain(
      '    ana: 2 versions to production, 0 improvements shipped, 0 cases contributed, 0 feedback resolved',
    );
    const people = await runCli(['library', 'contributors', '--since', '1d', '--json'], env);
    expect(JSON.parse(people.out)).toEqual([
      { person: 'ana', versionsToProduction: 2, improvementsShipped: 0, casesContributed: 0, feedbackResolved: 0 },
    ]);
    const bad = await runCli(['library', 'contributors', '--since', 'last spring'], env);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--since last spring: use a duration like 90d or an ISO date like 2026-10-01');
  });

  test('a skill folder is pushed and pulled whole', async () => {
    const skill = path.join(dir, 'triage');
    fs.mkdirSync(path.join(skill, 'refs'), { recursive: true });
    fs.writeFileSync(path.join(skill, 'SKILL.md'), '# Triage\n');
    fs.writeFileSync(path.join(skill, 'refs', 'labels.md'), '- bug\n- feature\n');
    // No front matter: refused, naming the rule and how an item named after the folder keeps its versions.
    const refused = await runCli(['push', skill, '--why', 'import'], env);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('breaks the rule "front-matter-missing" of the Agent Skills specification');
    expect(refused.out).toContain(`refinery push ${skill} --name triage --why`);
    const legacy = await runCli(['push', skill, '--name', 'triage', '--why', 'import'], env);
    expect(legacy.out).toContain('triage: created version 1');
    expect(legacy.out).toContain('warning: SKILL.md front matter breaks the rule "front-matter-missing"');
    fs.writeFileSync(
      path.join(skill, 'SKILL.md'),
      '---\nname: triage\ndescription: Labels incoming issues. Use for new bug reports.\n---\n# Triage\n',
    );
    expect((await runCli(['push', skill, '--why', 'front matter'], env)).out).toContain('triage: created version 2');
    const out = path.join(dir, 'triage-pulled');
    expect((await runCli(['pull', 'triage', out], env)).code).toBe(0); // no production yet: latest
    expect(fs.readFileSync(path.join(out, 'refs', 'labels.md'), 'utf8')).toBe('- bug\n- feature\n');
  });

  test.each([
    [['rollback', 'missing', '--why', 'x'], /no prompt or skill named "missing"/],
    [['label', 'welcome', 'production', '9', '--why', 'x'], /"welcome" has no version 9: versions are 1 to 2/],
    [['rollback', 'welcome', '--to', '7', '--why', 'x'], /"welcome" has no version 7/],
    [['label', 'welcome', 'latest', '1', '--why', 'x'], /"latest" moves by itself/],
    [['push', prompt], /--why is required/],
    [['pull', 'welcome', '--label', 'canary', path.join(dir, 'x')], /"welcome" has no label "canary"/],
  ])('%j is a clear error and changes nothing', async (args, message) => {
    const db = await openStore(env.REFINERY_DATABASE_URL);
    const before = await labelHistory(db, 'welcome');
    const r = await runCli(args, env);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(message);
    expect(await labelHistory(db, 'welcome')).toEqual(before);
    await db.close();
  });

  test('production is protected: only the owner or an admin moves it', async () => {
    const bob = { ...env, REFINERY_USER: 'bob' };
    const denied = await runCli(['label', 'welcome', 'production', '2', '--why', 'x'], bob);
    expect(denied.code).toBe(2);
    expect(denied.out).toContain('only the owner of "welcome" (ana) or an admin may move production');
    expect((await runCli(['label', 'welcome', 'staging', '2', '--why', 'try'], bob)).code).toBe(0);
    expect(
      (await runCli(['label', 'welcome', 'production', '2', '--why', 'x'], { ...bob, REFINERY_ADMINS: 'bob' })).code,
    ).toBe(0);
  });
});
