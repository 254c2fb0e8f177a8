import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { createToken } from '../../src/library/tokens';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { SEEDED, seedDashboardStore } from '../support/dashboard-seed';
import { tempDir } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
const SCREENSHOT = path.join(ROOT, 'test-artifacts', 'dashboard.png');
const CHARTS = ['runs', 'errors', 'tune-scores', 'prompt-usage', 'skill-usage'];

describe('the dashboard in headless Chromium', () => {
  let db: Db;
  let api: ApiServer;
  let browser: Browser;
  let reader: string;
  beforeAll(async () => {
    db = await openStore(`sqlite:${path.join(tempDir('dashboard'), 'refinery.db')}`);
    await seedDashboardStore(db);
    reader = await createToken(db, 'rita', 'reader');
    api = await startApiServer(db, { port: 0, bootstrapToken: 'bootstrap-admin' });
    const executablePath = process.env.REFINERY_CHROMIUM ?? '/usr/bin/chromium';
    if (!fs.existsSync(executablePath))
      throw new Error(
        `no Chromium at ${executablePath}: run \`bash scripts/install-chromium.sh\` (or set REFINERY_CHROMIUM)`,
      );
    browser = await chromium.launch({
      executablePath,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await db?.close();
  });

  test('signs in with ?token= once, draws every chart, lists the stalled run, and saves a screenshot', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));

    const res = await page.goto(`${api.url}/dashboard?token=${reader}`);
    expect(res?.status()).toBe(200);
    // The token left the address bar; the browser keeps it in an HttpOnly cookie scoped to the page.
    expect(page.url()).toBe(`${api.url}/dashboard`);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'refinery_dashboard', path: '/dashboard', httpOnly: true, sameSite: 'Lax' });
    await expect(page.title()).resolves.toBe('Refinery dashboard');

    for (const name of CHARTS) {
      const chart = page.locator(`[data-chart="${name}"] svg`);
      expect([name, await chart.count()]).toEqual([name, 1]);
      // Drawn data: lines or bars inside the series groups, not just axes or an "empty" note.
      const marks = await chart.locator('[data-series] path, [data-series] rect').count();
      expect([name, marks > 0]).toEqual([name, true]);
      expect([name, await chart.locator('.empty').count()]).toEqual([name, 0]);
      const box = (await chart.boundingBox())!;
      expect(box.width).toBeGreaterThan(300);
      expect(box.height).toBeGreaterThan(50);
    }
    // One line per tune run, one bar per day with an error.
    expect(await page.locator('[data-chart="tune-scores"] [data-series] path').count()).toBe(
      Object.keys(SEEDED.tuneRuns).length,
    );
    expect(await page.locator('[data-chart="errors"] [data-series] rect').count()).toBe(2);

    const stalled = page.locator('ul[data-list="stalled-runs"] > li');
    expect(await stalled.count()).toBe(1);
    expect(await stalled.getAttribute('data-workflow-id')).toBe(SEEDED.stalledWorkflowId);
    expect(await stalled.locator('code.command').textContent()).toBe(
      `refinery decide ${SEEDED.stalledWorkflowId} --action continue|accept|rollback|cancel --by <name>`,
    );

    const alerts = page.locator('table[data-list="open-alerts"] tbody tr');
    expect(await alerts.count()).toBe(3);
    expect(await alerts.first().locator('.badge').textContent()).toBe('critical');
    // Stored markup is shown as text, never rendered.
    expect(await page.locator('table[data-list="open-alerts"]').textContent()).toContain(SEEDED.alertDetail);
    expect(await page.locator('table[data-list="open-alerts"] b').count()).toBe(0);

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(20_000);

    // The cookie carries the next visit: the window links work without the token.
    await page.click('text=7 days');
    await page.waitForURL(`${api.url}/dashboard?days=7`);
    expect(await page.locator('header p').textContent()).toContain('Last 7 days');

    // Nothing but the page itself was fetched, and nothing complained (CSP violations log errors).
    expect(requests.filter((u) => !u.startsWith(`${api.url}/dashboard`) && !u.endsWith('/favicon.ico'))).toEqual([]);
    expect(problems.filter((p) => !p.includes('favicon'))).toEqual([]);
    await context.close();
  });
});
