import type { Logger } from '../log/logger.ts';
import { errorChain } from '../log/logger.ts';
import type { Informer } from './informer.ts';

/** Something that runs until its signal aborts. */
export type Runnable = (signal: AbortSignal) => Promise<void>;

/**
 * Starts informers first, waits until their caches are loaded, then starts
 * the controllers, and stops everything on one signal. A runnable that fails
 * is logged and aborts the manager, so the process exits and restarts instead
 * of running half-alive.
 */
export class Manager {
  private readonly informers: Informer[] = [];
  private readonly runnables: { name: string; run: Runnable }[] = [];
  private readonly logger: Logger;
  private started = false;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  addInformer(informer: Informer): void {
    this.informers.push(informer);
  }

  add(name: string, run: Runnable): void {
    this.runnables.push({ name, run });
  }

  /** True once every informer has loaded its first list. */
  hasSynced(): boolean {
    return this.started && this.informers.every((i) => i.hasSynced());
  }

  /** True while every informer follows its server (see Informer.isConnected). */
  isConnected(): boolean {
    return this.started && this.informers.every((i) => i.isConnected());
  }

  async run(signal: AbortSignal, waitSynced: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const inner = new AbortController();
    signal.addEventListener(
      'abort',
      () => {
        inner.abort();
      },
      { once: true },
    );
    const running = this.informers.map((i) => i.run(inner.signal));
    this.started = true;
    await waitSynced(inner.signal);
    const all = this.runnables.map(({ name, run }) =>
      run(inner.signal).catch((err: unknown) => {
        this.logger.error('Component failed; shutting down', { component: name, error: errorChain(err) });
        inner.abort();
        throw err;
      }),
    );
    const results = await Promise.allSettled([...all, ...running]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined && !signal.aborted) throw new Error('a component failed', { cause: failed.reason });
  }
}
