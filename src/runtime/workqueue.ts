/**
 * The work queue under every controller, with client-go's semantics: keys,
 * not events; repeated adds collapse; a key is never handed to two workers at
 * once; retries are delayed by a rate limiter. On top of that it is fair
 * between tenants, so one workspace with thousands of objects cannot starve
 * another workspace's single object.
 */
import type { Clock } from './clock.ts';
import { ControllerRateLimiter } from './rate-limiter.ts';

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Drives addAfter timers and the default rate limiter's bucket. */
  readonly clock: Clock;
  /** Delays for addRateLimited. @default new ControllerRateLimiter({ clock }) */
  readonly rateLimiter?: ControllerRateLimiter;
  /**
   * Maps a key to its tenant (e.g. the kcp logical cluster). get() takes
   * turns between tenants with ready keys. Without it all keys share one FIFO.
   */
  readonly tenantOf?: (key: string) => string;
  /**
   * Most keys of one tenant handed out at once, so a tenant with a large
   * backlog leaves workers free for the others. @default Infinity
   */
  readonly maxInFlightPerTenant?: number;
  /** For logs and metrics. @default 'workqueue' */
  readonly name?: string;
}

/** Counters for metrics; `adds` and `retries` only grow. */
export interface WorkQueueStats {
  /** Adds that made a key dirty (duplicates of a dirty key are not counted). */
  readonly adds: number;
  /** Keys ready to be handed out now, same as len(). */
  readonly depth: number;
  /** Calls of addRateLimited. */
  readonly retries: number;
  /** How long the key handed out longest ago has been processing (0 when none is). */
  readonly longestRunningMs: number;
}

/** A FIFO with O(1) amortised push and shift (an array plus a head index). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.head++;
    // Compact once the consumed prefix dominates, so memory stays proportional
    // to the live items while each item is still copied O(1) times on average.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

const singleTenant = (): string => '';

/**
 * A keyed, de-duplicating, rate-limited, tenant-fair work queue.
 *
 * Invariants: a key is in at most one place among "ready" (waiting for get),
 * "processing" (handed out, done() not yet called) and "waiting" (an addAfter
 * timer); a key added while processing is remembered as dirty and becomes
 * ready again on done(). All operations are O(1) amortised.
 *
 * Shutdown choice: shutDown() drops ready keys and timers and makes every
 * pending and later get() return undefined at once, without draining. Reconcile
 * is level-based, so dropped keys are found again on the next start.
 */
export class WorkQueue {
  /** The name given in the options, for logs and metrics. */
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: ControllerRateLimiter;
  private readonly tenantOf: (key: string) => string;
  private readonly maxInFlightPerTenant: number;

  /** Keys that need processing: ready ones and those re-added while processing. */
  private readonly dirty = new Set<string>();
  /** Keys handed out and not yet done, with when they were handed out. */
  private readonly processing = new Map<string, number>();
  /** Ready keys per tenant; a tenant is present only while it has ready keys. */
  private readonly readyByTenant = new Map<string, Fifo<string>>();
  /** Tenants with ready keys, in round-robin order (each at most once). */
  private activeTenants = new Fifo<string>();
  /** Keys being processed per tenant (only tenants with at least one). */
  private readonly inFlight = new Map<string, number>();
  /** Tenants with ready keys held back at maxInFlightPerTenant (not in activeTenants). */
  private readonly saturated = new Set<string>();
  private readyCount = 0;
  /** Pending addAfter timers by key, with their due time, to keep the soonest. */
  private readonly waiting = new Map<string, { at: number; cancel: () => void }>();
  /** get() calls waiting for a key, oldest first. */
  private readonly getters = new Fifo<(key: string | undefined) => void>();
  private shuttingDown = false;
  private adds = 0;
  private retries = 0;

  constructor(opts: WorkQueueOptions) {
    this.clock = opts.clock;
    this.rateLimiter = opts.rateLimiter ?? new ControllerRateLimiter({ clock: opts.clock });
    this.tenantOf = opts.tenantOf ?? singleTenant;
    this.maxInFlightPerTenant = opts.maxInFlightPerTenant ?? Infinity;
    this.name = opts.name ?? 'workqueue';
  }

  /**
   * Marks key as needing processing. Idempotent while the key is dirty; if
   * the key is being processed it is handed out again only after done(key).
   * Ignored after shutDown().
   */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.adds++;
    if (this.processing.has(key)) return;
    this.pushReady(key);
    this.serveGetters();
  }

  /**
   * Adds key after delayMs (0 or less, or NaN: now). If key already has a
   * pending delayed add, the sooner of the two wins and the other is dropped.
   */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      pending.cancel();
    }
    const cancel = this.clock.setTimer(delayMs, () => {
      this.waiting.delete(key);
      this.add(key);
    });
    this.waiting.set(key, { at, cancel });
  }

  /** Adds key after the rate limiter's delay, which grows with each call until forget(key). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.retries++;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets key's retry backoff (call it once key was processed successfully). Idempotent. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  /** How many rate-limited retries key had since it was last forgotten. */
  numRequeues(key: string): number {
    return this.rateLimiter.failures(key);
  }

  /**
   * Resolves with the next ready key, taking turns between tenants, and marks
   * it as processing: the caller must call done(key) afterwards. Waits while
   * nothing is ready; resolves undefined once the queue is shut down.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.popReady();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => {
      this.getters.push(resolve);
    });
  }

  /**
   * Ends processing of key. If key was added meanwhile it becomes ready again
   * (once, however often it was added). Call exactly once per key from get().
   */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    const tenant = this.tenantOf(key);
    const count = (this.inFlight.get(tenant) ?? 1) - 1;
    if (count > 0) this.inFlight.set(tenant, count);
    else this.inFlight.delete(tenant);
    if (this.shuttingDown) return;
    if (this.saturated.delete(tenant)) this.activeTenants.push(tenant);
    if (this.dirty.has(key)) this.pushReady(key);
    this.serveGetters();
  }

  /**
   * Stops the queue: drops ready keys and delayed adds, resolves waiting
   * get() calls with undefined and ignores later adds. Keys being processed
   * still need done(). Idempotent.
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const pending of this.waiting.values()) pending.cancel();
    this.waiting.clear();
    this.readyByTenant.clear();
    this.saturated.clear();
    this.activeTenants = new Fifo<string>();
    this.readyCount = 0;
    this.dirty.clear();
    for (let getter = this.getters.shift(); getter !== undefined; getter = this.getters.shift()) getter(undefined);
  }

  /** Whether shutDown() was called. */
  isShutDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys ready to be handed out now (not counting processing or delayed keys). */
  len(): number {
    return this.readyCount;
  }

  /** Counters for metrics; O(keys being processed), which is at most the workers. */
  stats(): WorkQueueStats {
    let oldest = Infinity;
    for (const since of this.processing.values()) oldest = Math.min(oldest, since);
    const longestRunningMs = oldest === Infinity ? 0 : this.clock.now() - oldest;
    return { adds: this.adds, depth: this.readyCount, retries: this.retries, longestRunningMs };
  }

  private pushReady(key: string): void {
    const tenant = this.tenantOf(key);
    let fifo = this.readyByTenant.get(tenant);
    if (fifo === undefined) {
      fifo = new Fifo<string>();
      this.readyByTenant.set(tenant, fifo);
      if (this.atCapacity(tenant)) this.saturated.add(tenant);
      else this.activeTenants.push(tenant);
    }
    fifo.push(key);
    this.readyCount++;
  }

  /**
   * Takes the next ready key round-robin across tenants and moves it to
   * processing. A tenant at maxInFlightPerTenant is parked until one of its
   * keys is done.
   */
  private popReady(): string | undefined {
    for (let tenant = this.activeTenants.shift(); tenant !== undefined; tenant = this.activeTenants.shift()) {
      if (this.atCapacity(tenant)) {
        this.saturated.add(tenant);
        continue;
      }
      const fifo = this.readyByTenant.get(tenant);
      const key = fifo?.shift();
      if (fifo === undefined || key === undefined) continue; // unreachable: active tenants have keys
      // The tenant goes to the back of the line if it has more, so every other
      // tenant with ready keys is served once before it is served again.
      if (fifo.size > 0) this.activeTenants.push(tenant);
      else this.readyByTenant.delete(tenant);
      this.readyCount--;
      this.dirty.delete(key);
      this.processing.set(key, this.clock.now());
      this.inFlight.set(tenant, (this.inFlight.get(tenant) ?? 0) + 1);
      return key;
    }
    return undefined;
  }

  private atCapacity(tenant: string): boolean {
    return (this.inFlight.get(tenant) ?? 0) >= this.maxInFlightPerTenant;
  }

  private serveGetters(): void {
    while (this.getters.size > 0) {
      const key = this.popReady();
      if (key === undefined) return;
      this.getters.shift()?.(key);
    }
  }
}
