import PQueue from 'p-queue';
import type { Logger } from '../log/logger.ts';
import { errorChain } from '../log/logger.ts';
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
  /** Waits until queued events are written (shutdown, tests). */
  flush(): Promise<void>;
}

export interface EventRecorderOptions {
  readonly component: string;
  readonly logger: Logger;
  /** Parallel event writes. */
  readonly concurrency?: number;
  /** Wall-clock timestamps for the Event object. */
  readonly now?: () => Date;
}

/**
 * Events are written asynchronously on a small bounded queue as background
 * requests: a reconcile never waits for one, and a burst of events only uses
 * rate budget the real writes leave over.
 */
export function createEventRecorder(opts: EventRecorderOptions): EventRecorder {
  const queue = new PQueue({ concurrency: opts.concurrency ?? 4 });
  const now = opts.now ?? (() => new Date());
  return {
    record(client, obj, input): void {
      const event = buildEvent(obj, input, { component: opts.component, time: now().toISOString() });
      const ns = event.metadata.namespace ?? 'default';
      queue.add(async () => {
        await client.background().create(`/api/v1/namespaces/${ns}/events`, event);
      }).catch((err: unknown) => {
        opts.logger.debug('Failed to record event', { reason: input.reason, object: obj.metadata.name, error: errorChain(err) });
      });
    },
    flush: () => queue.onIdle(),
  };
}

/** The core/v1 Event for an object (cluster-scoped objects' events go to `default`). */
export function buildEvent(obj: EventSubject, input: EventInput, source: { component: string; time: string }): KubeObject {
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
