import { feedbackBody, runBody } from '../../src/resolver/request-bodies';

describe('resolver request bodies for the review queue', () => {
  test('a run carries its input and output, cut to the API limit rather than refused', () => {
    const body = runBody({ name: 'faq', version: 2, input: 'q'.repeat(25_000), output: 'an answer' }, 'run-00000001');
    expect((body.input as string).length).toBe(20_000);
    expect(body.output).toBe('an answer');
    expect(runBody({ name: 'faq', version: 2 }, 'run-00000002')).not.toHaveProperty('input');
  });

  test('feedback carries the user id', () => {
    expect(feedbackBody({ runId: 'run-00000001', thumbs: 'down', userId: 'u-9' }, 'fb-00000001')).toMatchObject({
      runId: 'run-00000001',
      thumbs: 'down',
      userId: 'u-9',
    });
  });
});
