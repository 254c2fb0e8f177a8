import path from 'node:path';
import { applyAlertActions, listAlerts } from '../../src/calendar/alerts/alert-store';
import { planAlerts, type Finding } from '../../src/calendar/alerts/alert-rules';
import { recordCalendarRun } from '../../src/calendar/shared/calendar-run-store';
import { listPostRunEvals } from '../../src/calendar/shared/post-run-eval-store';
import { putBlob } from '../../src/store/blobs';
import { openStore } from '../../src/store/open';
import { createTuneRun } from '../../src/store/tune-runs';
import { runCli } from '../support/cli';
import { tempDir } from '../support/temporal';

const finding = (name: string): Finding => ({
  name,
  version: 2,
  signal: 'thumbs-down-rate',
  severity: 'warning',
  baseline: 0.05,
  current: 0.14,
  z: 4.1,
  samples: 220,
  dedupeKey: `${name}@2:thumbs-down-rate`,
  detail: `thumbs-down-rate of ${name} v2: 0.14 against a 30-day baseline of 0.05`,
});

describe('refinery alerts, review and reports', () => {
  const dir = tempDir('calendar-cli');
  const url = `sqlite:${path.join(dir, 'r.db')}`;
  const env = { REFINERY_DATABASE_URL: url, REFINERY_USER: 'ana' };
  let alertIds: string[] = [];

  beforeAll(async () => {
    const db = await openStore(url);
    const now = new Date();
    const r = await applyAlertActions(db, planAlerts([finding('summarize'), finding('classify')], [], now), now);
    alertIds = r.opened.map((a) => a.alertId);
    await createTuneRun(db, {
      runId: 'tune-summarize-1a2b3c4d',
      workflowId: 'tune-summarize-1a2b3c4d',
      skills: ['summarize'],
      settings: {},
      startedBy: 'ana',
    });
    const reportRef = await putBlob(db, '# Weekly trends\n\nAll quiet.\n');
    await recordCalendarRun(db, {
      runId: 'weekly-2026-11-16',
      period: 'weekly',
      asOf: '2026-11-16T07:00:00.000Z',
      counts: { prompts: 2, negativeTrends: 0 },
      reportRef,
      startedAt: '2026-11-16T07:00:00.000Z',
      finishedAt: '2026-11-16T07:00:02.000Z',
    });
    await db.close();
  });

  test('list, acknowledge and resolve alerts; each ends as an action item or a false positive', async () => {
    const list = await runCli(['alerts', 'list'], env);
    expect(list.code).toBe(0);
    for (const id of alertIds) expect(list.out).toContain(id);
    expect(list.out).toMatch(/WARNING +open/);

    const [first, second] = alertIds as [string, string];
    const ack = await runCli(['alerts', 'ack', first], env);
    expect(ack).toMatchObject({ code: 0 });
    expect(ack.out).toContain('acknowledged by ana');

    const noNote = await runCli(['alerts', 'resolve', first, '--as', 'action'], env);
    expect(noNote.code).toBe(2);
    expect(noNote.out).toContain('give --note with the action item');
    const badAs = await runCli(['alerts', 'resolve', first, '--as', 'ignore', '--note', 'x'], env);
    expect(badAs.code).toBe(2);
    expect(badAs.out).toContain('--as must be "action"');

    const action = await runCli(
      ['alerts', 'resolve', first, '--as', 'action', '--note', 'shorter answers in v3', '--owner', 'ben'],
      env,
    );
    expect(action.code).toBe(0);
    const fp = await runCli(
      ['alerts', 'resolve', second, '--as', 'false-positive', '--note', 'a bot flooded thumbs-down'],
      env,
    );
    expect(fp.code).toBe(0);
    const again = await runCli(['alerts', 'resolve', second, '--as', 'action', '--note', 'x'], env);
    expect(again.code).toBe(2);
    expect(again.out).toContain('already resolved');

    const db = await openStore(url);
    const resolved = await listAlerts(db, { status: 'resolved' });
    await db.close();
    expect(resolved.find((a) => a.alertId === first)).toMatchObject({
      resolution: 'action',
      owner: 'ben',
      note: 'shorter answers in v3',
    });
    expect(resolved.find((a) => a.alertId === second)).toMatchObject({ resolution: 'false-positive', owner: 'ana' });
    expect((await runCli(['alerts', 'list'], env)).out).toContain('no unresolved alerts');
    expect((await runCli(['alerts', 'list', '--status', 'all', '--json'], env)).out).toContain(
      '"resolution": "false-positive"',
    );
  });

  test('per-prompt fixed thresholds are overrides set explicitly', async () => {
    const bad = await runCli(['alerts', 'policy', 'summarize', '--override', 'latency=3'], env);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('signals: format-compliance');
    const ok = await runCli(['alerts', 'policy', 'summarize', '--override', 'error-rate=0.05', '--why', 'SLA'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ warningZ: 3.5, overrides: { 'error-rate': 0.05 } });
  });

  test('post-run evals of a tune are recorded and listed; unknown runs are refused', async () => {
    const missing = await runCli(['review', 'tune', 'tune-nope-00000000', '--effective', 'yes', '--better', 'x'], env);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('no tune run "tune-nope-00000000"; `refinery list` shows tune runs');
    const noBetter = await runCli(['review', 'tune', 'tune-summarize-1a2b3c4d', '--effective', 'no'], env);
    expect(noBetter.code).toBe(2);
    expect(noBetter.out).toContain('say what would have made it better');

    const ok = await runCli(
      [
        'review',
        'tune',
        'tune-summarize-1a2b3c4d',
        '--effective',
        'yes',
        '--better',
        'more golden cases for edge inputs',
      ],
      env,
    );
    expect(ok.code).toBe(0);
    const list = await runCli(['review', 'list'], env);
    expect(list.out).toContain('tune tune-summarize-1a2b3c4d  effective  by ana: more golden cases for edge inputs');
    const db = await openStore(url);
    expect(await listPostRunEvals(db, { kind: 'tune' })).toHaveLength(1);
    await db.close();
  });

  test('calendar runs and their reports', async () => {
    const list = await runCli(['reports', '--period', 'weekly'], env);
    expect(list.code).toBe(0);
    expect(list.out).toContain('2026-11-16  weekly    weekly-2026-11-16  prompts=2 negativeTrends=0');
    const show = await runCli(['reports', 'show', 'weekly-2026-11-16'], env);
    expect(show.out).toContain('# Weekly trends');
    const bad = await runCli(['reports', '--period', 'hourly'], env);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--period must be one of daily, weekly, monthly, quarterly');
  });
});
