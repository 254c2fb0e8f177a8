import path from 'node:path';
import { scriptsInFolder, type AssertionContext } from '../../../src/eval/assertions';

export const FIXTURES = path.join(__dirname, 'fixtures');

/** A context with the given output; scripts resolve against the fixtures directory. */
export function ctx(output: string, extra: Partial<AssertionContext> = {}): AssertionContext {
  return { output, vars: {}, scripts: scriptsInFolder(FIXTURES), ...extra };
}
