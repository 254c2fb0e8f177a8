import { pick } from './random';
import type { World, WorldCase } from './world';

/** One rule edit: what the simulated improver proposes (a bounded change: one rule added or removed). */
export interface Edit {
  op: 'add' | 'remove';
  rule: number;
  /** informed: fixes a failure it was shown; the rest are the wrong edits. */
  kind: 'informed' | 'irrelevant' | 'harmful' | 'useful-removed';
}

/** Draws in [0, 1) for named choices of one proposal. */
export type Draw = (name: string) => number;

export function applyEdit(rules: readonly number[], edit: Edit): number[] {
  const set = new Set(rules);
  if (edit.op === 'add') set.add(edit.rule);
  else set.delete(edit.rule);
  return [...set].sort((a, b) => a - b);
}

/**
 * The right edit for one failing case the improver was shown (the new optimizer's improver sees the case itself):
 * add a rule it needs that is missing, else remove a rule that harms it. Undefined when the case failed although
 * nothing in the prompt is wrong for it (bad luck or a judge flip): there is nothing right to do.
 */
export function fixFor(rules: ReadonlySet<number>, c: WorldCase, draw: Draw): Edit | undefined {
  const missing = c.needs.filter((r) => !rules.has(r));
  if (missing.length) return { op: 'add', rule: pick(missing, draw('fix')), kind: 'informed' };
  const harming = c.harmedBy.filter((r) => rules.has(r));
  if (harming.length) return { op: 'remove', rule: pick(harming, draw('fix')), kind: 'informed' };
  return undefined;
}

/**
 * A wrong edit, its kind drawn uniformly, falling back to the next kind when the drawn one is impossible:
 * - irrelevant: a rule no shown case needs is added;
 * - harmful: a double-edged rule is added;
 * - useful-removed: a rule some case of the world needs is removed.
 */
export function wrongEdit(world: World, rules: ReadonlySet<number>, shown: WorldCase[], draw: Draw): Edit | undefined {
  const shownNeeds = new Set(shown.flatMap((c) => c.needs));
  const needed = new Set(world.cases.flatMap((c) => c.needs));
  const absent = [...Array(world.ruleCount).keys()].filter((r) => !rules.has(r));
  const options: (() => Edit | undefined)[] = [
    () => {
      const irrelevant = absent.filter((r) => !shownNeeds.has(r) && !world.doubleEdged.includes(r));
      return irrelevant.length ? { op: 'add', rule: pick(irrelevant, draw('rule')), kind: 'irrelevant' } : undefined;
    },
    () => {
      const harmful = absent.filter((r) => world.doubleEdged.includes(r));
      return harmful.length ? { op: 'add', rule: pick(harmful, draw('rule')), kind: 'harmful' } : undefined;
    },
    () => {
      const useful = [...rules].filter((r) => needed.has(r));
      return useful.length ? { op: 'remove', rule: pick(useful, draw('rule')), kind: 'useful-removed' } : undefined;
    },
  ];
  const first = Math.floor(draw('kind') * options.length);
  for (let i = 0; i < options.length; i++) {
    const edit = options[(first + i) % options.length]!();
    if (edit) return edit;
  }
  return undefined;
}

/**
 * The new optimizer's improver: shown the parent's failing minibatch cases (inputs, outputs, the judge's reasons),
 * it makes one edit per failing case, up to `maxEdits` (the change budget): with probability `accuracy` the fix for
 * that case, otherwise (or when that failure has nothing to fix: bad luck or a judge flip) a wrong edit.
 */
export function reflectiveEdits(
  world: World,
  parent: readonly number[],
  failing: WorldCase[],
  accuracy: number,
  maxEdits: number,
  draw: Draw,
): Edit[] {
  const edits: Edit[] = [];
  let rules = [...parent];
  for (const [i, c] of failing.slice(0, maxEdits).entries()) {
    const at = (name: string) => draw(`${i}:${name}`);
    const set = new Set(rules);
    const edit = (at('informed') < accuracy ? fixFor(set, c, at) : undefined) ?? wrongEdit(world, set, failing, at);
    if (!edit) continue;
    edits.push(edit);
    rules = applyEdit(rules, edit);
  }
  return edits;
}

/**
 * The previous loop's improver: it sees only the judge's weaknesses, a noisy aggregate (the tags of the cases the
 * judge failed, counted), never the cases. It makes one edit per weak tag, most-failed first, up to `maxEdits`:
 * with probability `accuracy` it adds a missing rule of that tag's pool (right for some of the tag's cases, maybe
 * not for the ones that failed, possibly the double-edged one); it cannot tell which rule harms a case, so it never
 * removes one on purpose. Otherwise, or when the pool is all present, a wrong edit.
 */
export function weaknessEdits(
  world: World,
  parent: readonly number[],
  failedTags: Map<string, number>,
  accuracy: number,
  maxEdits: number,
  draw: Draw,
): Edit[] {
  const edits: Edit[] = [];
  let rules = [...parent];
  const weakest = [...failedTags].sort((a, b) => b[1] - a[1] || (draw(`tie:${a[0]}`) < draw(`tie:${b[0]}`) ? -1 : 1));
  for (const [i, [tag]] of weakest.slice(0, maxEdits).entries()) {
    const at = (name: string) => draw(`${i}:${name}`);
    const set = new Set(rules);
    const missing = world.pool.get(tag)!.filter((r) => !set.has(r));
    const edit: Edit | undefined =
      at('informed') < accuracy && missing.length
        ? { op: 'add', rule: pick(missing, at('fix')), kind: 'informed' }
        : wrongEdit(world, set, [], at);
    if (!edit) continue;
    edits.push(edit);
    rules = applyEdit(rules, edit);
  }
  return edits;
}

export function applyEdits(rules: readonly number[], edits: readonly Edit[]): number[] {
  return edits.reduce<number[]>((r, e) => applyEdit(r, e), [...rules]);
}

export const describe = (edits: readonly Edit[]) =>
  edits.map((e) => `${e.op === 'add' ? '+' : '-'}${e.rule} (${e.kind})`).join(', ');
