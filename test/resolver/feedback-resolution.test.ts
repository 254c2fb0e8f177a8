import { getHarvestCursor, writeHarvest } from '../../src/cases/case-store';
import { acceptCase, publishAccepted } from '../../src/cases/case-review';
import { resolveShippedFeedback } from '../../src/improve/improve-store';
import { createResolver, type Resolver, ResolverError } from '../../src/resolver';
import { seed, startHarness, TOKEN, type Harness } from './harness';

// The resolver reads a feedback item's resolution from GET /v1/feedback/{id} on a real API server: null until its
// case shipped, then the version that fixed it; an unknown id is a lookup-failed error naming it.

let h: Harness;
let resolver: Resolver;
beforeAll(async () => {
  h = await startHarness();
  await seed(h.db, 'greet', ['one', 'two'], 1);
  resolver = createResolver({ baseUrl: h.url, token: TOKEN, onError: () => undefined });
});
afterAll(async () => {
  await resolver.close();
  await h.close();
});

test('feedbackResolution: null, then the fixing version once the accepted case shipped', async () => {
  const id = resolver.recordFeedback({ name: 'greet', version: 1, thumbs: 'down', correction: 'Hello!', userId: 'u7' });
  expect(await resolver.flush()).toEqual({ pending: 0 });
  expect(await resolver.feedbackResolution(id)).toBeNull();

  const previous = await getHarvestCursor(h.db, 'greet');
  await writeHarvest(h.db, {
    name: 'greet',
    harvestId: 'harvest-r1',
    previous,
    cursor: previous ?? { runs: '0', feedback: '0' },
    cases: [
      {
        caseId: 'case-r1',
        version: 1,
        runId: null,
        kind: 'correction',
        kinds: ['correction', 'thumbs-down'],
        input: 'hi',
        output: 'yo',
        error: null,
        correction: 'Hello!',
        feedback: [
          {
            id,
            thumbs: 'down',
            rating: null,
            correction: 'Hello!',
            comment: null,
            userId: 'u7',
            at: new Date().toISOString(),
          },
        ],
        inputKey: null,
        simhash: null,
        duplicates: 0,
        runAt: new Date().toISOString(),
      },
    ],
    merges: [],
    users: [],
  });
  await acceptCase(h.db, 'greet', 'case-r1', {}, 'ana');
  const d = (await publishAccepted(h.db, 'greet', { author: 'ana' }))!.dataset;
  await resolveShippedFeedback(h.db, {
    name: 'greet',
    version: 2,
    dataset: d.name,
    datasetVersion: d.version,
    runId: 'imp-r1',
  });

  expect(await resolver.feedbackResolution(id)).toMatchObject({ feedbackId: id, name: 'greet', version: 2 });
  const err = await resolver.feedbackResolution('never-recorded').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ResolverError);
  expect(err).toMatchObject({ code: 'lookup-failed', status: 404 });
  expect((err as ResolverError).message).toContain('never-recorded');
});
