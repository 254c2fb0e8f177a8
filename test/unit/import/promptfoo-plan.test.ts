import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAssertion, type AssertionContext } from '../../../src/eval/assertions';
import type { EvalCase } from '../../../src/eval/types';
import { assertionFromCell } from '../../../src/import/promptfoo/csv-tests';
import { ImportError } from '../../../src/import/promptfoo/file-refs';
import { planImport, slug as slugOf, type ImportPlan } from '../../../src/import/promptfoo/plan';
import { inlineScript } from '../../../src/import/promptfoo/scripts';
import { sha256 } from '../../../src/store/hash';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'promptfoo');
const config = (dir: string) => path.join(FIXTURES, dir, 'promptfooconfig.yaml');
const byId = (plan: ImportPlan, id: string): EvalCase => {
  const c = plan.dataset.cases.find((x) => x.id === id);
  if (!c) throw new Error(`no case ${id} among ${plan.dataset.cases.map((x) => x.id).join(', ')}`);
  return c;
};

const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const freshDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};

/** Writes a config (and its files) into a fresh folder; returns the config's path. */
function scratch(files: Record<string, string>): string {
  const dir = freshDir('pf-import-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return path.join(dir, 'promptfooconfig.yaml');
}

function importError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ImportError);
    return (err as Error).message;
  }
  throw new Error('expected an ImportError');
}

/** Runs a generated script through Refinery's real javascript assertion (the QuickJS sandbox). */
async function runGenerated(source: string, output: string, vars: AssertionContext['vars'] = {}) {
  const file = path.join(freshDir('pf-script-'), `${sha256(source)}.cjs`);
  fs.writeFileSync(file, source);
  return runAssertion(
    { type: 'javascript', file: 'promptfoo/x.cjs' },
    { output, vars, scripts: () => Promise.resolve({ ok: true, path: file }) },
  );
}

describe('promptfoo import plan: the getting-started shape (inline prompts, provider ids, inline tests)', () => {
  const plan = planImport(config('getting-started'));

  test('each inline prompt is a text prompt named by its position, with its {{variables}}', () => {
    expect(plan.prompts.map((p) => [p.name, p.namedBy, p.content])).toEqual([
      [
        'prompt-1',
        'position',
        { type: 'text', text: 'Convert this English to {{language}}: {{input}}', variables: ['input', 'language'] },
      ],
      [
        'prompt-2',
        'position',
        { type: 'text', text: 'Translate to {{language}}: {{input}}', variables: ['input', 'language'] },
      ],
    ]);
    expect(plan.description).toBe('Translation starter');
  });

  test('tests become cases with their vars and assertions; the dataset is named after the folder', () => {
    expect(plan.dataset.name).toBe('getting-started');
    expect(plan.dataset.target).toBeUndefined(); // two prompts: the eval commands name the dataset
    expect(plan.dataset.cases).toEqual([
      {
        id: 'test-1',
        vars: { language: 'French', input: 'Hello world' },
        input: 'Hello world',
        assertions: [{ type: 'contains', value: 'Bonjour le monde' }],
        tags: [],
        required: false,
      },
      {
        id: 'test-2',
        vars: { language: 'Spanish', input: 'Where is the library?' },
        input: 'Where is the library?',
        assertions: [{ type: 'icontains', value: 'Dónde está la biblioteca' }],
        tags: [],
        required: false,
      },
    ]);
    expect(plan.unsupported).toEqual([]);
  });

  test('anthropic:messages:<model> becomes --model anthropic:<model>', () => {
    expect(plan.models).toContain('anthropic:claude-sonnet-4-5');
  });

  test('--name prefixes several prompts and names a single one exactly', () => {
    expect(planImport(config('getting-started'), { name: 'translate' }).prompts.map((p) => p.name)).toEqual([
      'translate-prompt-1',
      'translate-prompt-2',
    ]);
    const single = planImport(config('unsupported'), { name: 'answers', dataset: 'answers-set' });
    expect(single.prompts.map((p) => [p.name, p.namedBy])).toEqual([['answers', '--name']]);
    expect(single.dataset).toMatchObject({ name: 'answers-set', target: 'answers' });
  });
});

describe('promptfoo import plan: files, chat JSON, labels, defaultTest and file:// tests', () => {
  const plan = planImport(config('files-and-chat'));

  test('prompts from text files, a chat JSON file, an id with a label and raw text with a label', () => {
    expect(plan.prompts.map((p) => [p.name, p.namedBy, p.source, p.content.type])).toEqual([
      ['summary', 'file', path.join('prompts', 'summary.txt'), 'text'],
      ['chat', 'file', path.join('prompts', 'chat.json'), 'chat'],
      ['support-agent', 'label', path.join('prompts', 'support.txt'), 'text'],
      ['brief', 'label', 'inline', 'text'],
    ]);
    expect(plan.prompts[1]!.content).toEqual({
      type: 'chat',
      messages: [
        { role: 'system', content: 'You are a {{tone}} support assistant.' },
        { role: 'user', content: '{{question}}' },
      ],
      variables: ['question', 'tone'],
    });
  });

  test('defaultTest: its vars under each test, its assertions first, values rendered with the case vars', () => {
    const refund = byId(plan, 'test-1: Refund request');
    expect(refund.vars).toEqual({
      tone: 'friendly',
      question: 'I want my money back',
      company: 'Acme',
      expected: 'refund',
    });
    expect(refund.assertions.map((a) => (a as { type: string }).type)).toEqual([
      'rubric',
      'javascript',
      'contains',
      'not-contains',
      'javascript',
    ]);
    // llm-rubric's 0-1 threshold is Refinery's 0-100; {{tone}} and {{expected}} are rendered per case.
    expect(refund.assertions[0]).toEqual({
      type: 'rubric',
      rubric: 'Is friendly and does not invent order numbers',
      threshold: 80,
    });
    expect(refund.assertions[2]).toEqual({ type: 'contains', value: 'refund', weight: 2 });
    expect(refund.tags).toEqual(['category=billing']);
  });

  test('an array-valued variable makes one case per value, as promptfoo runs them', () => {
    expect(byId(plan, 'test-2.1: Greeting in two languages').vars.question).toBe('Hello');
    expect(byId(plan, 'test-2.2: Greeting in two languages').vars.question).toBe('Bonjour');
    expect(byId(plan, 'test-2.1: Greeting in two languages').assertions.slice(2)).toEqual([
      { type: 'starts-with', value: 'Hi' },
      { type: 'contains-any', value: ['Hello', 'Hi', 'Bonjour'] },
    ]);
  });

  test('is-json with a schema, regex and latency map onto is-json, regex and max-latency', () => {
    expect(byId(plan, 'test-3').assertions.slice(2)).toEqual([
      { type: 'is-json', schema: { type: 'object', required: ['order'] } },
      { type: 'regex', value: '"order":\\s*\\d+' },
      { type: 'max-latency', value: 3000 },
    ]);
    expect(plan.dataset.cases).toHaveLength(4);
  });

  test('javascript assertions carry their generated script, stored with the dataset', () => {
    const scripts = byId(plan, 'test-1: Refund request').assertions.filter(
      (a): a is { type: 'javascript'; file: string; sourceRef: string } =>
        (a as { type: string }).type === 'javascript',
    );
    expect(scripts.map((s) => s.file)).toEqual(['promptfoo/default-a2.cjs', 'promptfoo/test-1-a3.cjs']);
    expect(plan.dataset.scripts.map(sha256).sort()).toEqual(scripts.map((s) => s.sourceRef).sort());
  });

  test('providers map to --model values for every provider Refinery has', () => {
    expect(plan.models).toEqual(expect.arrayContaining(['anthropic:claude-haiku-4-5', 'gemini:gemini-2.5-flash']));
  });
});

describe('promptfoo import plan: generated scripts keep promptfoo semantics in the real sandbox', () => {
  const plan = planImport(config('files-and-chat'));
  const source = (file: string) => {
    const a = plan.dataset.cases
      .flatMap((c) => c.assertions as { type: string; file?: string; sourceRef?: string }[])
      .find((x) => x.file === file)!;
    return plan.dataset.scripts.find((s) => sha256(s) === a.sourceRef)!;
  };

  test('an inline expression: output.length > 5', async () => {
    expect((await runGenerated(source('promptfoo/default-a2.cjs'), 'long enough')).pass).toBe(true);
    expect((await runGenerated(source('promptfoo/default-a2.cjs'), 'tiny')).pass).toBe(false);
  });

  test('a module.exports file with threshold 0.5: a score of 1 passes, 0.25 fails, an object is kept', async () => {
    const file = source('promptfoo/test-1-a3.cjs');
    const vars = { company: 'Acme' };
    expect(await runGenerated(file, 'Acme will refund you', vars)).toMatchObject({ pass: true, score: 1 });
    expect(await runGenerated(file, 'We will refund you', vars)).toMatchObject({ pass: false, score: 0.25 });
    expect(await runGenerated(file, 'x'.repeat(401), vars)).toMatchObject({ pass: false, reason: 'too long' });
  });

  test('a bare number passes above 0 without a threshold (promptfoo), not at 0.5 (Refinery)', async () => {
    expect(await runGenerated(inlineScript('0.3', undefined), '')).toMatchObject({ pass: true, score: 0.3 });
    expect(await runGenerated(inlineScript('0', undefined), '')).toMatchObject({ pass: false });
    expect(await runGenerated(inlineScript('0.3', 0.5), '')).toMatchObject({ pass: false, score: 0.3 });
    // A multi-line body is a function body, with context.vars in scope.
    const body = 'const n = context.vars.n;\nreturn n * 2 === 4;';
    expect(await runGenerated(inlineScript(body, undefined), '', { n: 2 })).toMatchObject({ pass: true });
  });
});

describe('promptfoo import plan: CSV tests and a prompt file holding several prompts', () => {
  const plan = planImport(config('csv-suite'));

  test('a .txt prompt file split on --- lines gives one prompt each, named after the file', () => {
    expect(plan.prompts.map((p) => [p.name, (p.content as { text: string }).text])).toEqual([
      ['prompts-1', 'Translate to {{language}}: {{body}}'],
      ['prompts-2', 'You are a translator. Render this in {{language}}: {{body}}'],
    ]);
    expect(plan.models).toEqual(['gemini:gemini-2.5-pro']);
  });

  test('__expected columns follow promptfoo: type prefixes, fn:, grade:, plain text as equals; __description kept', () => {
    const cases = plan.dataset.cases;
    expect(cases.map((c) => c.id)).toEqual(['test-1: Greeting', 'test-2: Hunger', 'test-3', 'test-4: Thanks']);
    expect(cases[0]!.vars).toEqual({ language: 'French', body: 'Hello world' });
    expect(cases[0]!.assertions).toEqual([{ type: 'icontains', value: 'bonjour' }]);
    expect(cases[1]!.assertions[0]).toEqual({ type: 'contains-any', value: ['faim', 'manger'] });
    expect(cases[1]!.assertions[1]).toMatchObject({ type: 'javascript', file: 'promptfoo/test-2-a2.cjs' });
    expect(cases[2]!.vars.body).toBe('Hello, world');
    expect(cases[2]!.assertions).toEqual([
      { type: 'rubric', rubric: 'sounds like a pirate' },
      { type: 'equals', value: 'Ahoy' },
    ]);
    expect(cases[3]!.assertions).toEqual([
      { type: 'not-contains', value: 'thanks' },
      { type: 'regex', value: '[Dd]anke' },
    ]);
  });

  test("assertionFromCell reads promptfoo's cell syntax", () => {
    expect(assertionFromCell('similar(0.9):the answer')).toEqual({
      type: 'similar',
      value: 'the answer',
      threshold: 0.9,
    });
    expect(assertionFromCell('not-icontains:x')).toEqual({ type: 'not-icontains', value: 'x' });
    expect(assertionFromCell('is-json')).toEqual({ type: 'is-json' });
    expect(assertionFromCell('icontains-all:a, b')).toEqual({ type: 'icontains-all', value: ['a', 'b'] });
    expect(assertionFromCell('file://check.py')).toEqual({ type: 'python', value: 'file://check.py' });
    expect(assertionFromCell('just: text')).toEqual({ type: 'equals', value: 'just: text' });
  });
});

describe('promptfoo import plan: modular configs', () => {
  test('a tests list mixing inline tests, YAML and JSONL files is numbered in order; defaultTest and vars from files', () => {
    const file = scratch({
      'promptfooconfig.yaml': [
        'prompts: file://prompts.yaml',
        'defaultTest: file://default.yaml',
        'tests:',
        '  - vars: { q: inline, doc: file://docs/a.md }',
        '  - file://more/tests.yaml',
        '  - file://more/tests.jsonl',
      ].join('\n'),
      'prompts.yaml': "- 'Q: {{q}} {{doc}}'\n- id: file://system.txt\n  label: With System\n",
      'system.txt': 'System: answer {{q}}',
      'default.yaml': 'assert:\n  - type: icontains\n    value: "{{q}}"\n',
      'docs/a.md': '# A document\n',
      'more/tests.yaml': '- vars: { q: from-yaml }\n  assert: [{ type: contains-all, value: "x, y" }]\n',
      'more/tests.jsonl': '{"vars": {"q": "from-jsonl"}, "description": "json line"}\n\n{"vars": {"q": "two"}}\n',
    });
    const plan = planImport(file);
    expect(plan.prompts.map((p) => [p.name, p.namedBy])).toEqual([
      ['prompt-1', 'position'],
      ['with-system', 'label'],
    ]);
    expect(plan.dataset.cases.map((c) => [c.id, c.vars.q, c.assertions])).toEqual([
      ['test-1', 'inline', [{ type: 'icontains', value: 'inline' }]],
      [
        'test-2',
        'from-yaml',
        [
          { type: 'icontains', value: 'from-yaml' },
          { type: 'contains-all', value: ['x', 'y'] },
        ],
      ],
      ['test-3: json line', 'from-jsonl', [{ type: 'icontains', value: 'from-jsonl' }]],
      ['test-4', 'two', [{ type: 'icontains', value: 'two' }]],
    ]);
    expect(plan.dataset.cases[0]!.vars.doc).toBe('# A document\n');
    expect(plan.dataset.name).toBe(slugOf(path.basename(path.dirname(file))));
  });
});

describe('promptfoo import plan: what it refuses', () => {
  test('unsupported assertion types and test fields are listed with their test numbers, and left out', () => {
    const plan = planImport(config('unsupported'));
    expect(plan.unsupported).toEqual([
      { at: 'defaultTest', what: 'test field "options"' },
      { at: 'test 1', test: 1, what: 'assertion type "similar"' },
      { at: 'test 2', test: 2, what: 'test field "threshold"' },
      { at: 'test 2', test: 2, what: 'assertion type "python"' },
      { at: 'test 3', test: 3, what: 'assertion type "contains-json"' },
      { at: 'test 3', test: 3, what: 'assertion type "not-regex"' },
    ]);
    // What remains when they are dropped: defaultTest's contains first, then each test's own supported checks.
    expect(plan.dataset.cases.map((c) => c.assertions)).toEqual([
      [{ type: 'contains', value: 'A' }],
      [
        { type: 'contains', value: 'A' },
        { type: 'contains', value: 'two' },
      ],
      [{ type: 'contains', value: 'A' }],
      [
        { type: 'contains', value: 'A' },
        { type: 'equals', value: 'four' },
      ],
    ]);
  });

  test('a file outside the config folder is refused; --root widens the tree', () => {
    expect(importError(() => planImport(config('escape/inner')))).toMatch(/\.\.\/outside\.txt is outside .*--root/);
    const plan = planImport(config('escape/inner'), { root: path.join(FIXTURES, 'escape') });
    expect(plan.prompts[0]!.content).toMatchObject({ type: 'text', variables: ['question'] });
  });

  test('an absolute path and a symlink out of the folder are refused too', () => {
    const outside = path.join(FIXTURES, 'escape', 'outside.txt');
    const abs = scratch({
      'promptfooconfig.yaml': `prompts: ['file://${outside}']\ntests: [{vars: {question: hi}}]\n`,
    });
    expect(importError(() => planImport(abs))).toMatch(/is outside/);
    const linked = scratch({
      'promptfooconfig.yaml': `prompts: ['file://link.txt']\ntests: [{vars: {question: hi}}]\n`,
    });
    fs.symlinkSync(outside, path.join(path.dirname(linked), 'link.txt'));
    expect(importError(() => planImport(linked))).toMatch(/link\.txt is outside/);
  });

  test('invalid assertions are reported per test, all at once, before anything could be written', () => {
    const message = importError(() => planImport(config('invalid')));
    expect(message).toMatch(/^2 tests are not valid/);
    expect(message).toContain('test 1 (promptfooconfig.yaml): $[0].value: invalid regex');
    expect(message).toContain('test 2 (promptfooconfig.yaml): $[0].value: must not be empty');
  });

  test('Nunjucks beyond {{name}}, prompt functions and per-prompt config are unsupported prompts', () => {
    const file = scratch({
      'promptfooconfig.yaml': [
        'prompts:',
        "  - 'Hello {{ name | upper }}'",
        '  - file://make_prompt.py',
        "  - raw: 'Plain {{name}}'",
        '    config: { temperature: 0 }',
        "  - 'Kept {{name}}'",
        'tests: [{vars: {name: Ada}}]',
      ].join('\n'),
    });
    const plan = planImport(file);
    expect(plan.unsupported).toEqual([
      { at: 'prompt 1', prompt: 1, what: 'Nunjucks template syntax {{ name | upper }}' },
      { at: 'prompt 2', prompt: 2, what: 'prompt function make_prompt.py' },
      { at: 'prompt 3', prompt: 3, what: 'prompt with "config"' },
    ]);
    expect(plan.prompts.map((p) => [p.name, p.position])).toEqual([['prompt-4', 4]]);
  });

  test('two prompts that would share a name, object vars and missing files are clear errors', () => {
    const dup = scratch({
      'promptfooconfig.yaml':
        "prompts:\n  - {raw: 'a {{x}}', label: Same}\n  - {raw: 'b {{x}}', label: same}\ntests: [{vars: {x: 1}}]\n",
    });
    expect(importError(() => planImport(dup))).toBe(
      'prompts 1 and 2 would both be named "same"; give them distinct labels',
    );
    const obj = scratch({ 'promptfooconfig.yaml': "prompts: ['{{x}}']\ntests: [{vars: {x: {a: 1}}}]\n" });
    expect(importError(() => planImport(obj))).toMatch(/vars\.x: objects and null have no Refinery equivalent/);
    const missing = scratch({ 'promptfooconfig.yaml': "prompts: ['{{x}}']\ntests: file://nope.csv\n" });
    expect(importError(() => planImport(missing))).toMatch(/nope\.csv does not exist/);
  });
});
