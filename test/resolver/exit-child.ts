/**
 * Run as a child process by lifecycle.test.ts: uses a resolver against the API at argv[2], closes it,
 * and then leaves the event loop alone. If anything of the resolver survived close() (a timer, the
 * long poll), the process would not exit on its own.
 */
import { createResolver } from '../../src/resolver';

async function main(): Promise<void> {
  const resolver = createResolver({ baseUrl: process.argv[2]!, token: process.argv[3]!, refreshIntervalMs: 1000 });
  const got = await resolver.get('summary');
  const runId = resolver.recordRun({ name: 'summary', version: got.version, latencyMs: 5 });
  resolver.recordFeedback({ runId, thumbs: 'up' });
  // Let the long poll get under way and the batch timer be armed before closing.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await resolver.close();
  process.stdout.write(`closed ${Date.now()}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
