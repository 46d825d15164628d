import type { Dispatcher } from 'undici';
import type { HandlerDispatcher } from './buffered-request.ts';
import type { FencedRequestOptions } from './fence-at-send.ts';

/** What the REST client needs of a connection pool: `request()` for watches, `dispatch()` for answers read whole. */
export interface RequestDispatcher extends HandlerDispatcher {
  request(options: FencedRequestOptions): Promise<Dispatcher.ResponseData>;
  /**
   * Replaces the pool's connections with new ones for later requests; what
   * is still on the old ones fails (watches relist). Optional: a plain
   * undici Agent (tests) has no such thing.
   */
  recycle?(why: string): void;
  /** Ends every connection and request (at shutdown, and in tests). */
  destroy(err?: Error): Promise<void>;
}

/**
 * An undici Agent that can be swapped for a fresh one when it stops sending:
 * a request that got no answer within twice its headers timeout was never
 * sent (undici times out a sent one first), so the pool is stuck, and what
 * waits in it would wait as long as it stays stuck. At most one swap per
 * `minIntervalMs`: the requests stuck together expire together.
 */
export class RecyclingAgent implements RequestDispatcher {
  private agent: RequestDispatcher;
  private lastRecycle = Number.NEGATIVE_INFINITY;
  private readonly make: () => RequestDispatcher;
  private readonly minIntervalMs: number;
  private readonly onRecycle: ((why: string) => void) | undefined;

  constructor(make: () => RequestDispatcher, opts: { minIntervalMs?: number; onRecycle?: (why: string) => void } = {}) {
    this.make = make;
    this.agent = make();
    this.minIntervalMs = opts.minIntervalMs ?? 30_000;
    this.onRecycle = opts.onRecycle;
  }

  request(options: FencedRequestOptions): Promise<Dispatcher.ResponseData> {
    return this.agent.request(options);
  }

  dispatch(options: FencedRequestOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.agent.dispatch(options, handler);
  }

  destroy(): Promise<void> {
    return this.agent.destroy();
  }

  recycle(why: string): void {
    const now = Date.now();
    if (now - this.lastRecycle < this.minIntervalMs) return;
    this.lastRecycle = now;
    const old = this.agent;
    this.agent = this.make();
    this.onRecycle?.(why);
    old.destroy(new Error(`connection pool replaced: ${why}`)).catch(() => undefined);
  }
}
