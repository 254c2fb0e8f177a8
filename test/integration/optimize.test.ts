import type { Client } from '@temporalio/client';
import { moveLabel, resolveLabel } from '../../src/library/label-store';
import { getContent } from '../../src/library/versions';
import { rolloutStatusQuery } from '../../src/shared';
import { DEFAULT_SPLIT, splitDataset } from '../../src/optimizer/split';
import { optimizeEvidence, optimizeEvidenceOfRun } from '../../src/store/optimize-runs';
import { getBlob } from '../../src/store/blobs';
import type { RecordedRequest } from '../fakes/fake-server-core';
import { improverReply } from '../support/optimizer-fakes';
import {
  optimizeHarness,
  ruleExecutor,
  topicCases,
  topicsOf,
  type OptimizeHarness,
} from '../support/optimize/optimize-harness';
import { eventually, spawnWorkerProcess, testClient, uniqueId, withWorker } from '../support/temporal';

// The optimizer end to end: `refinery tune <name> --dataset` as the CLI builds it, optimizeWorkflow on the dev
// server, its activities on a real worker, the real Anthropic and Gemini SDKs against the fakes (which count calls).

let client: Client;
let closeClient: () => Promise<void>;
const open: OptimizeHarness[] = [];
beforeAll(async () => ({ client, close: closeClient } = await testClient()));
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => closeClient());

const TOPICS = ['apples', 'boats', 'cats', 'dunes', 'elms', 'ferns'];
const prompt = { type: 'text' as const, text: 'Answer the question.\nQuestion: {{q}}', variables: ['q'] };

async function world(roles: Parameters<typeof optimizeHarness>[0] = {}, cases = 30) {
  const h = await optimizeHarness(roles);
  open.push(h);
  await h.item('greet', prompt);
  await h.dataset('topics', topicCases(cases, TOPICS));
  return h;
}

/** Texts of the executor's answered requests: one per (candidate, case, sample) ever paid. */
const paid = (h: OptimizeHarness) =>
  h
    .executorRequests()
    .filter((r) => r.delivered === true)
    .map((r) => r.text);

describe('optimizeWorkflow: tune any library item on a dataset', () => {
  test('a text prompt: proposals learnt from real failures, accepted on validation, the pick a `candidate` version with its evidence', async () => {
    const h = await world();
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['greet'], {
        dataset: 'topics@1',
        seed: '7',
        'max-iterations': '3',
        threshold: '95',
        parallel: '2',
      });
      const status = await run.result();
      expect(status.split).toEqual({ train: 12, validation: 12, test: 6, heldOut: true });
      expect(status.acceptances).toBeGreaterThanOrEqual(1);
      const outcome = status.outcome!;
      expect(outcome.version).toBe(2);
      expect(outcome.validation.chosen.mean).toBeGreaterThan(outcome.validation.original.mean);
      // The test split was scored for both, once, at the end.
      expect(outcome.test!.chosen.n).toBe(6);
      expect(outcome.test!.chosen.mean).toBeGreaterThan(outcome.test!.original.mean);

      // Only the chosen candidate became a version, labelled `candidate`; production is untouched.
      expect(await resolveLabel(h.db, 'greet', 'candidate')).toBe(2);
      await expect(resolveLabel(h.db, 'greet', 'production')).rejects.toThrow();
      const chosen = await getContent(h.db, 'greet', { version: 2 });
      expect(chosen.type === 'text' && topicsOf(chosen.text).length).toBeGreaterThan(0);
      expect(chosen.type === 'text' && chosen.text).toContain('{{q}}');
      const evidence = await optimizeEvidence(h.db, 'greet', 2);
      expect(evidence).toBeDefined();

      // The improver read the failing cases themselves: input, output and expected.
      const reflection = h.improverRequests()[0]!.text;
      expect(reflection).toContain('<failing-cases>');
      expect(reflection).toMatch(/ANSWER q\d+/);
      expect(reflection).toContain('<expected>');

      // The report shows the accepted lineage with its diff and the paired test.
      const report = await getBlob(h.db, outcome.reportRef);
      expect(report).toContain('+Always mention');
      expect(report).toMatch(/p = 0\.\d+/);

      // Nothing was paid twice: every answered executor request is a different (candidate, case).
      const texts = paid(h);
      expect(new Set(texts).size).toBe(texts.length);
      expect(status.spent.calls).toBe(texts.length + h.improverRequests().length);
    });
  });

  test('a chat prompt: the improver edits its messages, roles and variables kept', async () => {
    const h = await world();
    await h.item('chat-greet', {
      type: 'chat',
      messages: [
        { role: 'system', content: 'You answer questions.' },
        { role: 'user', content: 'Question: {{q}}' },
      ],
      variables: ['q'],
    });
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['chat-greet'], {
        dataset: 'topics@1',
        seed: '7',
        'max-iterations': '3',
        threshold: '95',
      });
      const status = await run.result();
      expect(status.target.kind).toBe('chat');
      expect(status.outcome!.version).toBe(2);
      const chosen = await getContent(h.db, 'chat-greet', { version: 2 });
      if (chosen.type !== 'chat') throw new Error('the chosen is not a chat prompt');
      expect(chosen.messages.map((m) => m.role)).toEqual(['system', 'user']);
      expect(topicsOf(chosen.messages[0]!.content).length).toBeGreaterThan(0);
      expect(chosen.messages[1]!.content).toBe('Question: {{q}}');
      expect(status.outcome!.validation.chosen.mean).toBeGreaterThan(status.outcome!.validation.original.mean);
    });
  });

  test('a child that wins the training minibatch but loses validation is rejected, and the original stays', async () => {
    // The test knows the split (it is seeded and pure), so its executor can overfit: with "Overfit." in the prompt,
    // training questions get every topic and held-out ones none.
    const cases = topicCases(30, TOPICS);
    const split = splitDataset(
      cases.map((c) => ({ id: c.id!, tags: c.tags! })),
      { seed: 11, ...DEFAULT_SPLIT },
    );
    const train = new Set(split.train.map((id) => `q${Number(id.slice(1))}`));
    const overfit = (req: RecordedRequest) => {
      const q = /Question: (\S+)/.exec(req.text)?.[1] ?? '';
      if (!req.text.includes('Overfit.')) {
        // The original answers half the questions right.
        const i = Number(q.slice(1));
        return { text: `ANSWER ${q}: ${i % 2 === 0 ? TOPICS[i % TOPICS.length] : ''}` };
      }
      return { text: train.has(q) ? `ANSWER ${q}: ${TOPICS.join(' ')}` : `ANSWER ${q}:` };
    };
    const h = await world({
      executor: overfit,
      improver: [{ summary: 'overfit', edits: [{ path: 'prompt.md', action: 'append', text: '\nOverfit.' }] }],
    });
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['greet'], {
        dataset: 'topics@1',
        seed: '11',
        'max-iterations': '1',
        parallel: '1',
        minibatch: '6',
      });
      const status = await run.result();
      expect(status.acceptances).toBe(0);
      expect(status.lastRejection?.reason).toMatch(/won the minibatch but not validation/);
      expect(status.outcome!.version).toBeUndefined();
      await expect(resolveLabel(h.db, 'greet', 'candidate')).rejects.toThrow();
      const report = await getBlob(h.db, status.outcome!.reportRef);
      expect(report).toMatch(/won the minibatch but not validation/);
    });
  });

  test('a noisy judge does not get a worse candidate accepted', async () => {
    // Rubric cases; the judge's score is the truth (70, or 55 for a vague answer) plus up to ±45 of noise drawn from
    // the answer's text, and the executor numbers its answers so repeated samples differ.
    let n = 0;
    const executor = (req: RecordedRequest) => {
      const q = /Question: (\S+)/.exec(req.text)?.[1] ?? '';
      return { text: `ANSWER ${q} ${req.text.includes('Be vague') ? 'vague' : 'precise'} #${n++}` };
    };
    const judge = (req: RecordedRequest) => {
      const answer = /ANSWER \S+ (vague|precise) #\d+/.exec(req.text)?.[0] ?? '';
      let hash = 0;
      for (const ch of answer) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
      const truth = answer.includes('vague') ? 55 : 70;
      return {
        text: JSON.stringify({ score: Math.max(0, Math.min(100, truth + (hash % 91) - 45)), reason: 'graded' }),
      };
    };
    let k = 0;
    const h = await world(
      {
        executor,
        judge,
        improver: () => ({
          summary: 'be vague',
          edits: [{ path: 'prompt.md', action: 'append', text: `\nBe vague ${++k}.` }],
        }),
      },
      0,
    );
    await h.dataset(
      'judged',
      Array.from({ length: 24 }, (_, i) => ({
        id: `j${i}`,
        vars: { q: `j${i}` },
        assertions: [{ type: 'rubric', rubric: 'answers precisely' }],
      })),
    );
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['greet'], {
        dataset: 'judged@1',
        seed: '3',
        'max-iterations': '8',
        patience: '10',
        threshold: '101',
        parallel: '2',
        minibatch: '2',
      });
      const status = await run.result();
      expect(status.proposals).toBeGreaterThanOrEqual(4);
      expect(status.acceptances).toBe(0);
      expect(status.outcome!.version).toBeUndefined();
      // Noise won some minibatch screens; the paired test on validation turned those children away.
      const report = await getBlob(h.db, status.outcome!.reportRef);
      expect(report).toMatch(/won the minibatch but not validation/);
      // The judge never saw an earlier score or which version is newer.
      const judged = h.gemini.requests.map((r) => r.text);
      expect(judged.some((t) => /previous|iteration|earlier score/i.test(t))).toBe(false);
    });
  });

  test('the budget: projected before anything is spent, and a clean stop with the best accepted candidate', async () => {
    const h = await world();
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['greet'], {
        dataset: 'topics@1',
        seed: '7',
        'max-iterations': '10',
        threshold: '101',
        parallel: '1',
        'budget-calls': '60',
      });
      const status = await run.result();
      expect(status.projection!.calls).toBeGreaterThan(0);
      expect(status.projection!.baselineAndOneValidation.calls).toBeGreaterThan(0);
      expect(status.stop).toBe('budget-spent');
      expect(status.spent.calls).toBeLessThanOrEqual(60);
      // What was paid is what the fakes answered.
      expect(status.spent.calls).toBe(paid(h).length + h.improverRequests().length);
      expect(status.outcome!.validation.chosen.mean).toBeGreaterThanOrEqual(status.outcome!.validation.original.mean);
    });
  });

  test('a budget below the baseline plus one validation is called out, and the run stops after the baseline', async () => {
    const h = await world();
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const tight = await h.start(client, taskQueue, ['greet'], {
        dataset: 'topics@1',
        seed: '7',
        'budget-calls': '10',
      });
      const ended = await tight.result();
      expect(ended.warnings.join('\n')).toMatch(/budget/);
      expect(ended.stop).toBe('budget-spent');
      expect(ended.proposals).toBe(0);
    });
  });

  test('a judge that fails scores its case as failed, is recorded, and never fails the run', async () => {
    const judge = (req: RecordedRequest) =>
      req.text.includes('j3') ? { status: 400, message: 'bad request' } : { text: '{"score": 90, "reason": "ok"}' };
    const h = await world({ judge }, 0);
    await h.dataset(
      'judged',
      Array.from({ length: 10 }, (_, i) => ({
        id: `j${i}`,
        vars: { q: `j${i}` },
        assertions: [{ type: 'rubric', rubric: 'answers' }],
      })),
    );
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['greet'], {
        dataset: 'judged@1',
        seed: '1',
        'max-iterations': '1',
        threshold: '101',
      });
      const status = await run.result();
      expect(status.evaluationFailures).toBeGreaterThan(0);
      expect(status.split.heldOut).toBe(false);
      expect(status.warnings.join('\n')).toMatch(/no held-out evidence/);
      // Validation is all 10 cases: a change must win 5 of them outright at alpha 0.05, and the run says so.
      expect(status.projection?.evidence).toMatchObject({ validationCases: 10, minWins: 5, minShare: 0.5 });
      expect(status.warnings.join('\n')).toMatch(/only large changes can be accepted: with 10 validation cases/);
      expect(status.outcome).toBeDefined();
    });
  });

  test('a worker SIGKILLed mid-validation: the next worker finishes the run and no answer is paid twice', async () => {
    let answered = 0;
    let killAt = Number.POSITIVE_INFINITY;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = true;
    const executor = async (req: RecordedRequest) => {
      // Baseline (12) + minibatches (8): the 25th answer is in a child's validation. The calls in flight there are
      // held until the test ends: the dead worker never got their answers (they were never paid).
      if (++answered > killAt && holding) await held;
      return ruleExecutor(req);
    };
    const h = await world({ executor });
    const taskQueue = uniqueId('tq-opt-kill');
    const first = spawnWorkerProcess({ ...h.workerEnv, REFINERY_TASK_QUEUE: taskQueue });
    killAt = 24;
    const run = await h.start(client, taskQueue, ['greet'], {
      dataset: 'topics@1',
      seed: '7',
      'max-iterations': '2',
      threshold: '95',
      parallel: '1',
    });
    await eventually(() => answered > killAt, 60_000);
    // Kill once every answer the worker received is stored (a loaded machine can lag the commit behind the answer):
    // what is then in flight was never answered, and what was answered must never be asked again.
    await eventually(async () => {
      const row = await h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM candidate_results');
      return Number(row?.n ?? 0) >= paid(h).length;
    }, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    holding = false;
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const status = await run.result();
      expect(status.outcome).toBeDefined();
      expect(status.acceptances).toBeGreaterThanOrEqual(1);
    });
    const texts = paid(h);
    release();
    expect(new Set(texts).size).toBe(texts.length);
  });

  test('a skill on a dataset: tuned, and the baseline delta without the skill and with the original', async () => {
    const h = await optimizeHarness({});
    open.push(h);
    await h.item('topics-skill', {
      type: 'skill',
      files: {
        'SKILL.md': '---\nname: topics-skill\ndescription: answers questions\n---\n# Topics\n\nAnswer questions.\n',
      },
    });
    await h.dataset(
      'skill-cases',
      topicCases(30, TOPICS).map((c) => ({ ...c, vars: { input: String(c.vars!.q) } })),
    );
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['topics-skill'], {
        dataset: 'skill-cases@1',
        seed: '5',
        'max-iterations': '3',
        threshold: '95',
      });
      const status = await run.result();
      const delta = status.outcome!.baselineDelta!;
      expect(delta.withSkill.passRate).toBeGreaterThan(delta.withoutSkill.passRate);
      expect(delta.withSkill.passRate).toBeGreaterThan(delta.original.passRate);
      expect(delta.withoutSkill.tokens).toBeLessThan(delta.withSkill.tokens);
      expect(h.executorRequests().some((r) => !r.text.includes('<skill>'))).toBe(true);
      const v2 = await getContent(h.db, 'topics-skill', { version: 2 });
      expect(v2.type === 'skill' && v2.files['SKILL.md']).toMatch(/Always mention/);
      const report = await getBlob(h.db, status.outcome!.reportRef);
      expect(report).toMatch(/without the skill/i);
    });
  });

  test('--then-rollout hands the chosen version to the guarded rollout', async () => {
    const h = await world();
    // The rollout compares the pick with production: without a production version it ends at once, refused.
    const admin = { subject: 'ana', admin: true, ownerRole: true };
    await moveLabel(h.db, { name: 'greet', label: 'production', version: 1, actor: admin, reason: 'launch' });
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['greet'], {
        dataset: 'topics@1',
        seed: '7',
        'max-iterations': '2',
        threshold: '95',
        'then-rollout': true,
      });
      const status = await run.result();
      expect(status.outcome!.version).toBe(2);
      const rolloutId = status.outcome!.rollout!.workflowId;
      expect(rolloutId).toBe('rollout-greet');
      const rollout = client.workflow.getHandle(rolloutId);
      const described = await rollout.describe();
      expect(described.type).toBe('rolloutWorkflow');
      expect(described.status.name).toBe('RUNNING');
      // It runs the pick against production once planned (the first activity), not before.
      const planned = await eventually(
        async () => {
          const rolloutStatus = await rollout.query(rolloutStatusQuery);
          return rolloutStatus.controlVersion !== undefined && rolloutStatus;
        },
        30_000,
        'the rollout to plan against production',
      );
      expect(planned).toMatchObject({ candidateVersion: 2, controlVersion: 1 });
      await rollout.terminate('test over');
    });
  });

  test('failures recurring across runs of an item: RECURRING in the 2nd, UNRESOLVED in the 3rd, and the assertiveness score', async () => {
    const h = await world({ improver: [improverReply({ summary: 'nothing', edits: [] })] });
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const outcomes = [];
      for (let i = 0; i < 3; i++) {
        const run = await h.start(client, taskQueue, ['greet'], {
          dataset: 'topics@1',
          seed: '7',
          'max-iterations': '1',
          threshold: '101',
        });
        outcomes.push((await run.result()).outcome!);
      }
      expect(outcomes[0]!.recurring).toEqual([]);
      expect(outcomes[1]!.recurring!.every((r) => r.classification === 'RECURRING')).toBe(true);
      expect(outcomes[2]!.recurring!.length).toBe(12);
      expect(outcomes[2]!.recurring![0]).toMatchObject({ skill: 'greet', occurrence: 3, classification: 'UNRESOLVED' });
      expect(outcomes[2]!.recurring![0]!.category).toMatch(/^failing case c\d+$/);
      // One round, every validation case unmet: 100 − 40.
      expect(outcomes[2]!.assertiveness).toBe(60);
      const report = await getBlob(h.db, outcomes[2]!.reportRef);
      expect(report).toContain('UNRESOLVED: failing case');
    });
  });

  test('rounds continue as new, carrying the whole state, and the run ends as one', async () => {
    let k = 0;
    const h = await world({
      improver: () => ({ summary: 'vary', edits: [{ path: 'prompt.md', action: 'append', text: `\nNote ${++k}.` }] }),
    });
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(
        client,
        taskQueue,
        ['greet'],
        { dataset: 'topics@1', seed: '7', 'max-iterations': '5', threshold: '101', patience: '10', parallel: '1' },
        { roundsPerRun: 2 },
      );
      const status = await run.result();
      expect(status.round).toBe(5);
      expect(status.proposals).toBe(5);
      // Visibility may lag the run's end by a moment: poll until every run of the chain is listed.
      const listRuns = async () => {
        const runs: string[] = [];
        for await (const wf of client.workflow.list({ query: `WorkflowId = '${run.workflowId}'` })) runs.push(wf.runId);
        return runs.length >= 3 ? runs : undefined;
      };
      expect(await eventually(listRuns, 20_000)).toHaveLength(3);
    });
  });

  test('converged below the threshold: the run waits for a decision, and `accept` ends it', async () => {
    const h = await world({ improver: [improverReply({ summary: 'nothing', edits: [] })] });
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const run = await h.start(client, taskQueue, ['greet'], {
        dataset: 'topics@1',
        seed: '7',
        'max-iterations': '5',
        threshold: '95',
        patience: '1',
      });
      const stalled = await eventually(async () => {
        const s = await run.status();
        return s.phase === 'awaiting-decision' ? s : undefined;
      }, 60_000);
      expect(stalled.stall!.detail).toMatch(/below the threshold/);
      const handle = client.workflow.getHandle(run.workflowId);
      await expect(handle.executeUpdate('decide', { args: [{ action: 'continue', by: '' }] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/who decides/) },
      });
      await handle.executeUpdate('decide', { args: [{ action: 'accept', by: 'ana' }] });
      const status = await run.result();
      expect(status.stop).toBe('accepted');
      expect(status.decisions).toMatchObject([{ action: 'accept', by: 'ana' }]);
    });
  });

  test('a pick that still fails what two earlier runs failed waits for a person before it is recorded: accept, then rollback', async () => {
    // The improver fixes four topics of six, the same way every run: the elms and ferns cases fail run after run.
    const h = await world({
      improver: () => ({
        summary: 'four rules',
        edits: [
          {
            path: 'prompt.md',
            action: 'append',
            text: ['apples', 'boats', 'cats', 'dunes'].map((t) => `\nAlways mention ${t}.`).join(''),
          },
        ],
      }),
    });
    const taskQueue = uniqueId('tq-opt');
    await withWorker(taskQueue, { db: h.db, providers: h.providers }, async () => {
      const start = () =>
        h.start(client, taskQueue, ['greet@1'], {
          dataset: 'topics@1',
          seed: '7',
          'max-iterations': '1',
          threshold: '101',
          parallel: '1',
        });
      const stalled = async (run: Awaited<ReturnType<typeof start>>) =>
        eventually(async () => {
          const s = await run.status();
          return s.phase === 'awaiting-decision' ? s : undefined;
        }, 60_000);

      // The 1st and 2nd runs record their pick (RECURRING in the 2nd only reports).
      for (let i = 0; i < 2; i++) {
        const status = await (await start()).result();
        expect(status.outcome!.version).toBeDefined();
        expect(status.decisions).toEqual([]);
      }

      // The 3rd: UNRESOLVED, so it waits, with nothing recorded yet, in the reference's escalation format.
      const third = await start();
      const waiting = await stalled(third);
      expect(waiting.stall).toMatchObject({ reason: 'unresolved-recurring' });
      expect(waiting.stall!.detail).toMatch(
        /^RECURRING ISSUE - Escalation Required\. Issue: the chosen candidate of greet still fails failing case c\d+/,
      );
      expect(waiting.stall!.detail).toContain('this run tried: four rules');
      expect(await optimizeEvidenceOfRun(h.db, third.input.runId)).toBeUndefined();
      const handle = client.workflow.getHandle(third.workflowId);
      await handle.executeUpdate('decide', { args: [{ action: 'accept', by: 'ana' }] });
      const accepted = await third.result();
      expect(accepted.stop).toBe('accepted');
      expect(accepted.outcome!.version).toBeDefined();
      expect(accepted.outcome!.chosen.hash).not.toBe(accepted.outcome!.original.hash);
      expect((await optimizeEvidenceOfRun(h.db, third.input.runId))!.version).toBe(accepted.outcome!.version);
      expect(accepted.decisions).toMatchObject([{ action: 'accept', by: 'ana', reason: 'unresolved-recurring' }]);
      expect(await getBlob(h.db, accepted.outcome!.reportRef)).toContain('by ana on "unresolved-recurring"');

      // The 4th: rollback keeps the original, records no version, and leaves nothing for the folder.
      const fourth = await start();
      await stalled(fourth);
      await client.workflow
        .getHandle(fourth.workflowId)
        .executeUpdate('decide', { args: [{ action: 'rollback', by: 'ana' }] });
      const rolledBack = await fourth.result();
      expect(rolledBack.stop).toBe('rolled-back');
      expect(rolledBack.outcome!.version).toBeUndefined();
      expect(rolledBack.outcome!.chosen.hash).toBe(rolledBack.outcome!.original.hash);
      expect(await optimizeEvidenceOfRun(h.db, fourth.input.runId)).toBeUndefined();
      expect(rolledBack.decisions).toMatchObject([{ action: 'rollback', reason: 'unresolved-recurring' }]);
    });
  });
});
