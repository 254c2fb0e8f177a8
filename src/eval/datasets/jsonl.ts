import type { AssertionValidator } from './case';
import type { CaseCollector } from './collector';
import { RowError } from './errors';
import { finishCase, parseFields, validateWith } from './fields';

/** JSON lines: one case object per non-empty line; line numbers are 1-based physical lines. */
export function readJsonl(text: string, collector: CaseCollector, validate: AssertionValidator): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    collector.add(i + 1, (at, position) => {
      const fields = parseFields(parseJson(line, at), at);
      const assertions = fields.assertions?.length
        ? validateWith(validate, fields.assertions, `${at}: assertions`)
        : [];
      return finishCase(fields, assertions, at, position);
    });
  }
}

function parseJson(line: string, at: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new RowError(`${at}: not valid JSON`);
  }
}
