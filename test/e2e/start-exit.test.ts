import fs from 'node:fs';
import path from 'node:path';
import { freePort, temporalAnswers } from '../../src/temporal/probe';
import { startFakeAnthropic } from '../fakes/fake-anthropic';
import type { FakeServer } from '../fakes/fake-server-core';
import { cli } from '../support/cli';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, tempDir, testClient } from '../support/temporal';

/** Every call refused (401, not retried): three failed iterations stall the run for a human decision. */
const refused = () => ({ status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' });

describe('refinery start never waits for a person', () => {
  const fakes: FakeServer[] = [];
  afterAll(async () => {
    for (const f of fakes) await f.close();
  });
  const providerEnv = async (delayMs = 0) => {
    const fake = await startFakeAnthropic({ respond: () => ({ ...refused(), delayMs }) });
    fakes.push(fake);
    return {
      fake,
      env: {
        ANTHROPIC_API_KEY: 'test-key-not-real',
        ANTHROPIC_BASE_URL: fake.baseUrl,
        REFINERY_WORKFLOW_BUNDLE: sharedTestEnv().workflowBundlePath,
      },
    };
  };

  test('start --exit ends with exit 4 at a stall and prints the decide command', async () => {
    const { env } = await providerEnv();
    const home = tempDir('home');
    // The shared server answers: start reuses it, and says it was not started from this home.
    const start = cli(['start', '--exit'], {
      ...env,
      REFINERY_HOME: home,
      TEMPORAL_ADDRESS: sharedTestEnv().temporalAddress,
    });
    const code = await start.exited;
    const out = start.output();
    const workflowId = /Tuning the example skill with real providers: (tune-release-notes-[0-9a-f]+)/.exec(out)?.[1];
    try {
      expect(out).toContain(`Reusing the Temporal server already running at ${sharedTestEnv().temporalAddress}`);
      expect(out).toContain('awaiting a decision: three consecutive iterations failed: the error budget is spent');
      expect(out).toContain(`decide with: refinery decide ${workflowId} --action continue|accept|rollback|cancel`);
      expect(out).toContain('The run is waiting for a decision; the command ends here (exit 4).');
      expect(out).toContain(`Follow it with: refinery status ${workflowId}`);
      expect(code).toBe(4);
    } finally {
      if (workflowId) {
        const { client, close } = await testClient();
        await client.workflow
          .getHandle(workflowId)
          .terminate('test: clean-up')
          .catch(() => undefined);
        await close();
      }
    }
  });

  test('SIGTERM during the watch stops watching, stops the worker and the server it started, and says how to follow', async () => {
    // Slow answers keep the run busy in its first iteration while the signal arrives.
    const { fake, env } = await providerEnv(1500);
    const home = tempDir('home');
    const address = `127.0.0.1:${await freePort()}`;
    const start = cli(['start', '--exit'], {
      ...env,
      REFINERY_HOME: home,
      TEMPORAL_ADDRESS: address,
      REFINERY_UI_PORT: String(await freePort()),
    });
    await eventually(
      () => start.output().includes('Tuning the example skill') && fake.requests.length > 0,
      120_000,
      'the tune to be under way',
    );
    start.child.kill('SIGTERM');
    const code = await start.exited;
    const out = start.output();
    const workflowId = /Tuning the example skill with real providers: (tune-release-notes-[0-9a-f]+)/.exec(out)![1]!;
    expect(out).toContain(
      'SIGTERM: stopped watching; stopping the worker and the Temporal server this command started',
    );
    expect(out).toContain(
      `Run ${workflowId} is durable: it goes on from the server's file ${path.join(home, 'temporal.db')} the next time the stack runs in this home`,
    );
    expect(out).toContain(`Follow it with: refinery status ${workflowId}`);
    expect(out).not.toContain('awaiting a decision');
    expect(code).toBe(143);
    // What the command started is gone: the server no longer answers and its lock is removed.
    expect(await temporalAnswers(address, 1000)).toBe(false);
    expect(fs.existsSync(path.join(home, 'dev.json'))).toBe(false);
  });
});
