import { DEFAULT_ALERT_POLICY } from '../../../src/calendar/alerts/alert-rules';
import { recalibrate, RECALIBRATION } from '../../../src/calendar/monthly/recalibrate';

const defaults = { warningZ: DEFAULT_ALERT_POLICY.warningZ, criticalZ: DEFAULT_ALERT_POLICY.criticalZ };

describe('baseline recalibration from resolved alerts', () => {
  test('mostly false positives widens both thresholds one step, keeping their gap', () => {
    const d = recalibrate({ name: 'greet', resolved: 6, falsePositives: 5, current: defaults });
    expect(d).toMatchObject({
      action: 'widen',
      falsePositiveRate: 0.83,
      from: { warningZ: 3.5, criticalZ: 5 },
      to: { warningZ: 4, criticalZ: 5.5 },
    });
    expect(d.reason).toMatch(/83% of 6 resolved alerts were false positives/);
  });

  test('too few resolved alerts to judge: kept, whatever the share', () => {
    const d = recalibrate({ name: 'greet', resolved: 3, falsePositives: 3, current: defaults });
    expect(d).toMatchObject({ action: 'keep', to: defaults });
    expect(d.reason).toMatch(/too few/);
  });

  test('after a change inside the window only the alerts since then count, and the reason says so', () => {
    const d = recalibrate({
      name: 'greet',
      resolved: 1,
      falsePositives: 1,
      current: { warningZ: 4, criticalZ: 5.5 },
      countedSince: '2026-05-25T08:00:00.000Z',
    });
    expect(d).toMatchObject({ action: 'keep', to: { warningZ: 4, criticalZ: 5.5 } });
    expect(d.reason).toBe('1 resolved alert(s) since the thresholds changed on 2026-05-25: too few to judge');
  });

  test('a share under the bar keeps the thresholds', () => {
    expect(recalibrate({ name: 'greet', resolved: 10, falsePositives: 4, current: defaults }).action).toBe('keep');
  });

  test('widening stops at the cap', () => {
    const atCap = { warningZ: RECALIBRATION.maxWarningZ, criticalZ: RECALIBRATION.maxWarningZ + 1.5 };
    const d = recalibrate({ name: 'greet', resolved: 8, falsePositives: 8, current: atCap });
    expect(d).toMatchObject({ action: 'keep', to: atCap });
    const nearCap = recalibrate({
      name: 'greet',
      resolved: 8,
      falsePositives: 8,
      current: { warningZ: RECALIBRATION.maxWarningZ - 0.2, criticalZ: RECALIBRATION.maxWarningZ + 1.3 },
    });
    expect(nearCap.to.warningZ).toBe(RECALIBRATION.maxWarningZ);
  });

  test('real alerts narrow a widened policy back one step, never below the default', () => {
    const widened = recalibrate({
      name: 'greet',
      resolved: 10,
      falsePositives: 1,
      current: { warningZ: 4.5, criticalZ: 6 },
    });
    expect(widened).toMatchObject({ action: 'narrow', to: { warningZ: 4, criticalZ: 5.5 } });
    const nearDefault = recalibrate({
      name: 'greet',
      resolved: 10,
      falsePositives: 0,
      current: { warningZ: 3.7, criticalZ: 5.2 },
    });
    expect(nearDefault.to).toEqual(defaults);
    expect(recalibrate({ name: 'greet', resolved: 10, falsePositives: 0, current: defaults }).action).toBe('keep');
  });
});
