import type { World } from './world';

/**
 * The best reachable prompt: every one of the 2^rules rule sets enumerated, scored by its true (noise-free)
 * expected pass rate on the given cases; the first best in enumeration order.
 */
export function bestReachable(world: World, caseIds: readonly string[]): { rules: number[]; rate: number } {
  const cases = caseIds.map((id) => {
    const c = world.byId.get(id)!;
    return { needs: maskOf(c.needs), harm: maskOf(c.harmedBy), needCount: c.needs.length };
  });
  const { pass, passHarmed, passMissing, distraction } = world.settings;
  let best = { mask: 0, sum: -1 };
  for (let mask = 0; mask < 1 << world.ruleCount; mask++) {
    let sum = 0;
    const size = bitCount(mask);
    for (const c of cases)
      sum +=
        (mask & c.needs) !== c.needs
          ? passMissing
          : mask & c.harm
            ? passHarmed
            : Math.max(passMissing, pass - distraction * (size - c.needCount));
    if (sum > best.sum + 1e-12) best = { mask, sum };
  }
  const rules = [...Array(world.ruleCount).keys()].filter((r) => best.mask & (1 << r));
  return { rules, rate: cases.length ? best.sum / cases.length : 0 };
}

function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}

const maskOf = (rules: number[]) => rules.reduce((m, r) => m | (1 << r), 0);
