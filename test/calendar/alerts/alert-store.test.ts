import {
  ackAlert,
  applyAlertActions,
  getAlertPolicy,
  listAlerts,
  listIncidents,
  resolutionCounts,
  resolveAlert,
  setAlertPolicy,
  unresolvedForPlanning,
} from '../../../src/calendar/alerts/alert-store';
import { DEFAULT_ALERT_POLICY, planAlerts, type Finding } from '../../../src/calendar/alerts/alert-rules';
import type { Db } from '../../../src/store/db';
import { describeEachStore } from '../../support/store-backends';

const finding = (name: string, severity: Finding['severity'], signal: Finding['signal'] = 'error-rate'): Finding => ({
  name,
  version: 3,
  signal,
  severity,
  baseline: 0.02,
  current: 0.09,
  z: severity === 'critical' ? 6.1 : 3.9,
  samples: 400,
  dedupeKey: `${name}@3:${signal}`,
  detail: `${signal} of ${name} v3: 0.09 against a 30-day baseline of 0.02`,
});

const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n, 6));

describeEachStore('alert store', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });

  test('a finding opens one alert; the same finding the next review is kept, not duplicated', async () => {
    const first = await applyAlertActions(db, planAlerts([finding('summarize', 'warning')], [], day(0)), day(0));
    expect(first.opened).toHaveLength(1);
    expect(first.opened[0]).toMatchObject({ severity: 'warning', status: 'open', name: 'summarize', version: 3 });
    const again = planAlerts([finding('summarize', 'warning')], await unresolvedForPlanning(db), day(0));
    expect(again).toEqual([{ kind: 'keep', dedupeKey: 'summarize@3:error-rate' }]);
    // A retried activity replaying the same "open" action keeps the single alert too.
    const retried = await applyAlertActions(db, [{ kind: 'open', finding: finding('summarize', 'warning') }], day(0));
    expect(retried).toMatchObject({ opened: [], kept: 1 });
    expect(await listAlerts(db, { name: 'summarize' })).toHaveLength(1);
  });

  test('a warning unresolved for 24 h escalates to critical and lands in the incident log once', async () => {
    const open = await unresolvedForPlanning(db);
    const plan = planAlerts([], open, day(1));
    expect(plan).toEqual([
      expect.objectContaining({
        kind: 'escalate',
        dedupeKey: 'summarize@3:error-rate',
        reason: 'a warning unresolved for 24 h',
      }),
    ]);
    const applied = await applyAlertActions(db, plan, day(1));
    expect(applied.escalated[0]).toMatchObject({
      severity: 'critical',
      escalationReason: 'a warning unresolved for 24 h',
    });
    await applyAlertActions(db, plan, day(1)); // the retry changes nothing
    const incidents = (await listIncidents(db)).filter((i) => i.name === 'summarize');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.alertId).toBe(applied.escalated[0]!.alertId);
  });

  test('a critical finding goes straight to the incident log', async () => {
    const r = await applyAlertActions(db, planAlerts([finding('classify', 'critical')], [], day(2)), day(2));
    expect(r.opened[0]!.severity).toBe('critical');
    expect((await listIncidents(db)).map((i) => i.alertId)).toContain(r.opened[0]!.alertId);
  });

  test('an alert closes as an action item with an owner, or as a documented false positive', async () => {
    const [summarize] = await listAlerts(db, { name: 'summarize' });
    const acked = await ackAlert(db, summarize!.alertId, 'ana', day(2));
    expect(acked).toMatchObject({ status: 'acknowledged', owner: 'ana' });
    const resolved = await resolveAlert(
      db,
      summarize!.alertId,
      { as: 'action', note: 'tighten the output schema in v4', actor: 'ben' },
      day(3),
    );
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'action', owner: 'ana', resolvedBy: 'ben' });

    const [classify] = await listAlerts(db, { name: 'classify' });
    await expect(
      resolveAlert(db, classify!.alertId, { as: 'false-positive', note: '  ', actor: 'ben' }),
    ).rejects.toThrow(/give --note saying why this was a false positive/);
    await resolveAlert(db, classify!.alertId, { as: 'false-positive', note: 'holiday traffic', actor: 'ben' }, day(3));
    await expect(resolveAlert(db, classify!.alertId, { as: 'action', note: 'x', actor: 'ben' })).rejects.toMatchObject({
      status: 409,
    });
    await expect(ackAlert(db, 'al-nothere', 'ana')).rejects.toMatchObject({ status: 404 });

    expect(await listAlerts(db)).toHaveLength(0);
    expect(await listAlerts(db, { status: 'resolved' })).toHaveLength(2);
    expect(await resolutionCounts(db, day(0).toISOString(), day(4).toISOString())).toEqual([
      { name: 'classify', resolved: 1, falsePositives: 1 },
      { name: 'summarize', resolved: 1, falsePositives: 0 },
    ]);
  });

  test('after resolution the same key can open a fresh alert', async () => {
    const r = await applyAlertActions(
      db,
      planAlerts([finding('summarize', 'warning')], await unresolvedForPlanning(db), day(5)),
      day(5),
    );
    expect(r.opened).toHaveLength(1);
    expect(await listAlerts(db, { name: 'summarize', status: 'all' })).toHaveLength(2);
  });

  test('per-prompt policies override the default and are kept per name', async () => {
    expect(await getAlertPolicy(db, 'summarize')).toEqual(DEFAULT_ALERT_POLICY);
    await setAlertPolicy(db, 'summarize', { overrides: { 'error-rate': 0.05 } }, 'contract says 5 %', 'ana');
    await setAlertPolicy(
      db,
      'summarize',
      { warningZ: 4.5, overrides: { 'error-rate': 0.04 } },
      'recalibrated',
      'calendar',
    );
    expect(await getAlertPolicy(db, 'summarize')).toMatchObject({
      warningZ: 4.5,
      criticalZ: 5,
      overrides: { 'error-rate': 0.04 },
    });
    expect(await getAlertPolicy(db, 'classify')).toEqual(DEFAULT_ALERT_POLICY);
  });
});
