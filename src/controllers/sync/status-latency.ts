import type { KubeObject } from '../../kube/object.ts';
import type { Clock } from '../../runtime/clock.ts';
import { deepEqual } from '../../translate/deep-equal.ts';

/**
 * Times a copy's status on its way up: from the moment the agent sees the
 * copy's status change to the moment the consumer object carries it. Timings
 * are keyed by consumer object and ended only by a pass that read the newest
 * copy seen, so a pass that started before the change does not end them.
 */
export class StatusLatency {
  private readonly pending = new Map<string, { since: number; resourceVersion: string | undefined }>();
  private readonly clock: Clock;
  private readonly observe: (durationMs: number) => void;

  constructor(clock: Clock, observe: (durationMs: number) => void) {
    this.clock = clock;
    this.observe = observe;
  }

  /** The copy of the consumer object `key` changed (or was first seen, `old` undefined). */
  copyChanged(key: string, copy: KubeObject, old: KubeObject | undefined): void {
    const entry = this.pending.get(key);
    if (entry !== undefined) {
      // A later change carries the pending status too; the timing keeps its start.
      entry.resourceVersion = copy.metadata.resourceVersion;
      return;
    }
    if (copy['status'] === undefined || (old !== undefined && deepEqual(copy['status'], old['status']))) return;
    this.pending.set(key, { since: this.clock.now(), resourceVersion: copy.metadata.resourceVersion });
  }

  /** The copy is gone: nothing is on its way up any more. */
  copyDeleted(key: string): void {
    this.pending.delete(key);
  }

  /** A pass found the consumer object carrying `copy`'s status; `wrote` when that pass wrote it. */
  inSync(key: string, copy: KubeObject, wrote: boolean): void {
    const entry = this.pending.get(key);
    if (entry === undefined || entry.resourceVersion !== copy.metadata.resourceVersion) return;
    this.pending.delete(key);
    if (wrote) this.observe(this.clock.now() - entry.since);
  }
}
