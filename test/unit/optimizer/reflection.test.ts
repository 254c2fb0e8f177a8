import { roughTokens } from '../../../src/eval/estimate';
import type { CaseEvidence } from '../../../src/optimizer/activity-types';
import {
  isReflectionRequest,
  parseReflectionPrompt,
  reflectionPrompt,
  REFLECT_TAG,
  TRUNCATION_STEPS,
  type ReflectionInput,
} from '../../../src/optimizer/reflection';
import { roleOf } from '../../../src/tune/role-prompts';
import type { LineageEntry } from '../../../src/optimizer/types';

const failing = (id: string, score: number, outputChars = 100): CaseEvidence => ({
  caseId: id,
  vars: { q: `question ${id}` },
  output: `output of ${id} `.padEnd(outputChars, 'o'),
  expected: `expected of ${id}`,
  score,
  passed: false,
  assertions: [
    { type: 'contains', pass: false, score: 0, reason: `output lacks "expected of ${id}"` },
    { type: 'rubric', pass: false, score, reason: `the judge says ${id} misses the point` },
    { type: 'is-json', pass: true },
  ],
});
const passing = (id: string): CaseEvidence => ({
  caseId: id,
  vars: { q: `question ${id}` },
  output: `good answer ${id}`,
  score: 1,
  passed: true,
  assertions: [{ type: 'contains', pass: true, score: 1 }],
});
const attempt = (round: number): LineageEntry => ({
  hash: `h${round}`,
  parent: 'p',
  round,
  status: 'rejected',
  reason: `reason of round ${round}`,
  summary: `summary of round ${round}`,
});

const base = (over: Partial<ReflectionInput> = {}): ReflectionInput => ({
  kind: 'text',
  documents: [{ path: 'prompt.md', text: 'Answer {{q}}.' }],
  evidence: [failing('f1', 0.2), failing('f2', 0), passing('p1'), passing('p2')],
  lineage: [attempt(1), attempt(2), attempt(3)],
  changeBudget: { lines: 12, bytes: 600 },
  variables: ['q'],
  reflectionTokens: 100_000,
  ...over,
});

describe('reflectionPrompt', () => {
  test('tags the reflective improver and holds documents, failing cases in full, passing ones briefly, lineage and budget', () => {
    const r = reflectionPrompt(base());
    expect(r.system.startsWith(`[refinery:improver] ${REFLECT_TAG}`)).toBe(true);
    expect(roleOf(r.system)).toBe('improver');
    expect(isReflectionRequest(r.system)).toBe(true);
    expect(r.prompt).toContain('<document path="prompt.md">\nAnswer {{q}}.\n</document>');
    expect(r.prompt).toContain('{{q}}. A proposal that drops one is refused');
    for (const id of ['f1', 'f2']) {
      expect(r.prompt).toContain(`<output>\noutput of ${id} `);
      expect(r.prompt).toContain(`<expected>\nexpected of ${id}\n</expected>`);
      expect(r.prompt).toContain(
        `FAIL rubric (score ${id === 'f1' ? 0.2 : 0}): judge's reasoning: the judge says ${id} misses the point`,
      );
      expect(r.prompt).toContain(`FAIL contains (score 0): reason: output lacks "expected of ${id}"`);
      expect(r.prompt).toContain('PASS is-json');
    }
    // Worst first.
    expect(r.prompt.indexOf('<case id="f2"')).toBeLessThan(r.prompt.indexOf('<case id="f1"'));
    expect(r.prompt).toContain('- p1 (score 1.00): input {"q":"question p1"}; output: good answer p1');
    expect(r.prompt).toContain('- round 1, rejected: reason of round 1. The change: summary of round 1');
    expect(r.prompt).toContain('At most 12 lines changed (added plus removed) and 600 bytes changed');
    expect(r.prompt).not.toContain('<cuts>');
    expect(r).toMatchObject({ fits: true, cuts: { lineageLeftOut: 0, passingLeftOut: 0, failingLeftOut: 0 } });
    expect(r.tokens).toBe(roughTokens(r.system) + roughTokens(r.prompt));
  });

  test('the system prompt documents the edit format; file actions only for skills', () => {
    expect(reflectionPrompt(base()).system).not.toContain('create_file');
    const skill = reflectionPrompt(
      base({ kind: 'skill', documents: [{ path: 'SKILL.md', text: '# S' }], variables: [] }),
    );
    expect(skill.system).toContain('"action": "create_file"');
    for (const action of ['replace', 'insert_after', 'delete', 'append'])
      expect(skill.system).toContain(`"action": "${action}"`);
  });

  test("a skill's per-file usage and the change budget guide the improver to split, merge or remove files", () => {
    const documents = [
      { path: 'SKILL.md', text: '# S' },
      { path: 'references/used.md', text: 'u' },
      { path: 'references/unused.md', text: 'n' },
    ];
    const fileUsage = { agentRuns: 4, files: [{ path: 'references/used.md', runs: 3 }] };
    const r = reflectionPrompt(base({ kind: 'skill', documents, variables: [], fileUsage }));
    expect(r.prompt).toContain(
      '- references/used.md: read in 3 of 4 runs\n- references/unused.md: read in 0 of 4 runs',
    );
    expect(r.prompt).toContain('A file no run reads is a candidate for merging into SKILL.md or removal');
    expect(r.prompt).toContain('At most 12 lines changed');
    // No agent run yet (inline execution, or a prompt): no usage is claimed.
    expect(
      reflectionPrompt(base({ kind: 'skill', documents, variables: [], fileUsage: { agentRuns: 0, files: [] } }))
        .prompt,
    ).not.toContain('<file-usage>');
    // A description tune says what alone may change, and shows no file usage (files are not its to edit).
    const d = reflectionPrompt(base({ kind: 'skill', documents, variables: [], fileUsage, editScope: 'description' }));
    expect(d.prompt).toContain('Change only the "description" in the front matter of SKILL.md');
    expect(d.prompt).not.toContain('<file-usage>');
  });

  /** The smallest budget each cut needs, found from the uncut size downwards. */
  const sizeWith = (over: Partial<ReflectionInput>) => reflectionPrompt(base(over)).tokens;

  test('cuts in order: oldest lineage first, then long texts, then passing cases, then failing ones, never the last failing case', () => {
    const evidence = [
      failing('f1', 0.2, 6000),
      failing('f2', 0, 6000),
      failing('f3', 0.5, 6000),
      passing('p1'),
      passing('p2'),
    ];
    const lineage = Array.from({ length: 6 }, (_, i) => attempt(i + 1));
    const full = sizeWith({ evidence, lineage });
    const seen: string[] = [];
    let last = '';
    for (let budget = full; budget > 200; budget -= 25) {
      const r = reflectionPrompt(base({ evidence, lineage, reflectionTokens: budget }));
      const c = r.cuts;
      const stage =
        c.failingLeftOut > 0
          ? 'failing'
          : c.passingLeftOut > 0
            ? 'passing'
            : c.truncatedTo !== undefined
              ? 'truncate'
              : c.lineageLeftOut > 0
                ? 'lineage'
                : 'none';
      if (stage !== last) seen.push(stage);
      last = stage;
      // Each stage is reached only once the earlier ones are spent.
      if (c.truncatedTo !== undefined) expect(c.lineageLeftOut).toBe(6);
      if (c.passingLeftOut > 0) expect(c.truncatedTo).toBe(TRUNCATION_STEPS[TRUNCATION_STEPS.length - 1]);
      if (c.failingLeftOut > 0) expect(c.passingLeftOut).toBe(2);
      expect(c.failingLeftOut).toBeLessThanOrEqual(2);
      if (r.fits) expect(r.tokens).toBeLessThanOrEqual(budget);
      // The oldest attempts go first: what is kept is the newest.
      if (c.lineageLeftOut > 0 && c.lineageLeftOut < 6) {
        expect(r.prompt).not.toContain('round 1,');
        expect(r.prompt).toContain('round 6,');
      }
      if (stage !== 'none') expect(r.prompt).toMatch(/<cuts>\nTo fit the prompt's budget of \d+ tokens: /);
    }
    expect(seen).toEqual(['none', 'lineage', 'truncate', 'passing', 'failing']);
    // The smallest form keeps the worst failing case, its texts cut short, and says so.
    const tiny = reflectionPrompt(base({ evidence, lineage, reflectionTokens: 10 }));
    expect(tiny.fits).toBe(false);
    expect(tiny.prompt).toContain('<case id="f2"');
    expect(tiny.prompt).not.toContain('<case id="f1"');
    expect(tiny.prompt).toContain(
      "To fit the prompt's budget of 10 tokens: the 6 oldest earlier attempts left out; case texts cut to 80 characters; 2 passing cases left out; 2 failing cases left out.",
    );
    expect(tiny.prompt).toContain('… [cut: ');
  });

  test('the budget holds whenever the smallest form fits', () => {
    const evidence = Array.from({ length: 8 }, (_, i) => failing(`f${i}`, i / 10, 3000));
    for (const budget of [20_000, 8_000, 3_000, 1_500, 900]) {
      const r = reflectionPrompt(base({ evidence, reflectionTokens: budget }));
      expect(r.fits).toBe(true);
      expect(r.tokens).toBeLessThanOrEqual(budget);
    }
  });
});

describe('parseReflectionPrompt', () => {
  test('reads back the documents and the failing cases; a cut expectation is not taken as whole', () => {
    const r = reflectionPrompt(
      base({
        kind: 'chat',
        documents: [
          { path: 'messages/001-system.md', text: 'Be "terse".' },
          { path: 'messages/002-user.md', text: '{{q}}' },
        ],
        evidence: [failing('a"b', 0), { ...failing('long', 0.1), expected: 'e'.repeat(9000) }],
        reflectionTokens: 1500,
      }),
    );
    expect(r.cuts.truncatedTo).toBeDefined();
    const parsed = parseReflectionPrompt(r.prompt);
    expect(parsed.kind).toBe('chat');
    expect(parsed.documents).toEqual([
      { path: 'messages/001-system.md', text: 'Be "terse".' },
      { path: 'messages/002-user.md', text: '{{q}}' },
    ]);
    expect(parsed.failing.map((f) => [f.caseId, f.expected?.slice(0, 20), f.wanted])).toEqual([
      ['a"b', 'expected of a"b', ['expected of a"b']],
      ['long', undefined, []],
    ]);
  });
});
