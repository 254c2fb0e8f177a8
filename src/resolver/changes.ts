import { ApiError, type ApiClient } from './api-client';
import { backoffMs, sleep } from './backoff';
import type { ChangesState } from './types';

export interface LabelMoveEvent {
  seq: number;
  name: string;
  label: string;
  fromVersion: number | null;
  toVersion: number;
}

interface ChangesBody {
  seq: number;
  moves: LabelMoveEvent[];
}

export interface ChangeHandlers {
  /** Label moves, oldest first. */
  moves(moves: LabelMoveEvent[]): void;
  /**
   * The feed answers: the first time (entries fetched before its head was known may have missed a
   * move), or again after an outage (moves during it arrive with the catch-up, refreshes may have failed).
   */
  connected(first: boolean): void;
  /** The feed stopped answering: once per outage, not per retry. */
  failed(err: ApiError): void;
}

export interface ChangeFollowerOptions {
  waitSeconds: number;
  /** Added to the long poll's wait for its timeout. */
  marginMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * Follows GET /v1/changes with a long poll: the server answers as soon as a label moves, so the
 * resolver learns of a rollback within one round trip instead of waiting out a TTL. It starts at the
 * feed's current head (older moves are history); after a failure it reconnects with backoff and a quick
 * wait=0 probe, so "connected" is known at once rather than after a full poll.
 */
export class ChangeFollower {
  state: ChangesState = 'idle';
  private seq: number | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private everConnected = false;
  private readonly headWaiters = new Set<() => void>();

  constructor(
    private readonly api: ApiClient,
    private readonly opts: ChangeFollowerOptions,
    private readonly on: ChangeHandlers,
  ) {}

  start(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.state = 'connecting';
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.abort.abort();
    this.wakeHeadWaiters();
    await this.running;
  }

  /** From here on every move reaches moves(): an answer fetched now cannot miss one. */
  get headKnown(): boolean {
    return this.seq !== undefined;
  }

  /**
   * Resolves once the head is known, the first try to learn it failed, or after timeoutMs. Once a try
   * has failed it does not wait at all: during an outage a get must not pay for the feed's backoff.
   */
  async whenHeadKnown(timeoutMs: number): Promise<void> {
    if (this.headKnown || this.state !== 'connecting') return;
    const stop = new AbortController();
    let wake!: () => void;
    const known = new Promise<void>((resolve) => {
      wake = resolve;
      this.headWaiters.add(resolve);
    });
    await Promise.race([known, sleep(timeoutMs, stop.signal)]);
    stop.abort();
    this.headWaiters.delete(wake);
  }

  private wakeHeadWaiters(): void {
    for (const wake of this.headWaiters) wake();
    this.headWaiters.clear();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (this.seq === undefined) {
          this.seq = await this.head();
          this.wakeHeadWaiters();
        }
        const wait = this.state === 'connected' ? this.opts.waitSeconds : 0;
        const body = await this.changes(this.seq, wait);
        if (this.abort.signal.aborted) return;
        if (this.state !== 'connected') {
          this.state = 'connected';
          failures = 0;
          this.on.connected(!this.everConnected);
          this.everConnected = true;
        }
        if (body.moves.length > 0) this.on.moves(body.moves);
        this.seq = Math.max(this.seq, body.seq);
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.wakeHeadWaiters(); // gets waiting for the head go ahead without it (and are re-checked later)
        failures++;
        if (failures === 1) this.on.failed(err instanceof ApiError ? err : new ApiError(String(err), undefined));
        this.state = 'reconnecting';
        await sleep(backoffMs(failures, this.opts.retryBaseMs, this.opts.retryMaxMs), this.abort.signal);
      }
    }
  }

  /** The feed's current sequence: pages through with wait=0 until no moves are left. */
  private async head(): Promise<number> {
    let since = 0;
    for (;;) {
      const body = await this.changes(since, 0);
      if (body.moves.length === 0) return body.seq;
      since = body.seq;
    }
  }

  private async changes(since: number, waitSeconds: number): Promise<ChangesBody> {
    const res = await this.api.request<ChangesBody>('GET', `/v1/changes?since=${since}&wait=${waitSeconds}`, {
      timeoutMs: waitSeconds * 1000 + this.opts.marginMs,
      signal: this.abort.signal,
    });
    const body = res.body;
    if (!body || typeof body.seq !== 'number' || !Array.isArray(body.moves)) {
      throw new ApiError(`GET /v1/changes: unexpected answer ${JSON.stringify(body)?.slice(0, 200)}`, res.status);
    }
    return body;
  }
}
