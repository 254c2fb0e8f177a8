import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import draft7MetaSchema from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';

/**
 * Static checks of the scaled-out deployment (docker-compose.yml, Dockerfile, docs/scale-out.md). No Docker
 * engine is needed: the file is validated against the Compose Specification's own JSON schema, vendored in
 * test/fixtures (source noted in docs/scale-out.md), plus the topology rules Refinery relies on.
 */

const root = path.resolve(__dirname, '..');
const read = (rel: string): string => fs.readFileSync(path.join(root, rel), 'utf8');

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: Healthcheck;
  deploy?: { replicas?: number };
  restart?: string;
  ports?: unknown[];
  volumes?: unknown[];
  container_name?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  [key: string]: unknown;
}

const composeText = read('docker-compose.yml');
// Compose resolves YAML merge keys (`<<: *anchor`); so must the parser, or the anchored blocks look missing.
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = compose.services;
const serviceNames = Object.keys(services);

function compileComposeSchema(): ValidateFunction {
  const schema = JSON.parse(read('test/fixtures/compose-spec.schema.json')) as { $schema: string };
  // The spec names draft-07 by an https URI that Ajv does not register; alias Ajv's own draft-07 meta-schema
  // to it so the schema is still checked against its meta-schema. strict: false tolerates the spec's
  // annotation keywords (e.g. `deprecated`); the schema uses no `format`, so no format plugin is needed.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema({ ...draft7MetaSchema, $id: schema.$schema });
  return ajv.compile(schema);
}
const validateCompose = compileComposeSchema();

function schemaErrors(doc: unknown): string[] {
  if (validateCompose(doc)) return [];
  return (validateCompose.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
}

function dependsOn(service: Service): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d.condition ?? 'service_started']));
}

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Services that others wait on with service_completed_successfully: setup jobs, not long-running. */
const oneShotServices = new Set(
  Object.values(services).flatMap((s) =>
    Object.entries(dependsOn(s))
      .filter(([, condition]) => condition === 'service_completed_successfully')
      .map(([name]) => name),
  ),
);
const longRunningServices = serviceNames.filter((name) => !oneShotServices.has(name));

/** Service name -> image cell of the table in docs/scale-out.md whose header starts with "Service". */
function documentedServices(): Map<string, string> {
  const lines = read('docs/scale-out.md').split('\n');
  const header = lines.findIndex((l) => /^\|\s*Service\s*\|/i.test(l));
  if (header === -1) throw new Error('docs/scale-out.md has no table with a "Service" column');
  const rows = new Map<string, string>();
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [, name = '', image = ''] = line.split('|').map((cell) => cell.trim());
    rows.set(name.replace(/`/g, ''), image);
  }
  return rows;
}

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema', () => {
    const errors = schemaErrors(compose);
    if (errors.length > 0) console.error(`docker-compose.yml fails the Compose schema:\n${errors.join('\n')}`);
    expect(errors).toEqual([]);
  });

  describe('the schema validator rejects a broken file', () => {
    const broken = (mutate: (doc: ComposeFile) => void): string[] => {
      const doc = structuredClone(compose);
      mutate(doc);
      return schemaErrors(doc);
    };

    test('an unknown service key', () => {
      const errors = broken((doc) => {
        (doc.services['refinery-worker'] as Record<string, unknown>).replicas = 2;
      });
      expect(errors).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\/services\/refinery-worker must NOT have additional/)]),
      );
    });

    test('a depends_on condition that does not exist', () => {
      const errors = broken((doc) => {
        doc.services['refinery-api']!.depends_on = { temporal: { condition: 'bogus' } };
      });
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\/services\/refinery-api\/depends_on\/temporal\/condition must be equal to one/),
        ]),
      );
    });

    test('an unknown healthcheck key and a fractional replica count', () => {
      const errors = broken((doc) => {
        (doc.services.postgresql!.healthcheck as Record<string, unknown>).command = 'pg_isready';
        (doc.services['refinery-worker']!.deploy as Record<string, unknown>).replicas = 1.5;
      });
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\/services\/postgresql\/healthcheck must NOT have additional/),
          expect.stringMatching(/^\/services\/refinery-worker\/deploy\/replicas must be integer/),
        ]),
      );
    });

    test('an unknown top-level key', () => {
      expect(broken((doc) => (doc.servics = {}))).not.toEqual([]);
    });
  });

  test('lists exactly the services in the docs/scale-out.md service table, with the same images', () => {
    const documented = documentedServices();
    expect([...documented.keys()].sort()).toEqual([...serviceNames].sort());
    for (const [name, service] of Object.entries(services)) {
      expect({ name, image: documented.get(name) }).toEqual({
        name,
        image: expect.stringContaining(`\`${service.image}\``),
      });
    }
  });

  test('has the scaled-out topology', () => {
    expect(serviceNames).toEqual(
      expect.arrayContaining([
        'postgresql',
        'temporal',
        'temporal-setup',
        'temporal-ui',
        'refinery-worker',
        'refinery-api',
      ]),
    );
    expect(longRunningServices).toContain('postgresql');
    expect(longRunningServices).not.toContain('temporal-setup');
    expect(oneShotServices).toEqual(new Set(['temporal-setup']));
  });

  test.each(longRunningServices)('long-running service %s has a healthcheck and a restart policy', (name) => {
    const service = services[name]!;
    expect(service.healthcheck?.disable).not.toBe(true);
    const testCmd = service.healthcheck?.test;
    expect(testCmd).toBeDefined();
    expect(Array.isArray(testCmd) ? testCmd[0] : testCmd).not.toBe('NONE');
    expect(['always', 'unless-stopped', 'on-failure']).toContain(service.restart);
  });

  test('one-shot services are not restarted by compose (their retries are inside the job)', () => {
    for (const name of oneShotServices) expect(services[name]!.restart).toBe('no');
  });

  test('every service_healthy dependency has a healthcheck to satisfy it', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependsOn(service))) {
        expect({ name, dep, exists: dep in services }).toEqual({ name, dep, exists: true });
        if (condition === 'service_healthy') expect(services[dep]!.healthcheck?.test).toBeDefined();
      }
    }
  });

  test.each(['refinery-worker', 'refinery-api'])('%s waits for Temporal healthy and the setup job', (name) => {
    expect(dependsOn(services[name]!)).toEqual({
      postgresql: 'service_healthy',
      temporal: 'service_healthy',
      'temporal-setup': 'service_completed_successfully',
    });
  });

  test('Temporal waits for a healthy PostgreSQL; the UI and setup job for a healthy Temporal', () => {
    expect(dependsOn(services.temporal!)).toEqual({ postgresql: 'service_healthy' });
    expect(dependsOn(services['temporal-ui']!)).toEqual({ temporal: 'service_healthy' });
    expect(dependsOn(services['temporal-setup']!)).toEqual({ temporal: 'service_healthy' });
  });

  test('upstream images are pinned to a tag, never latest', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) continue;
      expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/^[^:]+:[\w.-]+$/) });
      expect(service.image).not.toMatch(/:latest$/);
    }
    expect(services.postgresql!.image).toBe('postgres:16');
  });

  test('the workers are replicated, built from the Dockerfile, and configured for the shared queue and store', () => {
    const worker = services['refinery-worker']!;
    expect(worker.deploy?.replicas).toBe(2);
    // A fixed container name or a published port would make --scale fail on the second replica.
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(worker.command).toEqual(['node', '--max-semi-space-size=32', 'dist/worker.js']);
    expect(environment(worker)).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'default',
      REFINERY_TASK_QUEUE: 'refinery',
      REFINERY_DATABASE_URL: 'postgres://refinery:${REFINERY_DB_PASSWORD:-refinery}@postgresql:5432/refinery',
      REFINERY_PROVIDER: '${REFINERY_PROVIDER:-auto}',
    });
  });

  test('the API runs from the same image with its port, URL, token and a /healthz probe', () => {
    const api = services['refinery-api']!;
    expect(api.image).toBe(services['refinery-worker']!.image);
    expect(api.command).toEqual(['node', 'bin/refinery.js', 'api']);
    expect(environment(api)).toMatchObject({
      REFINERY_API_PORT: '8787',
      REFINERY_PUBLIC_URL: expect.any(String),
      REFINERY_API_TOKEN: '${REFINERY_API_TOKEN:-}',
    });
    expect(api.ports).toEqual(['127.0.0.1:8787:8787']);
    expect(JSON.stringify(api.healthcheck?.test)).toContain('http://127.0.0.1:8787/healthz');
  });

  test("Refinery services share everything but the API's settings and the worker's metrics address", () => {
    const worker = environment(services['refinery-worker']!);
    const api = environment(services['refinery-api']!);
    expect(worker.REFINERY_WORKER_METRICS_ADDRESS).toBe('0.0.0.0:9464');
    for (const [key, value] of Object.entries(worker))
      if (key !== 'REFINERY_WORKER_METRICS_ADDRESS') expect({ key, value: api[key] }).toEqual({ key, value });
  });

  test('PostgreSQL is checked with pg_isready and keeps its data in a named volume', () => {
    const pg = services.postgresql!;
    expect(JSON.stringify(pg.healthcheck?.test)).toContain('pg_isready');
    expect(pg.volumes).toContain('postgresql-data:/var/lib/postgresql/data');
    expect(compose.volumes).toHaveProperty('postgresql-data');
    expect(Object.keys(environment(pg))).toEqual(
      expect.arrayContaining(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']),
    );
  });

  test('every service is on the named network', () => {
    expect(compose.networks).toEqual({ refinery: { name: 'refinery', driver: 'bridge' } });
    for (const service of Object.values(services)) {
      expect((service as { networks?: unknown }).networks).toEqual(['refinery']);
    }
  });

  test('every bind-mounted file or folder exists in the repository', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        if (typeof volume !== 'string' || !volume.startsWith('./')) continue;
        const source = volume.split(':')[0]!;
        expect({ source, exists: fs.existsSync(path.join(root, source)) }).toEqual({ source, exists: true });
      }
    }
  });

  test('the setup job registers the three Refinery search attributes with their types', () => {
    const script = read('deploy/temporal/register-search-attributes.sh');
    const array = (name: string): string[] =>
      (new RegExp(`^${name}=\\(([^)]*)\\)`, 'm').exec(script)?.[1] ?? '').trim().split(/\s+/);
    const names = array('names');
    const types = array('types');
    expect(Object.fromEntries(names.map((n, i) => [n, types[i]]))).toEqual({
      RefineryStatus: 'Keyword',
      RefineryRolloutStep: 'Int',
      RefinerySkill: 'Keyword',
    });
    expect(JSON.stringify(services['temporal-setup']!.volumes)).toContain(
      './deploy/temporal/register-search-attributes.sh',
    );
  });

  test('holds no secret values, only ${VAR:-} pass-throughs from the host', () => {
    const secretName = /(_API_KEY|_TOKEN|_SECRET)$/;
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(environment(service))) {
        if (secretName.test(key)) expect({ name, key, value }).toEqual({ name, key, value: `\${${key}:-}` });
      }
    }
    for (const name of ['refinery-worker', 'refinery-api']) {
      expect(environment(services[name]!)).toMatchObject({
        ANTHROPIC_API_KEY: '${ANTHROPIC_API_KEY:-}',
        GEMINI_API_KEY: '${GEMINI_API_KEY:-}',
      });
    }
    // Shapes of real provider keys, anywhere in the raw text (comments included).
    expect(composeText).not.toMatch(/sk-ant-[\w-]{10,}|AIza[\w-]{30,}|sk-[A-Za-z0-9]{20,}/);
    for (const line of composeText.split('\n')) {
      const m = /^\s*-?\s*([A-Z0-9_]*(?:_API_KEY|_TOKEN|_SECRET))\s*[:=]\s*(.*?)\s*$/.exec(line);
      if (m) expect(m[2]).toBe(`\${${m[1]}:-}`);
    }
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = read('Dockerfile');

  test('the worker starts with the same node flags everywhere it is deployed: npm run worker, the image, compose', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: { worker: string } };
    const flagsOf = (words: string[]) => words.filter((w) => w.startsWith('--'));
    const npmFlags = flagsOf(pkg.scripts.worker.split(/\s+/));
    expect(npmFlags).toEqual(['--max-semi-space-size=32']);
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)![1]!;
    expect(flagsOf(JSON.parse(cmd) as string[])).toEqual(npmFlags);
    expect(flagsOf(services['refinery-worker']!.command as string[])).toEqual(npmFlags);
  });

  test('builds on node:24-slim with npm ci and npm run build, and runs the worker by default', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/m);
    expect(dockerfile).toMatch(/^RUN .*\bnpm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build\b/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--max-semi-space-size=32", "dist\/worker\.js"\]$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  test('copies only files that exist and that .dockerignore does not drop', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'dist', '.tools', '.refinery', 'test-artifacts', '.git']),
    );
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: fs.existsSync(path.join(root, source)) }).toEqual({ source, exists: true });
      expect(ignored).not.toContain(source.split('/')[0]);
    }
  });

  test('the worker healthcheck script is in the image where compose runs it from', () => {
    const test = services['refinery-worker']!.healthcheck?.test as string[];
    expect(test).toEqual(['CMD', 'node', 'deploy/refinery/worker-healthcheck.mjs']);
    expect(dockerfile).toContain(
      'COPY deploy/refinery/worker-healthcheck.mjs ./deploy/refinery/worker-healthcheck.mjs',
    );
  });
});
