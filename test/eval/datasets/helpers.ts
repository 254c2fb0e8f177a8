import { DatasetError, parseDataset, type DatasetFormat } from '../../../src/eval/datasets';

/** The problems of a parse that must fail; fails the test when it does not. */
export function problemsOf(
  text: string,
  format: DatasetFormat,
  opts: Partial<Parameters<typeof parseDataset>[2]> = {},
) {
  try {
    parseDataset(text, format, { source: `d.${format}`, ...opts });
  } catch (err) {
    if (err instanceof DatasetError) return err.problems;
    throw err;
  }
  throw new Error('expected the dataset to be rejected');
}

/** A stand-in for the eval's assertion validator: same contract (throws `${where}: …`). */
export function strictAssertions(raw: unknown, where: string): unknown[] {
  if (!Array.isArray(raw)) throw new Error(`${where}: expected a list`);
  raw.forEach((a: { type?: unknown; value?: unknown }, i) => {
    if (a.type !== 'contains' && a.type !== 'regex' && a.type !== 'max-length') {
      throw new Error(`${where}: ${i}: unknown assertion type "${String(a.type)}"`);
    }
    if (a.type === 'max-length' && typeof a.value !== 'number')
      throw new Error(`${where}: ${i}: value must be a number`);
  });
  return raw as unknown[];
}
