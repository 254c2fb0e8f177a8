import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_RECORD_RATE, type RateLimit } from './api/rate-limit';
import { redact, redactUrl, registerConfigSecrets, urlSecrets, webhookOrigin } from './providers/redact';
import type { Webhook } from './webhook';
import { MIN_SECRET_LENGTH } from './webhook-signature';

/**
 * The environment contract, parsed once at the edges (worker, CLI, API). A bad or missing variable
 * becomes a one-line ConfigError naming the variable and the fix.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const port = z.coerce.number().int().min(1).max(65535);
const url = z.url();
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const envSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'expected host:port, e.g. 127.0.0.1:7233')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  REFINERY_TASK_QUEUE: optionalString,
  REFINERY_HOME: z.string().min(1).default('.refinery'),
  REFINERY_DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'expected sqlite:<file> or postgres://user:pass@host:port/db')
      .optional(),
  ),
  REFINERY_PROVIDER: z.enum(['auto', 'offline', 'anthropic', 'gemini', 'openai']).default('auto'),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString.pipe(url.optional()),
  GEMINI_API_KEY: optionalString,
  GEMINI_BASE_URL: optionalString.pipe(url.optional()),
  OPENAI_API_KEY: optionalString,
  // Also any OpenAI-compatible server (Ollama, vLLM, llama.cpp), which may need no key.
  OPENAI_BASE_URL: optionalString.pipe(url.optional()),
  REFINERY_API_TOKEN: optionalString,
  REFINERY_API_URL: optionalString.pipe(url.optional()),
  REFINERY_USER: optionalString,
  REFINERY_WEBHOOK_URL: optionalString.pipe(url.optional()),
  REFINERY_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .min(MIN_SECRET_LENGTH, `at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`)
      .optional(),
  ),
  REFINERY_ADMINS: z.string().default(''),
  REFINERY_API_PORT: port.default(8787),
  REFINERY_API_HOST: z.string().min(1).default('127.0.0.1'),
  REFINERY_API_RECORD_RATE: z.coerce.number().positive().default(DEFAULT_RECORD_RATE.perSecond),
  REFINERY_API_RECORD_BURST: z.coerce.number().int().min(1).default(DEFAULT_RECORD_RATE.burst),
  REFINERY_PUBLIC_URL: optionalString.pipe(url.optional()),
  REFINERY_UI_PORT: port.optional(),
  REFINERY_TIMEZONE: z
    .string()
    .min(1)
    .default('UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'expected an IANA time zone such as UTC or Europe/Berlin'),
  REFINERY_WORKER_METRICS_ADDRESS: optionalString.pipe(
    z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'expected host:port, e.g. 127.0.0.1:9464')
      .optional(),
  ),
  // OpenTelemetry's standard variables: tracing of workflows and activities is exported there when set.
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(url.optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalString.pipe(url.optional()),
  // Skill size caps (src/skills/limits.ts reads them where a skill is checked; validated here at the edges).
  REFINERY_SKILL_MAX_BINARY_BYTES: z.coerce.number().int().min(1).optional(),
  REFINERY_SKILL_MAX_BYTES: z.coerce.number().int().min(1).optional(),
  REFINERY_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('warn'),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_TEST_SERVER_PATH: optionalString,
});

export type RawEnv = z.infer<typeof envSchema>;

export interface Config {
  /**
   * taskQueue is REFINERY_TASK_QUEUE when set; unset, each store derives its own from its id
   * (storeTaskQueue in temporal/store-binding.ts), so read the queue through that, never from here alone.
   */
  temporal: { address: string; namespace: string; taskQueue?: string };
  home: string;
  databaseUrl: string;
  provider: RawEnv['REFINERY_PROVIDER'];
  /** Secrets live only here, in the worker's and API's memory; never in workflow inputs or logs. */
  anthropic: { apiKey?: string; baseUrl?: string };
  gemini: { apiKey?: string; baseUrl?: string };
  /** Optional so that configs built by hand (tests, benches) need not name it; loadConfig always sets it. */
  openai?: { apiKey?: string; baseUrl?: string };
  /**
   * `url`: where a client of this process reaches the API (drills), REFINERY_API_URL, else REFINERY_PUBLIC_URL when
   * set; unset when neither is, so the worker's quarterly drill says it has no API instead of guessing one.
   */
  api: {
    port: number;
    host: string;
    token?: string;
    publicUrl: string;
    url?: string;
    /** Per-token limit of /v1/runs and /v1/feedback requests (REFINERY_API_RECORD_RATE per second, _BURST). */
    recordRate: RateLimit;
  };
  /** The embedded dev server binds TEMPORAL_ADDRESS; its Web UI listens on uiPort (gRPC port + 1000). */
  dev: { host: string; port: number; uiPort: number };
  /**
   * Remote mode (REFINERY_API_URL and REFINERY_API_TOKEN): library, label, rollout and decision commands
   * go through the HTTP API and the token's subject is the actor. Undefined: local mode (the store directly).
   */
  remote?: { url: string; token: string };
  /** Who the CLI acts as (REFINERY_USER, else the OS user), and who counts as an admin for CLI label moves. */
  identity: { user?: string; admins: string[] };
  /** Slack-compatible webhook for rollout and calendar alerts, signed when REFINERY_WEBHOOK_SECRET is set. */
  webhook?: Webhook;
  /** Time zone of the calendar Schedules (REFINERY_TIMEZONE). */
  timezone: string;
  /** Where the worker serves its Temporal runtime metrics in Prometheus format, when set. */
  workerMetricsAddress?: string;
  /** The OTLP/HTTP traces URL workflow and activity spans go to; unset: no tracing. */
  tracesEndpoint?: string;
  logLevel: RawEnv['REFINERY_LOG_LEVEL'];
  binaries: { temporalCli?: string; testServer?: string };
}

/** Parses the environment; throws ConfigError with one line naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    // The message names the variable, never its secret part: the whole message is scrubbed as well.
    const secrets = [
      env.ANTHROPIC_API_KEY,
      env.GEMINI_API_KEY,
      env.OPENAI_API_KEY,
      env.REFINERY_API_TOKEN,
      env.REFINERY_WEBHOOK_SECRET,
      ...urlSecrets(env.REFINERY_DATABASE_URL),
      ...urlSecrets(env.REFINERY_WEBHOOK_URL, true),
    ];
    throw new ConfigError(
      redact(`${name}=${shownValue(name, env[name])} is invalid: ${issue.message}. Fix or unset ${name}.`, secrets),
    );
  }
  const e = parsed.data;
  // The token alone is the API server's bootstrap token; a URL alone would act with no identity at all.
  if (e.REFINERY_API_URL && !e.REFINERY_API_TOKEN)
    throw new ConfigError(
      "REFINERY_API_URL is set but REFINERY_API_TOKEN is not: remote mode acts as a token's subject. Set REFINERY_API_TOKEN to your token (`refinery tokens create`), or unset REFINERY_API_URL for local mode.",
    );
  if (e.REFINERY_WEBHOOK_SECRET && !e.REFINERY_WEBHOOK_URL)
    throw new ConfigError(
      "REFINERY_WEBHOOK_SECRET is set but REFINERY_WEBHOOK_URL is not: the secret signs the webhook's POSTs. Set REFINERY_WEBHOOK_URL, or unset REFINERY_WEBHOOK_SECRET.",
    );
  const home = path.resolve(cwd, e.REFINERY_HOME);
  const config: Config = {
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.REFINERY_TASK_QUEUE },
    home,
    databaseUrl: e.REFINERY_DATABASE_URL ?? `sqlite:${path.join(home, 'refinery.db')}`,
    provider: e.REFINERY_PROVIDER,
    anthropic: { apiKey: e.ANTHROPIC_API_KEY, baseUrl: e.ANTHROPIC_BASE_URL },
    gemini: { apiKey: e.GEMINI_API_KEY, baseUrl: e.GEMINI_BASE_URL },
    openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL },
    api: {
      port: e.REFINERY_API_PORT,
      host: e.REFINERY_API_HOST,
      token: e.REFINERY_API_TOKEN,
      // Links built on it go into reports, webhooks and CLI output: never with user info or a query string.
      publicUrl: redactUrl(e.REFINERY_PUBLIC_URL ?? `http://127.0.0.1:${e.REFINERY_API_PORT}`).replace(/\/$/, ''),
      recordRate: { perSecond: e.REFINERY_API_RECORD_RATE, burst: e.REFINERY_API_RECORD_BURST },
      url: (e.REFINERY_API_URL ?? e.REFINERY_PUBLIC_URL)?.replace(/\/$/, ''),
    },
    dev: devPorts(e.TEMPORAL_ADDRESS, e.REFINERY_UI_PORT),
    webhook: e.REFINERY_WEBHOOK_URL ? { url: e.REFINERY_WEBHOOK_URL, secret: e.REFINERY_WEBHOOK_SECRET } : undefined,
    remote:
      e.REFINERY_API_URL && e.REFINERY_API_TOKEN
        ? { url: e.REFINERY_API_URL.replace(/\/$/, ''), token: e.REFINERY_API_TOKEN }
        : undefined,
    identity: {
      user: e.REFINERY_USER,
      admins: e.REFINERY_ADMINS.split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    },
    timezone: e.REFINERY_TIMEZONE,
    workerMetricsAddress: e.REFINERY_WORKER_METRICS_ADDRESS,
    // As the OTLP exporters read them: the traces variable is the full URL, the general one a base.
    tracesEndpoint:
      e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
      (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` : undefined),
    logLevel: e.REFINERY_LOG_LEVEL,
    binaries: { temporalCli: e.TEMPORAL_CLI_PATH, testServer: e.TEMPORAL_TEST_SERVER_PATH },
  };
  registerConfigSecrets(config);
  return config;
}

/** How a bad value is shown in a config error: keys and tokens hidden, URLs without their secret parts. */
function shownValue(name: string, got: string | undefined): string {
  if (got === undefined) return '(unset)';
  if (name.endsWith('_KEY') || name.endsWith('_TOKEN') || name.endsWith('_SECRET')) return '(hidden)';
  if (name === 'REFINERY_WEBHOOK_URL') return JSON.stringify(webhookOrigin(got));
  if (name.endsWith('_URL')) return JSON.stringify(redactUrl(got));
  return JSON.stringify(got);
}

function devPorts(address: string, uiPort: number | undefined): Config['dev'] {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at);
  const port = Number(address.slice(at + 1));
  return { host: host === 'localhost' ? '127.0.0.1' : host, port, uiPort: uiPort ?? port + 1000 };
}
