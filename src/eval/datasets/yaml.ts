import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type YAMLSeq } from 'yaml';
import type { AssertionValidator } from './case';
import type { CaseCollector } from './collector';
import { finishCase, parseFields, validateWith } from './fields';

/**
 * YAML: a top-level list of cases, or a mapping `{cases: [...]}`. Source tokens and a line counter are kept so
 * every problem points at the line its case starts on (the line of its `-`).
 */
export function readYaml(text: string, collector: CaseCollector, validate: AssertionValidator): void {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { keepSourceTokens: true, lineCounter, prettyErrors: true });
  const lineOf = (node: unknown): number => (isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : 1);
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const line = lineCounter.linePos(e.pos[0]).line;
      // An unclosed quote or bracket is only noticed where the file ends: name the case it began in too.
      const open = caseAt(doc.contents, e.pos[0]);
      const started = open === undefined ? line : lineOf(open);
      const within = started < line ? ` (in the case starting at line ${started})` : '';
      collector.problemAt(line, `YAML syntax error: ${syntaxMessage(e)}${within}`);
    }
    return;
  }

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return; // an empty file: "no cases"
  let seq: YAMLSeq;
  let values: unknown;
  try {
    // Whole-document conversion resolves aliases across cases and applies the alias-expansion cap once.
    values = doc.toJS();
  } catch (err) {
    collector.problemAt(1, `YAML could not be read: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  if (isSeq(root)) {
    seq = root;
  } else if (isMap(root)) {
    const others = root.items.filter((p) => !(isScalar(p.key) && p.key.value === 'cases'));
    for (const p of others) collector.problemAt(lineOf(p.key), `unknown top-level key; the document is {cases: [...]}`);
    const cases = root.get('cases', true);
    if (!isSeq(cases)) return collector.problemAt(lineOf(cases ?? root), '"cases" must be a list of cases');
    if (others.length) return;
    seq = cases;
    values = (values as { cases: unknown }).cases;
  } else {
    return collector.problemAt(lineOf(root), 'expected a list of cases, or a mapping {cases: [...]}');
  }
  const items = values as unknown[];
  seq.items.forEach((node, i) => {
    collector.add(lineOf(node), (at, position) => {
      const fields = parseFields(items[i], at);
      const assertions = fields.assertions?.length
        ? validateWith(validate, fields.assertions, `${at}: assertions`)
        : [];
      return finishCase(fields, assertions, at, position);
    });
  });
}

/** The last case starting at or before `offset`, in a document that may be only partly parsed. */
function caseAt(root: unknown, offset: number): unknown {
  const list = isMap(root) ? root.get('cases', true) : root;
  if (!isSeq(list)) return undefined;
  let found: unknown;
  for (const item of list.items) if (isNode(item) && item.range && item.range[0] <= offset) found = item;
  return found;
}

/** The parser's message without its own position and code excerpt: the line is already in the prefix. */
function syntaxMessage(e: Error): string {
  const first = e.message.split('\n')[0] ?? e.message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}
