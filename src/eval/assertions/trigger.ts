import { readTriggerOutput } from '../../skills/trigger';
import { failed, passed } from './result';
import type { AssertionOf } from './schema';

/** A trigger case's verdict: the model loaded the skill exactly when it should have. */
export function triggerAssertion(a: AssertionOf<'trigger'>, output: string) {
  const o = readTriggerOutput(output);
  if (!o) return failed(a, 'no trigger answer: the case was not run as a trigger case');
  const loaded = o.loaded.length ? `loaded ${o.loaded.join(', ')}` : 'loaded no skill';
  if (o.candidateLoaded === a.should)
    return passed(a, 1, a.should ? `${loaded}, as it should` : `${loaded}; not ${o.candidate}, as it should`);
  return failed(
    a,
    a.should
      ? `should load ${o.candidate} for this query but ${loaded}`
      : `should not load ${o.candidate} for this query but ${loaded}`,
  );
}
