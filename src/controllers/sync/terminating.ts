import type { KubeObject } from '../../kube/object.ts';
import type { Clock } from '../../runtime/clock.ts';

/**
 * Consumer objects that are being deleted (they carry a deletionTimestamp),
 * queued again every few seconds until they are gone. Releasing one must not
 * hang on a single event: a pass may conclude wrongly and nothing corrects it,
 * because the object itself does not change. Seen after a kcp restart: for a
 * few seconds its virtual workspace answered 404 to our finalizer patch (the
 * bound type was not served yet), the pass took that for "already gone", and
 * the object kept our finalizer for good. Repeating the pass is cheap: while
 * our finalizer is on, it finds the copy gone or going; once it is off, the
 * pass does nothing.
 */
export class TerminatingObjects {
  private readonly keys = new Set<string>();
  private readonly clock: Clock;
  private readonly intervalMs: number;

  constructor(clock: Clock, intervalMs: number) {
    this.clock = clock;
    this.intervalMs = intervalMs;
  }

  /** Follows one change the consumer-object informer reported. */
  observe(key: string, obj: KubeObject, deleted: boolean): void {
    if (!deleted && obj.metadata.deletionTimestamp !== undefined) this.keys.add(key);
    else this.keys.delete(key);
  }

  /**
   * Every interval until signal aborts, hands each key to requeue; a key
   * for which it returns false (the object is no longer cached) is dropped;
   * onRound learns how many were requeued.
   */
  async requeueEvery(
    signal: AbortSignal,
    requeue: (key: string) => boolean,
    onRound?: (requeued: number) => void,
  ): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.clock.sleep(this.intervalMs, signal);
      } catch {
        return;
      }
      for (const key of [...this.keys]) {
        if (!requeue(key)) this.keys.delete(key);
      }
      if (this.keys.size > 0) onRound?.(this.keys.size);
    }
  }
}
