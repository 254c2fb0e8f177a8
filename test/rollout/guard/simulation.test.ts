import { evaluateGuard } from '../../../src/rollout/guard';
import { addRuns, addVotes, emptyArm, HEALTHY, mulberry32 } from './sim';

/**
 * Monte Carlo checks of the two properties the product cares about, with a fixed seed per rollout so
 * the counts are reproducible: healthy canaries watched every minute of a bake almost never alarm, and
 * a doubled thumbs-down rate is caught within a bake's worth of votes.
 */
describe('guard under continuous monitoring', () => {
  test('false alarms: 50 healthy rollouts × 60 looks', () => {
    let alarmed = 0;
    for (let rollout = 0; rollout < 50; rollout++) {
      const rand = mulberry32(1000 + rollout);
      const control = emptyArm();
      const canary = emptyArm();
      for (let look = 0; look < 60; look++) {
        addRuns(control, HEALTHY, 20, rand);
        addRuns(canary, HEALTHY, 20, rand);
        if (evaluateGuard(control, canary).breach) {
          alarmed++;
          break;
        }
      }
    }
    console.log(`guard false alarms: ${alarmed} of 50 healthy rollouts (60 looks each, up to 1200 runs per arm)`);
    expect(alarmed).toBeLessThanOrEqual(1);
  });

  test('power: 50 rollouts with thumbs-down 10% → 20%, looked at every 20 votes up to 600', () => {
    const detectedAt: number[] = [];
    for (let rollout = 0; rollout < 50; rollout++) {
      const rand = mulberry32(5000 + rollout);
      const control = emptyArm();
      const canary = emptyArm();
      for (let n = 20; n <= 600; n += 20) {
        addVotes(control, 0.1, 20, rand);
        addVotes(canary, 0.2, 20, rand);
        const v = evaluateGuard(control, canary);
        if (v.breach) {
          expect(v.signals.find((s) => s.breach)!.signal).toBe('thumbs-down-rate');
          detectedAt.push(n);
          break;
        }
      }
    }
    const sorted = [...detectedAt].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : NaN;
    console.log(
      `guard power: detected ${detectedAt.length} of 50 degraded rollouts by 600 votes per arm; ` +
        `median votes per arm to detection ${median}`,
    );
    expect(detectedAt.length).toBeGreaterThanOrEqual(45);
    // Never before both arms reach minSamples.
    expect(Math.min(...detectedAt)).toBeGreaterThanOrEqual(100);
  });
});
