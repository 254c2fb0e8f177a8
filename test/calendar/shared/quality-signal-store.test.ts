import { qualitySignals } from '../../../src/calendar/shared/quality-signal-store';
import { recordFeedback, recordRuns } from '../../../src/library/records';
import { recordVersion } from '../../../src/library/versions';
import type { Db } from '../../../src/store/db';
import { describeEachStore } from '../../support/store-backends';

describeEachStore('quality signals over 1-, 7- and 30-day windows', (backend) => {
  let db: Db;
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(() => db.close());

  test('each window counts only its runs and feedback', async () => {
    await recordVersion(db, 'greet', { type: 'text', text: 'hi', variables: [] }, { rationale: 'r', author: 'ana' });
    const now = new Date('2026-11-22T12:00:00Z');
    const ago = (days: number) => new Date(now.getTime() - days * 86_400_000 + 60_000).toISOString();
    const runs = [
      ...Array.from({ length: 10 }, (_, i) => ({
        id: `today-${i}-run`,
        name: 'greet',
        version: 1,
        formatOk: i !== 0,
        corrected: i === 1,
        regenerated: false,
        outputTokens: 100,
        at: ago(0.5),
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        id: `week-${i}-run`,
        name: 'greet',
        version: 1,
        error: i < 5 ? 'boom' : undefined,
        corrected: false,
        regenerated: false,
        outputTokens: 300,
        at: ago(5),
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        id: `month-${i}-run`,
        name: 'greet',
        version: 1,
        corrected: false,
        regenerated: false,
        outputTokens: 200,
        at: ago(20),
      })),
      { id: 'too-old-run', name: 'greet', version: 1, corrected: false, regenerated: false, at: ago(40) },
    ];
    await recordRuns(db, runs);
    await recordFeedback(db, [
      { id: 'fb-today-1', runId: 'today-0-run', thumbs: 'down', at: ago(0.5) },
      { id: 'fb-today-2', runId: 'today-1-run', thumbs: 'up', at: ago(0.5) },
      { id: 'fb-month-1', runId: 'month-0-run', thumbs: 'down', at: ago(20) },
    ]);
    const day = await qualitySignals(db, 'greet', 1, 1, now);
    expect(day).toMatchObject({
      volume: 10,
      formatComplianceRate: 0.9,
      correctionRate: 0.1,
      errorRate: 0,
      thumbsDownRate: 0.5,
      votes: 2,
      meanOutputTokens: 100,
    });
    const week = await qualitySignals(db, 'greet', 1, 7, now);
    expect(week).toMatchObject({ volume: 20, errorRate: 0.25, meanOutputTokens: 200 });
    const month = await qualitySignals(db, 'greet', 1, 30, now);
    expect(month).toMatchObject({ volume: 30, votes: 3, thumbsDownRate: 0.6667 });
  });
});
