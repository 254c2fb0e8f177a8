'use strict';
/**
 * SQL lives only in store modules: src/store/, or a *-store.ts beside its domain. Everything else calls
 * their named functions, so a schema change is a search of the store modules, not of the whole tree.
 *
 * The rule reports string and template literals that start like a SQL statement. Keywords must be in
 * upper case, as every query here writes them: a sentence such as "Select a version" or "update the label"
 * is English, not SQL. Template literals are read with each `${…}` as a word, so `UPDATE ${table} SET`
 * is still a statement. CommonJS so that jest can load it (test/unit/lint/no-sql-outside-stores.test.ts).
 */
const STATEMENT = new RegExp(
  '^\\s*(?:' +
    [
      'SELECT\\s+\\S',
      '(?:INSERT|REPLACE)\\s+(?:OR\\s+[A-Z]+\\s+)?INTO\\s',
      'UPDATE\\s+\\w+\\s+SET\\s',
      'DELETE\\s+FROM\\s',
      'CREATE\\s+(?:UNIQUE\\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\\s',
      'ALTER\\s+TABLE\\s',
      'DROP\\s+(?:TABLE|INDEX|VIEW|TRIGGER)\\s',
      'WITH\\s+(?:RECURSIVE\\s+)?\\w+(?:\\s*\\([^)]*\\))?\\s+AS\\s*\\(',
    ].join('|') +
    ')',
);

const MESSAGE =
  'SQL outside a store module: move this query into a store module: src/store/ or a *-store.ts beside its domain, and call it by name.';

/** Files where queries belong; the rule is also scoped to src/** by its config block below. */
const STORE_MODULES = ['src/store/**', 'src/**/*-store.ts'];

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'SQL statements only in store modules (src/store/ or a *-store.ts beside its domain)' },
    schema: [],
    messages: { sql: MESSAGE },
  },
  create(context) {
    const check = (node, text) => {
      if (STATEMENT.test(text)) context.report({ node, messageId: 'sql' });
    };
    return {
      Literal(node) {
        if (typeof node.value === 'string') check(node, node.value);
      },
      TemplateLiteral(node) {
        check(node, node.quasis.map((q) => q.value.cooked ?? q.value.raw).join('x'));
      },
    };
  },
};

const plugin = { meta: { name: 'refinery-local' }, rules: { 'no-sql-outside-stores': rule } };

/** The one config block eslint.config.mjs uses (and the rule's test lints through). */
const config = {
  files: ['src/**/*.ts'],
  ignores: STORE_MODULES,
  plugins: { 'refinery-local': plugin },
  rules: { 'refinery-local/no-sql-outside-stores': 'error' },
};

module.exports = { rule, plugin, config, STATEMENT, STORE_MODULES };
