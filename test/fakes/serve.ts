// Runs the fake LLM servers as a standalone process (e.g. `tsx test/fakes/serve.ts --latency-ms 200`) and prints
// {"anthropic": baseUrl, "gemini": baseUrl, "openai": baseUrl, "latencyMs": n} as one JSON line on stdout once all
// listen (OpenAI's base URL ends in /v1, as OPENAI_BASE_URL does). Options: --latency-ms (or FAKE_LLM_LATENCY_MS),
// --anthropic-port, --gemini-port, --openai-port (0 = random, the default).
import { parseArgs } from 'node:util';
import { startFakeAnthropic } from './fake-anthropic';
import { startFakeGemini } from './fake-gemini';
import { startFakeOpenAI } from './fake-openai';

function intOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'latency-ms': { type: 'string' },
      'anthropic-port': { type: 'string' },
      'gemini-port': { type: 'string' },
      'openai-port': { type: 'string' },
    },
  });
  const latencyMs = intOption('--latency-ms', values['latency-ms'] ?? process.env['FAKE_LLM_LATENCY_MS'], 0);
  // Nobody can read recorded requests from another process: not keeping them keeps a long benchmark's fake small.
  const keepRequests = false;
  const anthropic = await startFakeAnthropic({
    latencyMs,
    keepRequests,
    port: intOption('--anthropic-port', values['anthropic-port'], 0),
  });
  const gemini = await startFakeGemini({
    latencyMs,
    keepRequests,
    port: intOption('--gemini-port', values['gemini-port'], 0),
  });
  const openai = await startFakeOpenAI({
    latencyMs,
    keepRequests,
    port: intOption('--openai-port', values['openai-port'], 0),
  });

  const urls = { anthropic: anthropic.baseUrl, gemini: gemini.baseUrl, openai: openai.baseUrl };
  process.stdout.write(`${JSON.stringify({ ...urls, latencyMs })}\n`);

  const shutdown = (): void => {
    Promise.all([anthropic.close(), gemini.close(), openai.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake LLM servers failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
