import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../src/temporal/probe';
import { apiHarness } from './api/api-harness';
import { eventually, spawnWorkerProcess, tempDir, testClient, uniqueId } from './support/temporal';

/**
 * The Grafana dashboard and its provisioning in docker-compose.yml, checked without a Docker engine: every
 * metric a panel queries is one the API's /metrics or a worker's Temporal endpoint really serves (scraped
 * from a real API and a real worker here), and compose mounts the files Grafana and Prometheus read.
 */

const root = path.resolve(__dirname, '..');
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');

interface Panel {
  type: string;
  title?: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}
const DASHBOARD = 'deploy/grafana/dashboards/refinery.json';
const dashboard = JSON.parse(read(DASHBOARD)) as { uid: string; panels: Panel[] };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

/** Metric names in a PromQL expression: Refinery's and Temporal's share these prefixes; nothing else does. */
function metricNames(expr: string): string[] {
  return expr.match(/\b(?:refinery|temporal)_[a-z0-9_]+/g) ?? [];
}
const queried = [...new Set(exprs.flatMap(metricNames))].sort();

/** Exposition families (`# TYPE name type`); a histogram also answers to its _bucket, _sum and _count series. */
function servedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

interface Service {
  image?: string;
  volumes?: string[];
  secrets?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  secrets?: Record<string, { environment?: string; file?: string }>;
  volumes?: Record<string, unknown>;
};

/** host path -> container path of a service's bind mounts (./relative ones). */
function binds(service: Service): Map<string, string> {
  return new Map(
    (service.volumes ?? [])
      .filter((v) => v.startsWith('./'))
      .map((v) => {
        const [host, container] = v.split(':');
        return [path.normalize(host!), container!];
      }),
  );
}

describe('the Grafana dashboard', () => {
  test('queries only metrics, every panel on the provisioned Prometheus datasource', () => {
    expect(queried.length).toBeGreaterThan(10);
    const datasource = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(datasource.datasources).toEqual([
      expect.objectContaining({ uid: 'refinery-prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    for (const p of panels) {
      expect({ panel: p.title, uid: p.datasource?.uid }).toEqual({ panel: p.title, uid: 'refinery-prometheus' });
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets!) expect(metricNames(t.expr).length).toBeGreaterThan(0);
    }
  });

  test("every refinery_* metric it queries is served by the API's /metrics", async () => {
    const h = await apiHarness();
    try {
      const res = await h.call('GET', '/metrics', h.tokens.reader);
      expect(res.status).toBe(200);
      const served = servedNames(res.body as string);
      const missing = queried.filter((m) => m.startsWith('refinery_') && !served.has(m));
      expect(missing).toEqual([]);
    } finally {
      await h.close();
    }
  });

  test('every temporal_* metric it queries is served by a worker that ran a workflow', async () => {
    const wanted = queried.filter((m) => m.startsWith('temporal_'));
    expect(wanted.length).toBeGreaterThan(0);
    const address = `127.0.0.1:${await freePort()}`;
    const taskQueue = uniqueId('tq-grafana');
    const worker = spawnWorkerProcess({
      REFINERY_TASK_QUEUE: taskQueue,
      REFINERY_DATABASE_URL: `sqlite:${path.join(tempDir('grafana'), 'refinery.db')}`,
      REFINERY_WORKER_METRICS_ADDRESS: address,
    });
    const { client, close } = await testClient();
    try {
      await eventually(() => worker.output().includes('polling task queue'), 60_000, 'the worker to start');
      const workflowId = uniqueId('self-check-grafana');
      await client.workflow.execute('selfCheckWorkflow', { taskQueue, workflowId, args: [{ effectKey: workflowId }] });
      // Core exports on its own schedule: poll until every queried family is there (or report what is not).
      let missing: string[] = wanted;
      await eventually(
        async () => {
          const res = await fetch(`http://${address}/metrics`).catch(() => undefined);
          const served = servedNames(res?.ok ? await res.text() : '');
          missing = wanted.filter((m) => !served.has(m));
          return missing.length === 0;
        },
        30_000,
        "the dashboard's temporal_* metrics on the worker endpoint",
      ).catch(() => undefined);
      expect(missing).toEqual([]);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await close();
    }
  }, 120_000);
});

describe('docker-compose.yml provisions Grafana and Prometheus from deploy/', () => {
  const grafana = compose.services.grafana!;
  const prometheus = compose.services.prometheus!;

  test('Grafana mounts the provisioning folder and the folder its dashboard provider reads', () => {
    const mounts = binds(grafana);
    expect(mounts.get('deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const provider = parse(read('deploy/grafana/provisioning/dashboards/refinery.yml')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(provider.providers[0]!.type).toBe('file');
    expect(mounts.get(path.dirname(DASHBOARD))).toBe(provider.providers[0]!.options.path);
    expect(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${provider.providers[0]!.options.path}/${path.basename(DASHBOARD)}`,
    );
    for (const host of mounts.keys())
      expect({ host, exists: fs.existsSync(path.join(root, host)) }).toEqual({ host, exists: true });
    expect(grafana.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });

  test('Prometheus scrapes the API with the reader-token secret and every worker on its metrics port', () => {
    const mounts = binds(prometheus);
    expect(mounts.get('deploy/prometheus/prometheus.yml')).toBe('/etc/prometheus/prometheus.yml');
    const config = parse(read('deploy/prometheus/prometheus.yml')) as {
      scrape_configs: {
        job_name: string;
        authorization?: { credentials_file: string };
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; port: number }[];
      }[];
    };
    const job = (name: string) => config.scrape_configs.find((j) => j.job_name === name)!;
    const api = compose.services['refinery-api']!.environment!;
    expect(job('refinery-api').static_configs![0]!.targets).toEqual([`refinery-api:${api.REFINERY_API_PORT}`]);
    const secret = prometheus.secrets![0]!;
    expect(job('refinery-api').authorization!.credentials_file).toBe(`/run/secrets/${secret}`);
    expect(compose.secrets![secret]).toEqual({ environment: 'REFINERY_METRICS_TOKEN' });
    const workerPort = compose.services['refinery-worker']!.environment!.REFINERY_WORKER_METRICS_ADDRESS!.split(':')[1];
    expect(job('refinery-worker').dns_sd_configs![0]).toMatchObject({
      names: ['refinery-worker'],
      port: Number(workerPort),
    });
  });
});
