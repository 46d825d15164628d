import type { Clock } from './clock.ts';

/**
 * A token bucket: `qps` tokens per second refill up to `burst`. It is the
 * client-side limit for one API server (client-node has none) and the global
 * limit of a work queue. A qps of 0 or less means unlimited.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;

  constructor(qps: number, burst: number, clock: Clock) {
    if (!Number.isFinite(qps) || !Number.isFinite(burst) || burst < 1) {
      throw new TypeError(`token bucket needs a finite qps and a burst of at least 1, got qps=${qps} burst=${burst}`);
    }
    this.qps = qps;
    this.burst = burst;
    this.clock = clock;
    this.tokens = burst;
    this.last = clock.now();
  }

  /**
   * Takes one token and returns how long the caller must wait before using it
   * (0 when one was available). Tokens may go negative: waiting callers are
   * served in order without a timer per caller.
   */
  reserve(): number {
    if (this.qps <= 0) return 0;
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Waits for a token. */
  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait, signal);
  }

  /**
   * Background work (Events): takes a token only while the bucket is at
   * least half full, i.e. while nothing else is using the budget hard, so
   * a burst of background requests never delays the ones that do the work.
   * Returns 0 and takes the token when one is spare; otherwise how long to
   * wait before asking again.
   */
  reserveSpare(): number {
    if (this.qps <= 0) return 0;
    this.refill();
    const threshold = Math.max(1, this.burst / 2);
    if (this.tokens >= threshold) {
      this.tokens -= 1;
      return 0;
    }
    return ((threshold - this.tokens) / this.qps) * 1000;
  }

  /** Waits for a spare token (see reserveSpare). */
  async takeSpare(signal?: AbortSignal): Promise<void> {
    for (let wait = this.reserveSpare(); wait > 0; wait = this.reserveSpare()) {
      await this.clock.sleep(wait, signal);
    }
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}
