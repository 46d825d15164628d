/**
 * Retry delays for a work queue, after client-go's
 * DefaultTypedControllerRateLimiter: the larger of a per-key exponential
 * backoff (one flapping object slows only itself) and a global token bucket
 * (many failing objects together cannot hammer the API servers).
 */
import type { Clock } from './clock.ts';
import { TokenBucket } from './token-bucket.ts';

/** Options of {@link ItemExponentialBackoff}. */
export interface ItemExponentialBackoffOptions {
  /** Delay after the first failure, in ms. @default 5 */
  readonly baseDelayMs?: number;
  /** No delay is longer than this, in ms. @default 1_000_000 (1000 s) */
  readonly maxDelayMs?: number;
}

// 2^62 times any sane base is still finite, so the cap below always applies
// and the result is never Infinity or NaN, however many failures pile up.
const MAX_EXPONENT = 62;

/**
 * Per-key exponential backoff: the n-th `when(key)` since the last
 * `forget(key)` returns `baseDelayMs * 2^(n-1)`, capped at `maxDelayMs`.
 * Memory is one map entry per key that has failed and not been forgotten.
 */
export class ItemExponentialBackoff {
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly failuresByKey = new Map<string, number>();

  /** @throws TypeError naming the option when an option is out of range. */
  constructor(opts: ItemExponentialBackoffOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
    requireNonNegative('baseDelayMs', this.baseDelayMs);
    requireNonNegative('maxDelayMs', this.maxDelayMs);
  }

  /** Records one more failure of key and returns how long to wait before retrying it, in ms. */
  when(key: string): number {
    const failures = this.failures(key);
    this.failuresByKey.set(key, failures + 1);
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, MAX_EXPONENT));
  }

  /** Clears key's failure count, so its next failure starts at the base delay again. Idempotent. */
  forget(key: string): void {
    this.failuresByKey.delete(key);
  }

  /** How many times `when(key)` was called since the last `forget(key)`. */
  failures(key: string): number {
    return this.failuresByKey.get(key) ?? 0;
  }
}

/** Options of {@link ControllerRateLimiter}. */
export interface ControllerRateLimiterOptions extends ItemExponentialBackoffOptions {
  /** Time source of the global token bucket. */
  readonly clock: Clock;
  /** Global retries per second across all keys; 0 or less means unlimited. @default 10 */
  readonly qps?: number;
  /** Global retries allowed at once before `qps` applies. @default 100 */
  readonly burst?: number;
}

/**
 * The default limiter of a controller's queue: `when(key)` is the larger of
 * the key's exponential backoff and the wait for a token from a global bucket.
 * Every call consumes a token, so a storm of failures is spread out in time.
 */
export class ControllerRateLimiter {
  private readonly backoff: ItemExponentialBackoff;
  private readonly bucket: TokenBucket;

  /** @throws TypeError naming the option when an option is out of range. */
  constructor(opts: ControllerRateLimiterOptions) {
    const qps = opts.qps ?? 10;
    const burst = opts.burst ?? 100;
    if (!Number.isFinite(qps)) throw new TypeError(`rate limiter option qps must be a finite number, got ${qps}`);
    if (!Number.isInteger(burst) || burst < 1) {
      throw new TypeError(`rate limiter option burst must be an integer of at least 1, got ${burst}`);
    }
    this.backoff = new ItemExponentialBackoff(opts);
    this.bucket = new TokenBucket(qps, burst, opts.clock);
  }

  /** Records a failure of key and returns how long to wait before retrying it, in ms. */
  when(key: string): number {
    return Math.max(this.backoff.when(key), this.bucket.reserve());
  }

  /** Resets key's backoff (the global bucket is unaffected). Idempotent. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** How many failures of key were recorded since it was last forgotten. */
  failures(key: string): number {
    return this.backoff.failures(key);
  }
}

function requireNonNegative(option: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`rate limiter option ${option} must be a finite number of at least 0, got ${value}`);
  }
}
