import type { Logger } from '../log/logger.ts';
import { errorChain } from '../log/logger.ts';
import type { Clock } from '../runtime/clock.ts';
import { CoalescingQueue } from '../runtime/coalescing-queue.ts';
import { TokenBucket } from '../runtime/token-bucket.ts';
import type { KubeObject } from './object.ts';
import type { RestClient } from './rest-client.ts';

export type EventType = 'Normal' | 'Warning';

/** The object an event is about (any typed object with metadata will do). */
export type EventSubject = Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>;

/** What happened: type, a CamelCase reason and a stable message. */
export interface EventInput {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

/** Records Kubernetes Events about an object without slowing the caller. */
export interface EventRecorder {
  /**
   * Queues an Event on `obj`, written through `client` (for kcp, a client for
   * the object's workspace). Never throws; failures are logged.
   */
  record(client: RestClient, obj: EventSubject, event: EventInput): void;
  /**
   * Waits until queued events are written, for at most `maxWaitMs`
   * (shutdown must not outlast the pod's grace period); resolves with the
   * number of events still waiting then. Those are given up: once the time
   * is out the recorder writes nothing more.
   */
  flush(maxWaitMs: number): Promise<number>;
}

export interface EventRecorderOptions {
  readonly component: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Event writes per second across all servers (0: no limit of their own). */
  readonly qps: number;
  readonly burst: number;
  /**
   * How long an event waits before it is written, so that the events of one
   * object's quick succession of steps (accepted, placed, status synced)
   * become one write showing the latest (default 0).
   */
  readonly coalesceMs?: number;
  /** Parallel event writes. */
  readonly concurrency?: number;
  /** Most events waiting to be written; beyond it the oldest is dropped. */
  readonly maxPending?: number;
  /** Called for each event that was dropped or replaced before it was written. */
  readonly onDiscarded?: (why: 'replaced' | 'dropped') => void;
  /** Wall-clock timestamps for the Event object. */
  readonly now?: () => Date;
}

/**
 * An event as recorded; the Event object is built only when it is written:
 * most are replaced by a later one on the same object before that. It keeps
 * only the subject's identity, never the whole object.
 */
interface PendingEvent {
  readonly client: RestClient;
  readonly subject: EventSubject;
  readonly input: EventInput;
  readonly time: Date;
  /** Clock time from which it may be written: fixed by the first event of its key. */
  readonly due: number;
}

/**
 * Events are best effort and must never slow the sync: a reconcile never
 * waits for one, they have a rate of their own and use only rate budget the
 * real writes leave over (background requests). While an object's event waits
 * to be written, a newer event of the same type on the same object replaces
 * it, so under load each object shows its latest event (e.g. ObjectPlaced
 * rather than ObjectAccepted before it) and the writes stay bounded by the
 * number of objects; a Warning is never replaced by a Normal event. With
 * coalesceMs, every event waits that long first, so one object's quick steps
 * cost one write even when kcp is idle.
 */
export function createEventRecorder(opts: EventRecorderOptions): EventRecorder {
  const pending = new CoalescingQueue<PendingEvent>(opts.maxPending ?? 10_000);
  const limiter = opts.qps > 0 ? new TokenBucket(opts.qps, Math.max(1, opts.burst), opts.clock) : undefined;
  const concurrency = opts.concurrency ?? 4;
  const coalesceMs = opts.coalesceMs ?? 0;
  /** Set by flush(): shutdown writes what waits without waiting out the delay. */
  let flushing = false;
  /** Set when flush() ran out of time: nothing more is written. */
  let stopped = false;
  const now = opts.now ?? (() => new Date());
  let writers = 0;
  /** Resolves the waiters of flush() once nothing is pending or being written. */
  let idle: { promise: Promise<unknown>; resolve: (v: unknown) => void } | undefined;

  const write = async ({ client, subject, input, time }: PendingEvent): Promise<void> => {
    const event = buildEvent(subject, input, { component: opts.component, time: time.toISOString() });
    const ns = event.metadata.namespace ?? 'default';
    try {
      await limiter?.take();
      await client.background().create(`/api/v1/namespaces/${ns}/events`, event);
    } catch (err) {
      opts.logger.debug('Failed to record event', {
        reason: event['reason'],
        object: event.metadata.name,
        error: errorChain(err),
      });
    }
  };
  const drain = async (): Promise<void> => {
    for (let head = pending.peek(); head !== undefined && !stopped; head = pending.peek()) {
      // Items are in order of their due time (fixed when first queued).
      const wait = flushing ? 0 : head.due - opts.clock.now();
      if (wait > 0) {
        await opts.clock.sleep(wait);
        continue;
      }
      const next = pending.take();
      if (next !== undefined) await write(next);
    }
    writers--;
    if (writers === 0 && (pending.size === 0 || stopped)) {
      idle?.resolve(undefined);
      idle = undefined;
    }
  };
  return {
    record(client, obj, input): void {
      if (stopped) return;
      const { name, namespace, uid, resourceVersion } = obj.metadata;
      const subject: EventSubject = {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        metadata: { name, namespace, uid, resourceVersion },
      };
      const id = uid ?? `${namespace ?? ''}/${name ?? ''}`;
      const key = `${client.server}|${id}|${input.type}`;
      const due = pending.get(key)?.due ?? opts.clock.now() + coalesceMs;
      const outcome = pending.add(key, { client, subject, input, time: now(), due });
      if (outcome === 'replaced') opts.onDiscarded?.('replaced');
      if (outcome === 'dropped-oldest') opts.onDiscarded?.('dropped');
      if (writers < concurrency) {
        writers++;
        void drain();
      }
    },
    flush: async (maxWaitMs) => {
      flushing = true;
      if (stopped || (writers === 0 && pending.size === 0)) return pending.size;
      idle ??= Promise.withResolvers<unknown>();
      const deadline = new AbortController();
      await Promise.race([idle.promise, opts.clock.sleep(maxWaitMs, deadline.signal).catch(() => undefined)]);
      deadline.abort();
      // Without this the writers would go on after shutdown, one event per
      // spare request, and keep the process alive past the pod's grace period.
      if (pending.size > 0) stopped = true;
      return pending.size;
    },
  };
}

/** The core/v1 Event for an object (cluster-scoped objects' events go to `default`). */
export function buildEvent(
  obj: EventSubject,
  input: EventInput,
  source: { component: string; time: string },
): KubeObject {
  const namespace = obj.metadata.namespace ?? 'default';
  const name = obj.metadata.name ?? 'unknown';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${Date.now().toString(16)}${Math.random().toString(16).slice(2, 8)}`, namespace },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name,
      ...(obj.metadata.namespace === undefined ? {} : { namespace: obj.metadata.namespace }),
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    },
    type: input.type,
    reason: input.reason,
    message: input.message,
    source: { component: source.component },
    reportingComponent: source.component,
    firstTimestamp: source.time,
    lastTimestamp: source.time,
    count: 1,
  };
}
