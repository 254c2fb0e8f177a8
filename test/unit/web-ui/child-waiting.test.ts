import {
  afterNotice,
  childStallNotice,
  childWaitingLine,
  parentStatusLabel,
  withChildWaiting,
  type ChildWaiting,
} from '../../../src/web-ui/child-waiting';
import { decideCommandLine } from '../../../src/optimizer/decide-command';

const since = '2026-12-07T09:00:00.000Z';
const waiting = childStallNotice('optimize-greet-r1-tune', 'greet', {
  reason: 'converged-below-threshold',
  since,
}) as ChildWaiting;

describe('the notice a child optimizer run sends its parent', () => {
  test('a stall: the child, its item, why, since when, and the command that decides it', () => {
    expect(waiting).toEqual({
      state: 'waiting',
      workflowId: 'optimize-greet-r1-tune',
      item: 'greet',
      reason: 'converged-below-threshold',
      since,
      decide:
        'refinery decide optimize-greet-r1-tune --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"]',
    });
  });

  test('an unresolved recurring issue is decided without more rounds', () => {
    expect(decideCommandLine('w1', 'unresolved-recurring')).toBe(
      'refinery decide w1 --action accept|rollback|cancel --by <name> [--note "…"]',
    );
    expect(childStallNotice('w1', 'greet', { reason: 'unresolved-recurring', since })).toMatchObject({
      decide: 'refinery decide w1 --action accept|rollback|cancel --by <name> [--note "…"]',
    });
  });

  test('no stall: cleared', () => {
    expect(childStallNotice('w1', 'greet', undefined)).toEqual({ state: 'cleared', workflowId: 'w1', item: 'greet' });
  });
});

describe('the parent after a notice', () => {
  const current = 'optimize-greet-r1-tune';
  test('its current child waiting, then cleared', () => {
    const w = afterNotice(undefined, waiting, current);
    expect(w).toBe(waiting);
    expect(afterNotice(w, childStallNotice(current, 'greet', undefined), current)).toBeUndefined();
  });

  test('a notice of another run (an earlier step, no step running) changes nothing', () => {
    expect(afterNotice(undefined, waiting, 'chain-a+b-1-b')).toBeUndefined();
    expect(afterNotice(undefined, waiting, undefined)).toBeUndefined();
    expect(afterNotice(waiting, childStallNotice('chain-a+b-1-a', 'a', undefined), current)).toBe(waiting);
  });

  test('RefineryStatus: awaiting-decision while the child waits, its own status otherwise', () => {
    expect(parentStatusLabel('tune', waiting)).toBe('awaiting-decision');
    expect(parentStatusLabel('tune', undefined)).toBe('tune');
    expect(parentStatusLabel('running', undefined)).toBe('running');
  });
});

describe("the parent's details", () => {
  const line = childWaitingLine(waiting);

  test('say which run waits, on what item, since when, why, and the command', () => {
    expect(line).toBe(
      `⏸ **Waiting on \`optimize-greet-r1-tune\`** (greet) for a decision since ${since} (converged-below-threshold): ` +
        '`refinery decide optimize-greet-r1-tune --action continue|accept|rollback|cancel [--iterations N] --by <name> [--note "…"]`' +
        " — that run's own details list the `decide` signals to send from the Web UI.",
    );
  });

  test('the line goes right after the heading; without a stall the details are as they were', () => {
    const details = '**refinery improve greet** — step tune\n\n- ▶ **tune** running\n\nStop or skip: …';
    expect(withChildWaiting(details, waiting)).toBe(
      `**refinery improve greet** — step tune\n\n${line}\n\n- ▶ **tune** running\n\nStop or skip: …`,
    );
    expect(withChildWaiting('**Chain tune** a → b: step 1', waiting)).toBe(`**Chain tune** a → b: step 1\n\n${line}`);
    expect(withChildWaiting(details, undefined)).toBe(details);
  });
});
