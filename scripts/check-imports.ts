/**
 * `npm run lint` step: fails on import cycles between modules of src/ (type-only imports included: a type cycle
 * still ties two modules so that neither can be read or moved without the other) and on imports that go up a floor.
 *
 * Run: `tsx scripts/check-imports.ts [root]` (root defaults to src). Exit 1 with one line per problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The floors of src/, from the bottom. A module may import from its own floor and the floors below it, never from
 * one above. Each entry is a path relative to the root: a folder (everything under it) or a file; the longest
 * match wins, and anything not listed sits on the "domain" floor.
 *
 * - base: storage plumbing and the leaf modules it needs, which import nothing above them: the store, the generic
 *   concurrency tools, and four pure leaves the store uses (skill size limits, secret redaction and the error
 *   shapes it reads, the API's rate setting that the configuration parses).
 * - domain: library, eval, providers, skills, optimizer, rollout, calendar, cases, improve, tune, temporal, …
 *   Pure rules and domain stores, plus shared.ts (message definitions) and config.ts (the environment schema),
 *   which name domain types and are read by activities. Called by the floors above, never calling back up.
 * - activities: thin adapters the worker registers: src/activities, and a domain's own adapters beside its rules
 *   (`*-activities.ts`, and the calendar's `activities.ts` that puts its periods' adapters together), as a
 *   domain's queries sit beside it in `*-store.ts`.
 * - workflows: may import activities only as types (`import type`): activity code runs outside the sandbox.
 * - entry: processes and the clients they start workflows with: CLI, HTTP API, worker, MCP server, dashboard,
 *   metrics endpoint.
 */
export const FLOORS: readonly { name: string; paths: readonly string[] }[] = [
  {
    name: 'base',
    paths: [
      'store',
      'concurrency',
      'skills/limits.ts',
      'providers/redact.ts',
      'providers/error-shape.ts',
      'api/rate-limit.ts',
    ],
  },
  { name: 'domain', paths: [] },
  { name: 'activities', paths: ['activities'] },
  { name: 'workflows', paths: ['workflows'] },
  {
    name: 'entry',
    paths: ['cli', 'api', 'clients', 'client.ts', 'worker.ts', 'worker-metrics.ts', 'mcp', 'dashboard', 'metrics'],
  },
];

const DEFAULT_FLOOR = 'domain';
/** Activity adapters that live beside their domain rather than under src/activities. */
const isActivityAdapter = (file: string) => file.endsWith('-activities.ts') || file === 'calendar/activities.ts';

/**
 * Floor pairs whose imports must be type-only although they go down: workflow code runs in Temporal's sandbox and
 * reaches activities through proxyActivities, naming only their types.
 */
const TYPE_ONLY: readonly { from: string; to: string }[] = [{ from: 'workflows', to: 'activities' }];

/**
 * Type declarations any floor may import with `import type`: the store's rows are shaped by them. A type-only
 * import carries no code at run time, and the cycle check still keeps them from tangling.
 */
const TYPE_LEAVES: readonly string[] = ['eval/types.ts', 'optimizer/types.ts'];

/** Folders whose modules only their own folder may import, whatever the floors say. */
const PRIVATE: readonly string[] = ['cli'];

export interface Problem {
  kind: 'cycle' | 'floor' | 'private';
  message: string;
}

interface Edge {
  to: string;
  typeOnly: boolean;
}

/** All problems under `root` (a directory of .ts files), sorted, as messages with paths relative to `root`. */
export function checkImports(root: string): Problem[] {
  const files = listTs(root);
  const graph = new Map<string, Edge[]>();
  for (const file of files) graph.set(file, importsOf(root, file));
  return [...floorProblems(graph), ...cycleProblems(graph)];
}

function listTs(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listTs(root, rel));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out.sort();
}

/** The modules `file` imports under `root`, each once; type-only when every import of it is. */
function importsOf(root: string, file: string): Edge[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found = new Map<string, boolean>();
  const add = (specifier: string, typeOnly: boolean): void => {
    const target = resolve(root, file, specifier);
    if (target) found.set(target, (found.get(target) ?? true) && typeOnly);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, importIsTypeOnly(node.importClause));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier.text, node.isTypeOnly || (!!named?.length && named.every((e) => e.isTypeOnly)));
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      add(node.moduleReference.expression.text, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) add(literal.text, true);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found].map(([to, typeOnly]) => ({ to, typeOnly }));
}

function importIsTypeOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false; // `import './x'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return (
    !!bindings &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

/** A relative specifier as a file under `root`, as TypeScript's node resolution finds it; others are packages. */
function resolve(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  if (base.startsWith('..')) return undefined;
  const stem = base.replace(/\.(js|ts)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`, `${stem}/index.tsx`]) {
    if (fs.existsSync(path.join(root, candidate))) return candidate;
  }
  return undefined;
}

function floorOf(file: string): string {
  let best = { length: -1, name: DEFAULT_FLOOR };
  for (const floor of FLOORS) {
    for (const p of floor.paths) {
      if ((file === p || file.startsWith(`${p}/`)) && p.length > best.length)
        best = { length: p.length, name: floor.name };
    }
  }
  return best.length < 0 && isActivityAdapter(file) ? 'activities' : best.name;
}

const rank = (floor: string): number => FLOORS.findIndex((f) => f.name === floor);

function floorProblems(graph: Map<string, Edge[]>): Problem[] {
  const problems: Problem[] = [];
  for (const [from, edges] of graph) {
    for (const { to, typeOnly } of edges) {
      const owner = PRIVATE.find((p) => to.startsWith(`${p}/`));
      if (owner && !from.startsWith(`${owner}/`)) {
        problems.push({
          kind: 'private',
          message: `${from} imports ${to}: only ${owner}/ may import ${owner}/. Move what both need into a module below both.`,
        });
        continue;
      }
      const [f, t] = [floorOf(from), floorOf(to)];
      if (!typeOnly && TYPE_ONLY.some((r) => r.from === f && r.to === t)) {
        problems.push({
          kind: 'floor',
          message:
            `${from} (floor ${f}) imports ${to} (floor ${t}) as a value: ${f} may import ${t} only with \`import type\`. ` +
            `Call it through proxyActivities, or move the value it needs into a module below both.`,
        });
        continue;
      }
      if (rank(t) <= rank(f)) continue;
      if (typeOnly && TYPE_LEAVES.includes(to)) continue;
      problems.push({
        kind: 'floor',
        message:
          `${from} (floor ${f}) imports ${to} (floor ${t}): a lower floor must not import a higher one. ` +
          `Move what ${from} needs down to the ${f} floor, or move ${from} up. Floors: ${FLOORS.map((x) => x.name).join(' < ')}.`,
      });
    }
  }
  return problems;
}

/** One problem per strongly connected component: its shortest cycle through its first module. */
function cycleProblems(graph: Map<string, Edge[]>): Problem[] {
  const problems: Problem[] = [];
  for (const component of stronglyConnected(graph)) {
    const members = new Set(component);
    const start = [...component].sort()[0]!;
    const cycle = shortestCycle(graph, start, members);
    if (!cycle) continue;
    const steps = cycle
      .slice(1)
      .map((to, i) => {
        const typeOnly = graph.get(cycle[i]!)!.find((e) => e.to === to)!.typeOnly;
        return `${typeOnly ? ' -(type)-> ' : ' -> '}${to}`;
      })
      .join('');
    const more = component.length > cycle.length - 1 ? ` (${component.length} modules are tangled in all)` : '';
    problems.push({
      kind: 'cycle',
      message:
        `import cycle: ${start}${steps}${more}. Type-only imports count too. ` +
        'Break it by moving what the modules share (types, helpers) into a module they both import.',
    });
  }
  return problems;
}

function shortestCycle(graph: Map<string, Edge[]>, start: string, members: Set<string>): string[] | undefined {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i]!;
    for (const { to } of graph.get(at) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let n = at; n !== start; n = previous.get(n)!) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!previous.has(to) && to !== start) {
        previous.set(to, at);
        queue.push(to);
      }
    }
  }
  return undefined;
}

/** Tarjan's algorithm, iterative (src/ is deep enough to worry a recursive one); components of one module are kept only if it imports itself. */
function stronglyConnected(graph: Map<string, Edge[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!.to;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== frame.node);
        const selfLoop = graph.get(frame.node)?.some((e) => e.to === frame.node);
        if (component.length > 1 || selfLoop) out.push(component);
      }
    }
  }
  return out;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? 'src');
  const problems = checkImports(root);
  for (const p of problems) console.error(`check-imports: ${p.message}`);
  if (problems.length > 0) {
    console.error(`check-imports: ${problems.length} problem(s) under ${path.relative(process.cwd(), root) || '.'}`);
    process.exit(1);
  }
}
