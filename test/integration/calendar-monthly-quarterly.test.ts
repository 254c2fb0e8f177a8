import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { monthlyActivities } from '../../src/calendar/monthly/monthly-activities';
import { quarterlyActivities } from '../../src/calendar/quarterly/quarterly-activities';
import { applyAlertActions, getAlertPolicy, resolveAlert } from '../../src/calendar/alerts/alert-store';
import { DEFAULT_ALERT_POLICY } from '../../src/calendar/alerts/alert-rules';
import { getCalendarRun } from '../../src/calendar/shared/calendar-run-store';
import type { CalendarInput, CalendarRunResult } from '../../src/calendar/shared/periods';
import type { EvalCase } from '../../src/eval/types';
import { getLabels, labelHistory, moveLabel } from '../../src/library/label-store';
import { recordRuns } from '../../src/library/records';
import { recordVersion } from '../../src/library/versions';
import type { LibraryContent } from '../../src/library/content';
import type { DrillApi } from '../../src/library/staging-drill';
import { startApiServer } from '../../src/api/server';
import { getBlob } from '../../src/store/blobs';
import { applyTuneOutcome } from '../../src/cli/tune-outcome';
import type { Db } from '../../src/store/db';
import { addDatasetVersion } from '../../src/store/evals';
import { decideUpdate, improveStatusQuery, tuneStatusQuery } from '../../src/shared';
import type { tuneWorkflow } from '../../src/workflows/tune';
import { sharedTestEnv } from '../support/shared-env';
import { describeEachStore, type StoreBackend } from '../support/store-backends';
import { timeSkippingEnv } from '../support/time-skipping';
import { eventually, tempDir, uniqueId } from '../support/temporal';

const ADMIN = { subject: 'ana', admin: true, ownerRole: true };
const OFFLINE = { provider: 'offline' as const, anthropic: {}, gemini: {} };

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(() => env?.teardown());

interface Store {
  db: Db;
  dir: string;
  version(name: string, content: LibraryContent, item?: { owner?: string; tags?: string[] }): Promise<number>;
  production(name: string, version: number): Promise<void>;
  dataset(name: string, target: string, cases: Partial<EvalCase>[]): Promise<void>;
}

async function store(backend: StoreBackend): Promise<Store> {
  const dir = tempDir('calendar-golden');
  const db = await backend.open();
  return {
    db,
    dir,
    async version(name, content, item = {}) {
      const v = await recordVersion(db, name, content, {
        rationale: 'seed',
        author: 'ana',
        item: { owner: item.owner ?? 'ana', tags: item.tags ?? [] },
      });
      return v.version;
    },
    async production(name, version) {
      await moveLabel(db, { name, label: 'production', version, actor: ADMIN, reason: 'seed' });
    },
    async dataset(name, target, cases) {
      await addDatasetVersion(db, {
        name,
        target,
        source: path.join(dir, `${name}.jsonl`),
        author: 'ana',
        cases: cases.map((c, i) => ({
          id: c.id ?? `case-${i + 1}`,
          vars: c.vars ?? {},
          assertions: c.assertions ?? [],
          tags: [],
          required: false,
          ...(c.input !== undefined ? { input: c.input } : {}),
        })),
      });
    },
  };
}

/** Runs fn while a worker on the time-skipping server serves every workflow. */
async function withWorker<T>(db: Db, fn: (taskQueue: string) => Promise<T>, drillApi?: DrillApi): Promise<T> {
  const taskQueue = uniqueId('tq');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: sharedTestEnv().workflowBundlePath },
    activities: {
      ...createActivities({ db, providers: OFFLINE }),
      ...monthlyActivities({ db }),
      ...quarterlyActivities({ db, drillApi }),
    },
  });
  return worker.runUntil(fn(taskQueue));
}

const run = (taskQueue: string, type: string, workflowId: string, input: CalendarInput) =>
  env.client.workflow.execute<(i: CalendarInput) => Promise<CalendarRunResult>>(type, {
    taskQueue,
    workflowId,
    args: [input],
  });

const skill = (outputSection: boolean): LibraryContent => ({
  type: 'skill',
  files: {
    'SKILL.md': [
      '# Release notes',
      '',
      'Turns a list of merged changes into release notes a customer can read.',
      '',
      '## Steps',
      '1. Group the changes by feature.',
      ...(outputSection ? ['', '## Output format', 'A bulleted list, newest first, one line per change.'] : []),
      '',
    ].join('\n'),
  },
});

async function resolvedAlerts(db: Db, name: string, falsePositives: number, actions: number, at: string) {
  for (let i = 0; i < falsePositives + actions; i++) {
    const opened = await applyAlertActions(
      db,
      [
        {
          kind: 'open',
          finding: {
            name,
            version: 1,
            signal: 'error-rate',
            severity: 'warning',
            baseline: 0.01,
            current: 0.03,
            z: 3.8,
            samples: 400,
            dedupeKey: `${name}@1:error-rate:${i}`,
            detail: 'error rate 1% → 3%',
          },
        },
      ],
      new Date(Date.parse(at) - 3600_000),
    );
    await resolveAlert(
      db,
      opened.opened[0]!.alertId,
      i < falsePositives
        ? { as: 'false-positive', note: 'a provider blip, recovered by itself', actor: 'ana' }
        : { as: 'action', note: 'tighten the retry budget', actor: 'ana' },
      new Date(at),
    );
  }
}

describeEachStore('monthly golden re-run on the time-skipping server', (backend) => {
  test('flags the regressed prompt only, starts its tune, widens noisy thresholds and records the run', async () => {
    const s = await store(backend);
    // A skill that regresses (its production version loses the section the dataset checks) and a text
    // prompt that does not.
    const good = await s.version('release-notes', skill(true), { tags: ['docs'] });
    const regressed = await s.version('release-notes', skill(false));
    await s.production('release-notes', good);
    await s.dataset(
      'release-notes-golden',
      'release-notes',
      ['Dark mode', 'Faster search', 'CSV export', 'SSO login'].map((change) => ({
        input: `Merged: ${change}`,
        vars: { input: `Merged: ${change}` },
        assertions: [{ type: 'contains', value: 'Output format' }],
      })),
    );
    await s.production(
      'translate',
      await s.version('translate', { type: 'text', text: 'Translate into French: {{input}}', variables: ['input'] }),
    );
    await s.dataset(
      'translate-golden',
      'translate',
      ['good morning', 'see you tomorrow', 'thank you'].map((input) => ({
        vars: { input },
        assertions: [{ type: 'contains', value: 'Translate into French' }],
      })),
    );
    // In the 30 days before the second month: translate's alerts were mostly false positives (5 of 6),
    // release-notes had too few resolved alerts to judge.
    await resolvedAlerts(s.db, 'translate', 5, 1, '2026-05-20T10:00:00.000Z');
    await resolvedAlerts(s.db, 'release-notes', 2, 0, '2026-05-21T10:00:00.000Z');

    const may = uniqueId('monthly-may');
    const june = uniqueId('monthly-june');
    await withWorker(s.db, async (taskQueue) => {
      const first = await run(taskQueue, 'monthlyGoldenWorkflow', may, {
        asOf: '2026-05-01T06:00:00.000Z',
        provider: 'offline',
      });
      expect(first).toMatchObject({
        runId: may,
        period: 'monthly',
        asOf: '2026-05-01T06:00:00.000Z',
        counts: { prompts: 2, regressed: 0, tunesStarted: 0, errors: 0, recalibrated: 0 },
      });

      // Between the runs, production of release-notes moves to the version that fails its dataset.
      await s.production('release-notes', regressed);
      const second = await run(taskQueue, 'monthlyGoldenWorkflow', june, {
        asOf: '2026-06-01T06:00:00.000Z',
        provider: 'offline',
      });
      expect(second.counts).toMatchObject({ prompts: 2, regressed: 1, tunesStarted: 1, errors: 0, recalibrated: 1 });

      // Flagged: release-notes only, compared with May's run.
      const record = (await getCalendarRun(s.db, june))!;
      expect(record.summary).toMatchObject({
        regressed: ['release-notes'],
        tunes: [`${june}-tune-release-notes`],
        golden: {
          'release-notes': { version: regressed, passRate: 0, gatePassed: false },
          translate: { passRate: 1, gatePassed: true },
        },
      });
      const report = await getBlob(s.db, record.reportRef!);
      expect(report).toContain(`Compared with the monthly run \`${may}\``);
      expect(report).toContain('## Regressions (1)');
      expect(report).toMatch(
        /\| release-notes \| v2 \| release-notes-golden v1 \| 100% → 0% \|.*the gate passed last month \(v1\) and fails now \(v2: pass-rate\)/,
      );
      expect(report).toMatch(/\| translate \| prompt \| v1 \|.*\| 100% \| \+?0 pts \| passed \| steady \|/);

      // Both golden re-runs ran fresh through the eval engine as this run's children.
      const evalRuns = await s.db.all<{ run_id: string; status: string }>(
        'SELECT run_id, status FROM eval_runs WHERE run_id LIKE ? ORDER BY run_id',
        [`${june}-golden-%`],
      );
      expect(evalRuns).toEqual([
        { run_id: `${june}-golden-release-notes`, status: 'completed' },
        { run_id: `${june}-golden-translate`, status: 'completed' },
      ]);

      // The tune: a child of the June run that outlives it, started from the regressed production version.
      // It has no folder on any machine (workers hold no files). It runs on while the June run is over;
      // when it stalls on its recurring weakness (the offline judge's), the owner accepts its best version.
      const tuneId = `${june}-tune-release-notes`;
      const tune = env.client.workflow.getHandle<typeof tuneWorkflow>(tuneId);
      const described = await tune.describe();
      expect(described.type).toBe('tuneWorkflow');
      expect(described.parentExecution?.workflowId).toBe(june);
      const started = (skill(false) as Extract<LibraryContent, { type: 'skill' }>).files['SKILL.md']!;
      expect(started).not.toContain('## Output format'); // the regressed production version
      const stalled = await eventually(
        async () => {
          const q = await tune.query(tuneStatusQuery);
          return q.phase === 'awaiting-decision' ? q : undefined;
        },
        60_000,
        'the regression tune to stall for a decision',
      );
      expect(stalled.iteration).toBeGreaterThanOrEqual(1);

      // A manual re-run of June while that tune is open flags the regression again, but starts no second tune.
      const rerun = await run(taskQueue, 'monthlyGoldenWorkflow', uniqueId('monthly-june-again'), {
        asOf: '2026-06-01T06:00:00.000Z',
        provider: 'offline',
      });
      expect(rerun.counts).toMatchObject({ regressed: 1, tunesStarted: 0 });
      expect(await getBlob(s.db, rerun.reportRef!)).toContain(
        `not tuned again: regression tune \`${tuneId}\` is still open`,
      );

      await tune.executeUpdate(decideUpdate, { args: [{ action: 'accept', by: 'ana', note: 'monthly regression' }] });
      const status = await tune.result();
      expect(status).toMatchObject({ skills: ['release-notes'], phase: 'completed', termination: 'accepted' });
      expect(status.outcome?.writeBack).toEqual([expect.objectContaining({ skill: 'release-notes' })]);
      expect(status.outcome?.writeBack[0]!.dir).toBeUndefined();
      // The owner writes the outcome into their copy of the production version, as `refinery outcome
      // <id> --write --dir <folder>` does; the library holds it as a new version; production did not move.
      const ownerCopy = path.join(s.dir, 'owner', 'release-notes');
      fs.mkdirSync(ownerCopy, { recursive: true });
      fs.writeFileSync(path.join(ownerCopy, 'SKILL.md'), started);
      const nowhere = await applyTuneOutcome(s.db, status, { write: true });
      expect(nowhere.folders[0]).toMatchObject({ written: false, refused: expect.stringContaining('--dir') });
      const applied = await applyTuneOutcome(s.db, status, { write: true, dirs: { 'release-notes': ownerCopy } });
      expect(applied.folders).toMatchObject([{ skill: 'release-notes', written: true, files: ['SKILL.md'] }]);
      expect(fs.readFileSync(path.join(ownerCopy, 'SKILL.md'), 'utf8')).not.toBe(started);
      expect(applied.reportPaths).toEqual([]); // no output folder: the report stays in the store
      expect(await getBlob(s.db, status.outcome!.reportRef)).toContain('# Tune report: release-notes');
      const tuneRun = await s.db.get<{ started_by: string; skills: string }>(
        'SELECT started_by, skills FROM tune_runs WHERE run_id = ?',
        [tuneId],
      );
      expect(tuneRun).toEqual({ started_by: 'refinery-calendar', skills: '["release-notes"]' });
      const labels = await getLabels(s.db, 'release-notes');
      expect(labels.latest).toBeGreaterThan(regressed);
      expect(labels.production).toBe(regressed);

      // Nothing of the prompts, datasets or skill files went into the June run's history.
      const history = JSON.stringify(await env.client.workflow.getHandle(june).fetchHistory());
      for (const secret of ['Translate into French', 'good morning', 'Merged: Dark mode', 'Group the changes'])
        expect(history).not.toContain(secret);
    });

    // Recalibration: translate widened one step in June — once, though June ran twice: the re-run counts
    // only alerts resolved since that change. May's window held no resolved alert; release-notes had too
    // few to judge.
    expect(await getAlertPolicy(s.db, 'translate')).toMatchObject({ warningZ: 4, criticalZ: 5.5 });
    expect(await getAlertPolicy(s.db, 'release-notes')).toEqual(DEFAULT_ALERT_POLICY);
    expect((await getCalendarRun(s.db, may))!.summary.counts).toMatchObject({ recalibrated: 0 });
  });
});

describeEachStore('monthly regression of a text prompt goes through refinery improve', (backend) => {
  test('a regressed text prompt starts an improve run on its golden dataset, harvest and review skipped', async () => {
    const s = await store(backend);
    const good = await s.version('translate', {
      type: 'text',
      text: 'Translate into French: {{input}}',
      variables: ['input'],
    });
    const bad = await s.version('translate', { type: 'text', text: 'Traduire: {{input}}', variables: ['input'] });
    await s.production('translate', good);
    await s.dataset(
      'translate-golden',
      'translate',
      ['good morning', 'see you tomorrow', 'thank you'].map((input) => ({
        vars: { input },
        assertions: [{ type: 'contains', value: 'Translate into French' }],
      })),
    );
    const may = uniqueId('monthly-may');
    const june = uniqueId('monthly-june');
    await withWorker(s.db, async (taskQueue) => {
      await run(taskQueue, 'monthlyGoldenWorkflow', may, { asOf: '2026-05-01T06:00:00.000Z', provider: 'offline' });
      await s.production('translate', bad);
      const second = await run(taskQueue, 'monthlyGoldenWorkflow', june, {
        asOf: '2026-06-01T06:00:00.000Z',
        provider: 'offline',
      });
      expect(second.counts).toMatchObject({ regressed: 1, tunesStarted: 1 });
      const improveId = `improve-translate-${june}-improve-translate`;
      expect((await getCalendarRun(s.db, june))!.summary).toMatchObject({ tunes: [improveId] });
      const improve = env.client.workflow.getHandle(improveId);
      const described = await improve.describe();
      expect(described.type).toBe('improveWorkflow');
      expect(described.parentExecution?.workflowId).toBe(june);
      // It tunes the regressed production version on the golden dataset, no review wait first.
      const st = await eventually(
        async () => {
          const q = await improve.query(improveStatusQuery);
          return q.dataset ? q : undefined;
        },
        60_000,
        'the improve run to reach its tune',
      );
      expect(st.steps.slice(0, 2).map((x) => x.state)).toEqual(['skipped', 'skipped']);
      expect(st.productionVersion).toBe(bad);
      expect(st.dataset).toEqual({ name: 'translate-golden', version: 1, added: 0 });
      await improve.terminate('test over');
    });
  });
});

describeEachStore('quarterly audit on the time-skipping server', (backend) => {
  const supportQuestions = [
    'How do I reset my password?',
    'Where is my order 4411?',
    'Can I change the delivery address of order 1203?',
    'I want a refund for the broken lamp',
    'How do I cancel my subscription?',
    'The discount code does not work at checkout',
    'My parcel 88231 never arrived',
    'Can I return the jacket after 30 days?',
  ];
  const elsewhere = [
    'Write a limerick about the quarterly sales kickoff',
    'Translate the onboarding contract clause into German',
    'Explain kubernetes ingress to a beginner with examples',
    'Draft a tweet announcing our new podcast episode',
    'Summarise this research paper on protein folding',
  ];

  test('lists exactly the stale, ownerless, mis-tagged and dataset-less prompts, flags the drifted dataset and drills production', async () => {
    const s = await store(backend);
    const text = (t: string): LibraryContent => ({ type: 'text', text: t, variables: [] });
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    const recent = (i: number) => new Date(Date.now() - (i + 1) * 3600_000).toISOString();
    const runs = (name: string, version: number, inputs: (string | undefined)[]) =>
      recordRuns(
        s.db,
        inputs.map((input, i) => ({
          id: `${name}-run-${i}`,
          name,
          version,
          corrected: false,
          regenerated: false,
          ...(input !== undefined ? { input } : {}),
          at: recent(i),
        })),
      );
    const questionCases = supportQuestions.map((q) => ({ input: q, vars: { input: q } }));

    // Stale: one old version, no runs, otherwise in order.
    await s.production(
      'stale-faq',
      await s.version('stale-faq', text('Answer the FAQ: {{input}}'), { tags: ['support'] }),
    );
    await s.dataset('faq-golden', 'stale-faq', questionCases);
    await s.db.run('UPDATE library_versions SET created_at = ? WHERE name = ?', [old, 'stale-faq']);
    await s.db.run('UPDATE library_items SET created_at = ? WHERE name = ?', [old, 'stale-faq']);

    // Ownerless, with production inputs like its dataset's.
    await s.version('orphan-greeting', text('Greet v1'), { owner: '', tags: ['support', 'customer-support'] });
    await s.production('orphan-greeting', 1);
    await s.production('orphan-greeting', await s.version('orphan-greeting', text('Greet v2')));
    await s.dataset('greeting-golden', 'orphan-greeting', questionCases);
    await runs(
      'orphan-greeting',
      2,
      Array.from({ length: 30 }, (_, i) => supportQuestions[i % supportQuestions.length]),
    );

    // A tag spelled unlike the rest of the library.
    await s.version('messy-tags', text('Route: {{input}}'), { tags: ['Customer_Support'] });
    await s.dataset('messy-golden', 'messy-tags', questionCases);
    await runs('messy-tags', 1, [undefined]);

    // No golden dataset.
    await s.version('no-golden', text('Bill v1'), { tags: ['billing'] });
    await s.production('no-golden', await s.version('no-golden', text('Bill v2')));
    await runs('no-golden', 2, [undefined]);

    // Healthy in the library, but production now asks about other things than its dataset holds.
    await s.version('drifted-router', text('Route v1'), { tags: ['customer-support'] });
    await s.production('drifted-router', await s.version('drifted-router', text('Route v2')));
    await s.dataset('router-golden', 'drifted-router', questionCases);
    await runs(
      'drifted-router',
      2,
      Array.from({ length: 40 }, (_, i) => elsewhere[i % elsewhere.length]),
    );

    const production = ['drifted-router', 'no-golden', 'orphan-greeting', 'stale-faq'];
    const labelsBefore = Object.fromEntries(
      await Promise.all(production.map(async (n) => [n, (await getLabels(s.db, n)).production] as const)),
    );
    const movesBefore = await Promise.all(production.map((n) => labelHistory(s.db, n, 'production')));

    const id = uniqueId('quarterly');
    const asOf = new Date().toISOString();
    // The drills go through a real API server on 127.0.0.1 over this store, as an application's resolver would.
    const api = await startApiServer(s.db, { port: 0, bootstrapToken: 'drill-token', pollMs: 50 });
    const result = await withWorker(s.db, (taskQueue) => run(taskQueue, 'quarterlyAuditWorkflow', id, { asOf }), {
      url: api.url,
      token: 'drill-token',
    }).finally(() => api.close());
    expect(result).toMatchObject({
      runId: id,
      period: 'quarterly',
      asOf,
      counts: {
        items: 5,
        findings: 4,
        noOwner: 1,
        stale: 1,
        inconsistentTags: 1,
        noDataset: 1,
        datasetsToRefresh: 1,
        drills: 4,
        drillsFailed: 0,
        drillsSkipped: 0,
      },
    });

    const record = (await getCalendarRun(s.db, id))!;
    expect(record.summary.findings).toEqual([
      { name: 'messy-tags', rule: 'inconsistent-tags' },
      { name: 'no-golden', rule: 'no-golden-dataset' },
      { name: 'orphan-greeting', rule: 'no-owner' },
      { name: 'stale-faq', rule: 'stale' },
    ]);
    expect(record.summary.refresh).toEqual(['drifted-router']);
    const report = await getBlob(s.db, record.reportRef!);
    expect(report).toContain('- messy-tags: "Customer_Support" → "customer-support"');
    expect(report).toMatch(/\| drifted-router \| router-golden v1 \| 40 \|.*\*\*refresh the dataset\*\*/);
    expect(report).toMatch(/\| orphan-greeting \| greeting-golden v1 \| 30 \|.*still representative/);

    // A drill per production prompt; the single-version one has no rollback target.
    expect((record.summary.drills as { name: string; status: string }[]).map((d) => [d.name, d.status])).toEqual([
      ['drifted-router', 'passed'],
      ['no-golden', 'passed'],
      ['orphan-greeting', 'passed'],
      ['stale-faq', 'no-target'],
    ]);
    const events = await s.db.all<{ rollout_id: string; detail: string }>(
      "SELECT rollout_id, detail FROM rollout_events WHERE kind = 'drill' ORDER BY rollout_id",
    );
    expect(events.map((e) => e.rollout_id)).toEqual(production.map((n) => `drill-${id}-${n}`));
    const orphanDrill = JSON.parse(events[2]!.detail) as { from: number; to: number; label: string };
    expect(orphanDrill).toMatchObject({ label: 'staging', from: 1, to: 2, by: 'refinery-calendar' });
    expect((orphanDrill as { timeToRollbackMs?: number }).timeToRollbackMs).toEqual(expect.any(Number));
    // Staging: set to production (it was unset), moved away, rolled back, all through the API under its token.
    const drillMoves = await labelHistory(s.db, 'orphan-greeting', 'staging');
    expect(drillMoves.map((m) => m.toVersion)).toEqual([2, 1, 2]);
    expect(drillMoves.every((m) => m.actor === 'admin')).toBe(true);
    expect(report).toMatch(
      /\| orphan-greeting \| v2 \| v1 \| passed: the resolver served v2 \d+ ms after the rollback \| \d+ ms \|/,
    );

    // Production labels are where they were, and were never moved.
    for (const [i, n] of production.entries()) {
      expect((await getLabels(s.db, n)).production).toBe(labelsBefore[n]);
      expect(await labelHistory(s.db, n, 'production')).toEqual(movesBefore[i]);
    }
  });

  test('without an API on the worker the drills are skipped, and the record says what to set', async () => {
    const s = await store(backend);
    await s.version('greet', { type: 'text', text: 'Hi v1', variables: [] }, { tags: ['support'] });
    await s.production('greet', await s.version('greet', { type: 'text', text: 'Hi v2', variables: [] }));
    const id = uniqueId('quarterly');
    const result = await withWorker(s.db, (taskQueue) =>
      run(taskQueue, 'quarterlyAuditWorkflow', id, { asOf: new Date().toISOString() }),
    );
    expect(result.counts).toMatchObject({ drills: 1, drillsFailed: 0, drillsSkipped: 1 });
    const record = (await getCalendarRun(s.db, id))!;
    expect(record.summary.drills).toEqual([
      {
        name: 'greet',
        status: 'skipped',
        detail: 'no API to drill through: set REFINERY_API_URL and REFINERY_API_TOKEN on the worker (a writer token)',
      },
    ]);
    const report = await getBlob(s.db, record.reportRef!);
    expect(report).toContain('| greet | v2 | — | skipped: no API to drill through');
    // ana authored v2, which reached production this quarter; v1 never did.
    expect(report).toContain(
      '## Contribution (last quarter)\n\nPer person, what completed in the quarter: versions they authored that reached production',
    );
    expect(report).toContain(
      '| person | versions to production | improvements shipped | cases contributed | feedback resolved |\n|---|---|---|---|---|\n| ana | 1 | 0 | 0 | 0 |\n',
    );
    // Nothing moved, nothing recorded as a drill.
    expect(await labelHistory(s.db, 'greet', 'staging')).toEqual([]);
    expect(await s.db.all("SELECT rollout_id FROM rollout_events WHERE kind = 'drill'")).toEqual([]);
  });
});
