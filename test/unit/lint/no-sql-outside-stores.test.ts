import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';

// The rule and the config block eslint.config.mjs uses, so the file globs are tested as well as the pattern.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const noSql = require('../../../eslint-rules/no-sql-outside-stores.cjs') as {
  config: Linter.Config;
  STATEMENT: RegExp;
};

const root = path.resolve(__dirname, '../../..');
const linter = new Linter({ cwd: root });
const configs: Linter.Config[] = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, noSql.config];

/** The rule's reports for code placed at file (a path under the repository root). */
function sqlReports(file: string, code: string) {
  return linter
    .verify(code, configs, { filename: path.join(root, file) })
    .filter((m) => m.ruleId === 'refinery-local/no-sql-outside-stores' || m.fatal);
}

const query = `
export async function pending(db: Queryable, runId: string) {
  return db.all<{ n: number }>(
    \`
      SELECT COUNT(*) AS n FROM tune_runs
      WHERE run_id = ?\`,
    [runId],
  );
}`;

describe('no-sql-outside-stores', () => {
  it('flags a query in an activity, naming the problem and the fix', () => {
    const reports = sqlReports('src/activities/tune/report.ts', query);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.message).toContain('SQL outside a store module');
    expect(reports[0]!.message).toContain('src/store/ or a *-store.ts beside its domain');
    expect(reports[0]!.line).toBe(4);
  });

  it('flags every kind of statement in strings and templates, keywords split over lines', () => {
    const code = [
      "const a = 'INSERT INTO side_effects (effect_key) VALUES (?) ON CONFLICT DO NOTHING';",
      'const b = `UPDATE ${table}\n  SET status = ?`;',
      'const c = "DELETE FROM alerts WHERE id = ?";',
      "const d = 'CREATE UNIQUE INDEX one ON t (a)';",
      "const e = 'ALTER TABLE t ADD COLUMN c TEXT';",
      "const f = 'DROP TABLE t';",
      'const g = `WITH recent AS (SELECT 1) SELECT * FROM recent`;',
      "const h = 'SELECT 1 AS ok';",
    ].join('\n');
    expect(sqlReports('src/api/routes/meta.ts', code).map((r) => r.line)).toEqual([1, 2, 4, 5, 6, 7, 8, 9]);
  });

  it('allows queries in src/store/ and in a *-store.ts beside its domain', () => {
    expect(sqlReports('src/store/x.ts', query)).toEqual([]);
    expect(sqlReports('src/store/nested/y.ts', query)).toEqual([]);
    expect(sqlReports('src/library/foo-store.ts', query)).toEqual([]);
    expect(sqlReports('src/rollout/rollout-store.ts', query)).toEqual([]);
  });

  it('reads a file named like a store but outside the pattern as a non-store', () => {
    expect(sqlReports('src/rollout/store.ts', query)).toHaveLength(1);
    expect(sqlReports('src/library/storefront.ts', query)).toHaveLength(1);
  });

  it('does not take English for SQL', () => {
    const code = [
      "const a = 'Select a version';",
      "const b = 'update the label';",
      "const c = 'Update the label, then select the version from the list';",
      'const d = `Delete from the library: ${name}`;',
      "const e = 'With a rollout as the guard';",
      "const f = 'SELECT';",
      "const g = 'Create table of contents';",
      "const h = 'the query SELECT * FROM t';",
    ].join('\n');
    expect(sqlReports('src/cli/commands/drill.ts', code)).toEqual([]);
  });

  it('only looks at src/', () => {
    expect(sqlReports('test/store/seed.ts', query)).toEqual([]);
    expect(sqlReports('bench/rollout.ts', query)).toEqual([]);
  });
});
