import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkImports } from '../../../scripts/check-imports';

let dirs: string[] = [];

/** A throwaway src/ tree: file path → its text. */
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-imports-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const messages = (root: string) => checkImports(root).map((p) => `${p.kind}: ${p.message}`);

describe('check-imports', () => {
  test('a layered tree with no cycle passes', () => {
    const root = tree({
      'store/db.ts': 'export const db = 1;\n',
      'store/index.ts': "export * from './db';\n",
      'eval/types.ts': 'export interface Row { id: string }\n',
      'store/rows.ts': "import type { Row } from '../eval/types';\nexport const rows: Row[] = [];\n",
      'eval/run.ts':
        "import { db } from '../store';\nimport { rows } from '../store/rows';\nexport const run = () => db + rows.length;\n",
      'activities/eval.ts': "import { run } from '../eval/run';\nexport const activities = { run };\n",
      'workflows/eval.ts':
        "import type { activities } from '../activities/eval';\nexport type A = typeof activities;\n",
      'cli/exit-codes.ts': 'export const OK = 0;\n',
      'cli/main.ts':
        "import { OK } from './exit-codes';\nimport type { A } from '../workflows/eval';\nimport { activities } from '../activities/eval';\nexport const main = (a?: A) => [OK, a, activities];\n",
      'worker.ts': "export { activities } from './activities/eval';\n",
    });
    expect(messages(root)).toEqual([]);
  });

  test("a domain's *-activities.ts adapters sit on the activities floor", () => {
    const root = tree({
      'calendar/monthly/rules.ts': 'export const rule = 1;\n',
      'calendar/monthly/monthly-activities.ts':
        "import { rule } from './rules';\nimport { start } from '../../clients/start';\nexport const a = () => [rule, start];\n",
      'calendar/monthly/report.ts': "import { a } from './monthly-activities';\nexport const r = a;\n",
      'clients/start.ts': 'export const start = 1;\n',
    });
    const found = messages(root);
    expect(found).toEqual([
      expect.stringContaining(
        'calendar/monthly/monthly-activities.ts (floor activities) imports clients/start.ts (floor entry)',
      ),
      expect.stringContaining(
        'calendar/monthly/report.ts (floor domain) imports calendar/monthly/monthly-activities.ts (floor activities)',
      ),
    ]);
  });

  test('a cycle is reported with its path', () => {
    const root = tree({
      'eval/a.ts': "import { b } from './b';\nexport const a = () => b();\n",
      'eval/b.ts': "import { c } from './c';\nexport const b = () => c();\n",
      'eval/c.ts': "import { a } from './a';\nexport const c = () => a();\n",
    });
    expect(messages(root)).toEqual([
      expect.stringContaining('cycle: import cycle: eval/a.ts -> eval/b.ts -> eval/c.ts -> eval/a.ts.'),
    ]);
    expect(messages(root)[0]).toContain(
      'moving what the modules share (types, helpers) into a module they both import',
    );
  });

  test('a type-only cycle counts too, and its type-only step is marked', () => {
    const root = tree({
      'eval/assertions/regex.ts':
        "import type { AssertionOf } from './schema';\nexport const regexProblem = (a: AssertionOf) => a;\n",
      'eval/assertions/schema.ts':
        "import { regexProblem } from './regex';\nexport type AssertionOf = { type: 'regex' };\nexport const check = regexProblem;\n",
    });
    expect(messages(root)).toEqual([
      expect.stringContaining(
        'import cycle: eval/assertions/regex.ts -(type)-> eval/assertions/schema.ts -> eval/assertions/regex.ts.',
      ),
    ]);
  });

  test('an import from a lower floor up into a higher one is reported, naming both ends and the floors', () => {
    const root = tree({
      'library/versions.ts': 'export const nameProblem = (n: string) => n;\n',
      'store/skill-versions.ts': "import { nameProblem } from '../library/versions';\nexport const x = nameProblem;\n",
      'activities/run.ts': 'export const act = 1;\n',
      'optimizer/projection.ts': "export { act } from '../activities/run';\n",
    });
    expect(messages(root)).toEqual([
      expect.stringContaining(
        'floor: optimizer/projection.ts (floor domain) imports activities/run.ts (floor activities): a lower floor must not import a higher one.',
      ),
      expect.stringContaining(
        'floor: store/skill-versions.ts (floor base) imports library/versions.ts (floor domain): a lower floor must not import a higher one.',
      ),
    ]);
  });

  test('workflows may import activities only as types', () => {
    const root = tree({
      'activities/index.ts': 'export const createActivities = () => ({});\n',
      'workflows/tune.ts': "import { createActivities } from '../activities';\nexport const w = createActivities;\n",
      'workflows/eval.ts':
        "import { type createActivities } from '../activities/index';\nexport type A = ReturnType<typeof createActivities>;\n",
    });
    expect(messages(root)).toEqual([
      expect.stringContaining(
        'floor: workflows/tune.ts (floor workflows) imports activities/index.ts (floor activities) as a value: workflows may import activities only with `import type`.',
      ),
    ]);
  });

  test('only cli/ imports cli/, even from the entry floor', () => {
    const root = tree({
      'cli/library-io.ts': 'export const contentAsFiles = () => ({});\n',
      'mcp/library-tools.ts': "import { contentAsFiles } from '../cli/library-io';\nexport const t = contentAsFiles;\n",
    });
    expect(messages(root)).toEqual([
      expect.stringContaining('private: mcp/library-tools.ts imports cli/library-io.ts: only cli/ may import cli/.'),
    ]);
  });

  test('dynamic imports, require and import types are followed; package imports are not', () => {
    const root = tree({
      'store/a.ts': "export const load = () => import('../eval/x');\n",
      'store/b.ts': "export type X = typeof import('../eval/y');\n",
      'store/c.ts': "import { z } from 'zod';\nimport path from 'node:path';\nexport const c = [z, path];\n",
      'eval/x.ts': 'export const x = 1;\n',
      'eval/y.ts': 'export const y = 1;\n',
    });
    expect(messages(root).map((m) => m.slice(0, m.indexOf(':', 7)))).toEqual([
      'floor: store/a.ts (floor base) imports eval/x.ts (floor domain)',
      'floor: store/b.ts (floor base) imports eval/y.ts (floor domain)',
    ]);
  });
});
