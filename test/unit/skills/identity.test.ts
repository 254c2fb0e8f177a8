import { readFrontMatter, skillIdentity, type FrontMatterRule } from '../../../src/skills/identity';
import { SkillError } from '../../../src/skills/skill-error';

const md = (front: string) => `---\n${front}\n---\n# Body\n`;
const DESC = 'description: Fills PDF forms. Use when the user hands over a PDF form.';

/** One SKILL.md per rule of the Agent Skills specification, in a folder of the given name, and the message it must give. */
const CASES: Array<[FrontMatterRule, string, string, RegExp]> = [
  [
    'front-matter-missing',
    '# Just a body\n',
    'pdf-forms',
    /does not start with a "---" front matter block; start SKILL.md with\n---\nname: pdf-forms/,
  ],
  ['front-matter-unclosed', '---\nname: pdf-forms\n# no end\n', 'pdf-forms', /no closing "---" line; close it/],
  [
    'front-matter-yaml',
    md('name: [pdf\ndescription: x'),
    'pdf-forms',
    /not a YAML mapping .*; write it as "key: value" lines/,
  ],
  ['front-matter-yaml', md('- a list\n- not a mapping'), 'pdf-forms', /not a YAML mapping/],
  ['name-required', md(DESC), 'pdf-forms', /has no "name"; add "name: pdf-forms"/],
  [
    'name-length',
    md(`name: ${'a'.repeat(65)}\n${DESC}`),
    'a'.repeat(65),
    /the name is 65 characters, over the limit of 64; shorten it/,
  ],
  [
    'name-characters',
    md(`name: PDF_Forms\n${DESC}`),
    'PDF_Forms',
    /the name "PDF_Forms" may hold only lowercase letters, digits and hyphens; use e.g. "pdf-forms"/,
  ],
  [
    'name-hyphen-ends',
    md(`name: -pdf\n${DESC}`),
    '-pdf',
    /the name "-pdf" starts or ends with a hyphen; remove the hyphen/,
  ],
  ['name-hyphen-ends', md(`name: pdf-\n${DESC}`), 'pdf-', /starts or ends with a hyphen/],
  [
    'name-consecutive-hyphens',
    md(`name: pdf--forms\n${DESC}`),
    'pdf--forms',
    /holds two hyphens in a row; use a single hyphen/,
  ],
  [
    'name-matches-folder',
    md(`name: pdf-forms\n${DESC}`),
    'skill',
    /the name "pdf-forms" is not the folder's name "skill"; rename the folder to pdf-forms or set "name: skill"/,
  ],
  ['description-required', md('name: pdf-forms'), 'pdf-forms', /no non-empty "description"; add "description: /],
  ['description-required', md('name: pdf-forms\ndescription: "   "'), 'pdf-forms', /no non-empty "description"/],
  [
    'description-length',
    md(`name: pdf-forms\ndescription: ${'d'.repeat(1025)}`),
    'pdf-forms',
    /the description is 1025 characters, over the limit of 1024; shorten it/,
  ],
  [
    'compatibility-length',
    md(`name: pdf-forms\n${DESC}\ncompatibility: ${'c'.repeat(501)}`),
    'pdf-forms',
    /compatibility is 501 characters, over the limit of 500/,
  ],
];

describe('SKILL.md front matter, by the Agent Skills specification', () => {
  test.each(CASES)('rule %s', (rule, skillMd, folder, message) => {
    const fm = readFrontMatter(skillMd, folder);
    expect(fm.problems.map((p) => p.rule)).toEqual([rule]);
    expect(fm.problems[0]!.message).toContain(`breaks the rule "${rule}" of the Agent Skills specification`);
    expect(fm.problems[0]!.message).toMatch(message);
    // Refused as a push: every problem, then how an existing item keeps its versions.
    let err: unknown;
    try {
      skillIdentity(skillMd, folder, `skills/${folder}`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SkillError);
    expect((err as Error).message).toContain(`rule "${rule}"`);
    expect((err as Error).message).toContain(`refinery push skills/${folder} --name ${folder} --why`);
  });

  test('a valid front matter names the item; the limits themselves are allowed', () => {
    const name = `a${'-b'.repeat(31)}c`.slice(0, 64);
    expect(name).toHaveLength(64);
    const skillMd = md(`name: ${name}\ndescription: ${'d'.repeat(1024)}\nlicense: MIT\nmetadata:\n  author: me`);
    expect(readFrontMatter(skillMd, name).problems).toEqual([]);
    expect(skillIdentity(skillMd, name, name)).toEqual({ name, description: 'd'.repeat(1024), warnings: [] });
    // CRLF line ends and a BOM are read as well.
    expect(skillIdentity(`\ufeff---\r\nname: pdf-forms\r\n${DESC}\r\n---\r\nbody`, 'pdf-forms', 'x').name).toBe(
      'pdf-forms',
    );
  });

  test('several problems are all listed', () => {
    const fm = readFrontMatter(md('name: Bad--Name-'), 'skill');
    expect(fm.problems.map((p) => p.rule)).toEqual([
      'name-characters',
      'name-hyphen-ends',
      'name-consecutive-hyphens',
      'name-matches-folder',
      'description-required',
    ]);
  });

  test('--name overrides the front matter with a warning, and makes its problems warnings (existing items)', () => {
    expect(skillIdentity(md(`name: pdf-forms\n${DESC}`), 'pdf-forms', 'd', 'forms-v1')).toEqual({
      name: 'forms-v1',
      description: 'Fills PDF forms. Use when the user hands over a PDF form.',
      warnings: ['--name forms-v1 overrides the front matter\'s name "pdf-forms"'],
    });
    const legacy = skillIdentity('# A skill from before front matter\n', 'skill', 'd', 'skill');
    expect(legacy.name).toBe('skill');
    expect(legacy.warnings).toEqual([expect.stringContaining('rule "front-matter-missing"')]);
    // The same name as the front matter: nothing to warn about.
    expect(skillIdentity(md(`name: pdf-forms\n${DESC}`), 'pdf-forms', 'd', 'pdf-forms').warnings).toEqual([]);
  });

  test('a hostile name is printed escaped', () => {
    const fm = readFrontMatter(md(`name: "evil\\u001b[2Jname"\n${DESC}`), 'x');
    expect(fm.problems[0]!.message).toContain('evil\\u001b[2Jname');
    expect(fm.problems[0]!.message).not.toContain('\u001b');
  });
});
