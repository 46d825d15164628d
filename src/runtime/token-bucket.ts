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
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Waits for a token. */
  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait, signal);
  }
}
