// Runs both fake LLM servers as a standalone process (e.g. `tsx test/fakes/serve.ts --latency-ms 200`) and
// prints {"anthropic": baseUrl, "gemini": baseUrl, "latencyMs": n} as one JSON line on stdout once both listen.
// Options: --latency-ms (or FAKE_LLM_LATENCY_MS), --anthropic-port, --gemini-port (0 = random, the default).
import { parseArgs } from 'node:util';
import { startFakeAnthropic } from './fake-anthropic';
import { startFakeGemini } from './fake-gemini';

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
    },
  });
  const latencyMs = intOption('--latency-ms', values['latency-ms'] ?? process.env['FAKE_LLM_LATENCY_MS'], 0);
  const anthropic = await startFakeAnthropic({
    latencyMs,
    port: intOption('--anthropic-port', values['anthropic-port'], 0),
  });
  const gemini = await startFakeGemini({ latencyMs, port: intOption('--gemini-port', values['gemini-port'], 0) });

  process.stdout.write(`${JSON.stringify({ anthropic: anthropic.baseUrl, gemini: gemini.baseUrl, latencyMs })}\n`);

  const shutdown = (): void => {
    Promise.all([anthropic.close(), gemini.close()]).then(
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
