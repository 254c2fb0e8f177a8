import type http from 'node:http';
import type net from 'node:net';
import { HttpProblem } from './http';

/** How long close() lets requests already being handled finish before it destroys their connections. */
export const DEFAULT_DRAIN_MS = 10_000;

/** What close() found. */
export interface CloseOutcome {
  /** Every connection ended by itself before the deadline: nothing was destroyed. */
  drained: boolean;
  /** Handlers still running at the drain deadline, whose connections were destroyed. */
  cutOff: number;
}

/** The answer to a request that reaches a closing server on a kept-alive connection: go elsewhere, now. */
export function shuttingDown(): HttpProblem {
  return new HttpProblem(
    503,
    'Service Unavailable',
    'the server is shutting down; retry the request against another instance or once it is back',
    undefined,
    { connection: 'close', 'retry-after': '1' },
  );
}

/**
 * The requests a server is handling, so that closing it lets their handlers finish (and their store writes
 * land) before the caller closes the store. A handler is tracked until its promise settles, not until its
 * connection closes: a client that hangs up does not stop a write already under way.
 */
export class RequestDrain {
  private readonly running = new Set<http.ServerResponse>();
  private readonly sockets = new Set<net.Socket>();
  private draining = false;
  private onEmpty: (() => void) | undefined;

  get closing(): boolean {
    return this.draining;
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** Follows the server's connections, to end at close those on which no request ever came. */
  watch(server: http.Server): void {
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /**
   * Destroys connections that never sent a byte. Node does not count them idle (its headers timeout runs on
   * them), so closeIdleConnections leaves them, yet no request is on them: a client's spare connection would
   * otherwise hold the drain to its deadline.
   */
  endSilent(): void {
    for (const socket of this.sockets) if (socket.bytesRead === 0) socket.destroy();
  }

  track(res: http.ServerResponse, work: Promise<void>): void {
    this.running.add(res);
    const done = () => {
      this.running.delete(res);
      if (this.running.size === 0) this.onEmpty?.();
    };
    work.then(done, done);
  }

  /**
   * Marks the server closing; answers not yet begun will say `connection: close`, so no client reuses a
   * connection the server is about to end. Resolves when no handler is running.
   */
  begin(): Promise<void> {
    this.draining = true;
    for (const res of this.running) if (!res.headersSent) res.setHeader('connection', 'close');
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.onEmpty = resolve));
  }
}

/**
 * Closes server gracefully: stops accepting connections, ends idle keep-alive ones at once, lets handlers
 * already running answer for up to drainMs, then destroys what is left. Long polls must have been woken by
 * the caller first (they would otherwise hold the drain for their whole wait).
 */
export async function closeGracefully(
  server: http.Server,
  drain: RequestDrain,
  drainMs: number,
): Promise<CloseOutcome> {
  const handlersDone = drain.begin();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  drain.endSilent();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), drainMs)));
  // Once every handler has answered, connections that answered with keep-alive before close began are idle.
  const drained = handlersDone.then(() => {
    server.closeIdleConnections();
    drain.endSilent();
    return closed.then(() => 'drained' as const);
  });
  const first = await Promise.race([drained, deadline]);
  clearTimeout(timer);
  const cutOff = first === 'deadline' ? drain.inFlight : 0;
  if (first === 'deadline') server.closeAllConnections();
  await closed;
  return { drained: first === 'drained', cutOff };
}
