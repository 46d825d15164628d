/**
 * A controller: worker loops that take keys from a WorkQueue, reconcile them
 * and turn the outcome into the queue action, with controller-runtime's
 * contract (pkg/reconcile): throw to retry with backoff, throw a
 * TerminalError to give up, return requeueAfterMs to poll.
 */
import { isConflict } from '../kube/errors.ts';
import { errorChain, type Logger } from '../log/logger.ts';
import { systemClock, type Clock } from './clock.ts';
import type { WorkQueue, WorkQueueStats } from './workqueue.ts';

/** What a reconcile asks for besides success. */
export interface Result {
  /** Reconcile the key again after this many ms (polling); the retry backoff is reset. */
  requeueAfterMs?: number;
}

/**
 * Makes the state for key converge and must be idempotent: it is called with
 * a key, never an event, and may be called again at any time. Resolve to
 * finish (optionally asking for a requeue), throw to be retried with backoff,
 * throw a TerminalError to not be retried. signal aborts on shutdown.
 */
export type ReconcileFn = (key: string, signal: AbortSignal) => Promise<Result | undefined>;

/**
 * An error that retrying cannot fix (e.g. an invalid spec): the controller
 * logs it at error level, forgets the key and does not retry it until the key
 * is added again. It is also recognised when wrapped as another error's cause.
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/** Whether err is a TerminalError or has one in its cause chain. */
export function isTerminalError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; depth++) {
    if (e instanceof TerminalError) return true;
    e = e.cause;
  }
  return false;
}

/** How one reconcile ended, as reported to an observer. */
export type ReconcileOutcome = 'success' | 'requeue' | 'error' | 'conflict' | 'terminal';

/** What metrics learn from controllers. Implementations must not throw. */
export interface ControllerObserver {
  /** One call per finished reconcile. */
  onReconcile(controller: string, outcome: ReconcileOutcome, durationMs: number): void;
  /**
   * Called when a controller starts, with a reader of its queue's counters
   * (read at scrape time); the returned function is called when it stops.
   */
  trackQueue?(controller: string, stats: () => WorkQueueStats): () => void;
}

/** Options of {@link Controller}. */
export interface ControllerOptions {
  /** Names the controller in logs and metrics. */
  readonly name: string;
  /** Where keys come from; the controller shuts it down when start()'s signal aborts. */
  readonly queue: WorkQueue;
  readonly reconcile: ReconcileFn;
  /** How many keys are reconciled at once (an integer of at least 1). */
  readonly workers: number;
  readonly logger: Logger;
  /**
   * Errors that are expected and retried without noise (logged at debug).
   * @default isConflict: a 409 only means the cache was stale
   */
  readonly isQuietError?: (err: unknown) => boolean;
  readonly observer?: ControllerObserver;
  /** Measures reconcile durations. @default systemClock */
  readonly clock?: Clock;
}

/**
 * Runs a reconcile function over a work queue with a fixed number of
 * workers. The queue guarantees one worker per key at a time; the controller
 * guarantees every key it gets is done() exactly once, whatever reconcile does.
 */
export class Controller {
  /** The controller's name from the options. */
  readonly name: string;
  private readonly queue: WorkQueue;
  private readonly reconcile: ReconcileFn;
  private readonly workers: number;
  private readonly logger: Logger;
  private readonly isQuietError: (err: unknown) => boolean;
  private readonly observer: ControllerObserver | undefined;
  private readonly clock: Clock;
  private started = false;

  /** @throws TypeError naming the option when an option is invalid. */
  constructor(opts: ControllerOptions) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1) {
      throw new TypeError(`controller option workers must be an integer of at least 1, got ${opts.workers}`);
    }
    this.name = opts.name;
    this.queue = opts.queue;
    this.reconcile = opts.reconcile;
    this.workers = opts.workers;
    this.logger = opts.logger.child({ controller: opts.name });
    this.isQuietError = opts.isQuietError ?? isConflict;
    this.observer = opts.observer;
    this.clock = opts.clock ?? systemClock;
  }

  /** Queues key for reconciling (same as queue.add). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /**
   * Runs the workers until signal aborts, then shuts the queue down and
   * resolves once the in-flight reconciles have finished. Never rejects
   * because of a reconcile. Can be called once.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`controller ${this.name} was already started`);
    this.started = true;
    const stop = (): void => {
      this.queue.shutDown();
    };
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    this.logger.info('Starting workers…', { workers: this.workers });
    const untrack = this.trackQueue();
    try {
      await Promise.all(Array.from({ length: this.workers }, () => this.runWorker(signal)));
    } finally {
      signal.removeEventListener('abort', stop);
      untrack();
    }
    this.logger.info('Workers stopped');
  }

  private async runWorker(signal: AbortSignal): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      await this.process(key, signal);
    }
  }

  /** Reconciles one key and applies the outcome; never throws. */
  private async process(key: string, signal: AbortSignal): Promise<void> {
    const started = this.clock.now();
    let outcome: ReconcileOutcome;
    try {
      // Inside the try, so a reconcile that throws synchronously is handled like a rejection.
      outcome = this.applyResult(key, await this.reconcile(key, signal));
    } catch (err: unknown) {
      outcome = this.applyError(key, err);
    } finally {
      this.queue.done(key);
    }
    const durationMs = this.clock.now() - started;
    // Per-key timings for diagnosing latency (--log-debug only).
    this.logger.debug('Reconciled', { key, outcome, durationMs });
    this.observe(outcome, durationMs);
  }

  private applyResult(key: string, result: Result | undefined): ReconcileOutcome {
    this.queue.forget(key);
    const after = result?.requeueAfterMs;
    if (after === undefined) return 'success';
    this.queue.addAfter(key, after);
    return 'requeue';
  }

  private applyError(key: string, err: unknown): ReconcileOutcome {
    if (isTerminalError(err)) {
      this.queue.forget(key);
      this.logger.error('Reconcile failed and will not be retried', { key, error: errorChain(err) });
      return 'terminal';
    }
    this.queue.addRateLimited(key);
    if (this.isQuietError(err)) {
      this.logger.debug('Reconcile hit a conflict, retrying', { key, error: errorChain(err) });
      return 'conflict';
    }
    this.logger.error('Reconcile failed, retrying', {
      key,
      error: errorChain(err),
      retries: this.queue.numRequeues(key),
    });
    return 'error';
  }

  /** Hands the queue's counters to the observer; returns what stops that. */
  private trackQueue(): () => void {
    let untrack: (() => void) | undefined;
    this.guardObserver(() => {
      untrack = this.observer?.trackQueue?.(this.name, () => this.queue.stats());
    });
    return () => {
      this.guardObserver(() => untrack?.());
    };
  }

  private observe(outcome: ReconcileOutcome, durationMs: number): void {
    this.guardObserver(() => this.observer?.onReconcile(this.name, outcome, durationMs));
  }

  private guardObserver(call: () => void): void {
    try {
      call();
    } catch (err: unknown) {
      // Metrics must never stop the controller; a broken observer is only noise.
      this.logger.warn('Controller observer failed', { error: errorChain(err) });
    }
  }
}
