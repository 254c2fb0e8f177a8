import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createActivities } from '../../src/activities';
import { temporalCliPath } from '../../src/temporal/binaries';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { freePort } from '../../src/temporal/probe';
import { improverReply } from '../support/optimizer-fakes';
import { optimizeHarness, topicCases, type OptimizeHarness } from '../support/optimize/optimize-harness';
import { sharedTestEnv } from '../support/shared-env';
import { eventually, tempDir, uniqueId } from '../support/temporal';

// The real Temporal Web UI, in headless Chromium, on the page of a tune stalled for a decision: its current details
// say which signal to send with which JSON. The shared dev server runs headless, so this test starts its own, with
// the UI on a free port (lean: in memory, no extra dynamic config).

const ROOT = path.resolve(__dirname, '..', '..');
const SCREENSHOT = path.join(ROOT, 'test-artifacts', 'web-ui-stalled-tune.png');
const ACCEPT = '{"action":"accept","by":"your-name"}';

let server: DevServer;
let browser: Browser;
let h: OptimizeHarness;
beforeAll(async () => {
  const executablePath = process.env.REFINERY_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: run \`bash scripts/install-chromium.sh\` (or set REFINERY_CHROMIUM)`,
    );
  server = await startDevServer({
    cliPath: temporalCliPath(),
    port: await freePort(),
    uiPort: await freePort(),
    logFile: path.join(tempDir('web-ui-server'), 'temporal.log'),
  });
  browser = await chromium.launch({
    executablePath,
    // The flags that work on a closed network: nothing phones home, a fresh profile each launch (Playwright's).
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await server?.stop();
});

/** The text of every frame: the Web UI renders markdown (summary, details, current details) in sandboxed iframes. */
async function framesText(page: Page): Promise<string> {
  const texts = await Promise.all(page.frames().map((f) => f.innerText('body').catch(() => '')));
  return texts.join('\n');
}

test('the stalled tune’s page shows the decide signal and its JSON', async () => {
  h = await optimizeHarness({ improver: [improverReply({ summary: 'nothing', edits: [] })] });
  await h.item('greet', { type: 'text', text: 'Answer the question.\nQuestion: {{q}}', variables: ['q'] });
  await h.dataset('topics', topicCases(30, ['apples', 'boats', 'cats', 'dunes', 'elms', 'ferns']));
  const taskQueue = uniqueId('tq-webui-page');
  const native = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const worker = await Worker.create({
      connection: native,
      taskQueue,
      workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
      activities: createActivities({ db: h.db, providers: h.providers }),
    });
    await worker.runUntil(async () => {
      const run = await h.start(client, taskQueue, ['greet'], {
        dataset: 'topics@1',
        seed: '7',
        'max-iterations': '5',
        threshold: '95',
        patience: '1',
      });
      await eventually(async () => (await run.status()).phase === 'awaiting-decision', 60_000, 'the stall');

      const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
      const res = await page.goto(`${server.uiUrl}/namespaces/default/workflows/${run.workflowId}`);
      expect(res?.status()).toBe(200);
      await page.getByText('User Metadata', { exact: true }).click();
      // The UI asks the worker for the current details (the metadata query); they arrive after the page.
      const text = await eventually(
        async () => {
          const t = await framesText(page);
          return t.includes(ACCEPT) ? t : undefined;
        },
        60_000,
        'the current details in the page',
      );
      expect(text).toContain('Waiting for a person');
      expect(text).toContain('More Actions → Send a Signal');
      expect(text).toMatch(/signal decide with \{"action":"accept","by":"your-name"\}/);
      expect(text).toContain('{"action":"continue","iterations":3,"by":"your-name"}');
      // The static summary and details are on the same tab.
      expect(text).toContain('Optimizes text greet@1 on dataset topics@1');
      expect(text).toContain(`refinery status ${run.workflowId}`);

      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
      // The instruction names the UI's own menu: More Actions holds Send a Signal.
      await page.getByRole('button', { name: 'More Actions' }).click();
      await expect(page.getByText('Send a Signal', { exact: true }).count()).resolves.toBeGreaterThan(0);
      await page.close();
      await client.workflow.getHandle(run.workflowId).terminate('test done');
    });
  } finally {
    await connection.close();
    await native.close();
  }
});
