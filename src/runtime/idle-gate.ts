import type { Clock } from './clock.ts';

/** Weight of the newest answer in the recent average (about the last 10 answers count). */
const RECENT_WEIGHT = 0.1;
/** How fast the baseline follows a slower server, per answer. */
const BASELINE_RISE = 0.001;
/** The server is slow while recent answers take over twice its baseline plus this margin. */
const SLOW_FACTOR = 2;
const SLOW_MARGIN_MS = 20;
/** Without answers for this long, a slow spell is taken to be over. */
const FORGET_SLOW_AFTER_MS = 2_000;

/**
 * Lets background requests (Events) to one server through only while the
 * server is idle: no request that does the work is waiting for its answer,
 * and those requests have lately been answered about as fast as ever.
 *
 * Why: on a small machine the API server's CPU, not our client-side rate
 * limit, is what runs out. Measured on 2 cores, kcp answers ~60–80 writes/s;
 * an Event costs as much as a sync write, so Events written during a sync
 * made every sync write wait longer (steady p99 388 → 274 ms with Events
 * held back). Waiting only for gaps between requests is not enough: a
 * backlog of Events then fills every gap. Events are best effort, so they
 * wait while the server is slow; a floor of one admission per `floorMs`
 * keeps them flowing under sustained load, so they are late but never starved.
 */
export class IdleGate {
  private busy = 0;
  /** Recent answer time of foreground requests (an exponential moving average). */
  private recentMs: number | undefined;
  /** The answer time the server manages when idle: the lowest recent average, rising slowly. */
  private baselineMs: number | undefined;
  private lastAnswerAt = Number.NEGATIVE_INFINITY;
  private lastForced = Number.NEGATIVE_INFINITY;
  private waiters: (() => void)[] = [];
  private readonly clock: Clock;
  private readonly floorMs: number;

  constructor(clock: Clock, floorMs = 1_000) {
    this.clock = clock;
    this.floorMs = floorMs;
  }

  /** Requests doing the work that are waiting for an answer now. */
  get inFlight(): number {
    return this.busy;
  }

  /** Runs fn as foreground work: background waits until it and its peers are done. */
  async foreground<T>(fn: () => Promise<T>): Promise<T> {
    this.busy++;
    const started = this.clock.now();
    try {
      return await fn();
    } finally {
      this.busy--;
      this.observe(this.clock.now() - started);
      if (this.busy === 0) this.wakeAll();
    }
  }

  /**
   * Runs fn as background work once admitted (see admit). Its answer time
   * counts toward the recent average too, so that a slow spell is seen to end
   * even when only background work is left.
   */
  async background<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.admit(signal);
    const started = this.clock.now();
    try {
      return await fn();
    } finally {
      this.observe(this.clock.now() - started);
    }
  }

  /**
   * True while answers take much longer than the server's idle answer time.
   * A server nobody has heard from for a while counts as recovered.
   */
  get slow(): boolean {
    if (this.recentMs === undefined || this.baselineMs === undefined) return false;
    if (this.clock.now() - this.lastAnswerAt > FORGET_SLOW_AFTER_MS) return false;
    return this.recentMs > SLOW_FACTOR * this.baselineMs + SLOW_MARGIN_MS;
  }

  private observe(ms: number): void {
    this.lastAnswerAt = this.clock.now();
    this.recentMs = this.recentMs === undefined ? ms : this.recentMs + RECENT_WEIGHT * (ms - this.recentMs);
    // Follows a faster server at once and a slower one slowly (after some
    // thousand answers), so a server that stays slower becomes the new normal.
    this.baselineMs =
      this.baselineMs === undefined || this.recentMs < this.baselineMs
        ? this.recentMs
        : this.baselineMs + BASELINE_RISE * (this.recentMs - this.baselineMs);
  }

  /**
   * Resolves when background work may go: at once while the foreground is
   * idle and the server is not slow, otherwise when that becomes true or when
   * the floor interval since the last forced admission has passed (one waiter
   * per interval). Rejects when signal aborts.
   */
  async admit(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.busy === 0 && !this.slow) return;
      const untilFloor = this.lastForced + this.floorMs - this.clock.now();
      if (untilFloor <= 0) {
        this.lastForced = this.clock.now();
        return;
      }
      await this.nextChance(untilFloor, signal);
    }
  }

  /** Waits until the foreground is idle (maybe still slow), ms have passed, or signal aborts; whichever comes first. */
  private async nextChance(ms: number, signal: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((resolve) => {
      let cancelTimer: () => void = () => undefined;
      const wake = (): void => {
        cancelTimer();
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.push(wake);
      cancelTimer = this.clock.setTimer(ms, () => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        wake();
      });
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  private wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
