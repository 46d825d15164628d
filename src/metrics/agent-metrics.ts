import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { AgentObserver } from '../controllers/context.ts';
import type { RequestObserver } from '../kube/rest-client.ts';
import type { Logger } from '../log/logger.ts';
import { heapUsage } from '../runtime/memory-pressure.ts';
import { QueueMetrics } from './queue-metrics.ts';
import { SeriesCounter, SeriesHistogram } from './series.ts';

/** The agent's metrics, and the observers that feed them. */
export interface AgentMetrics {
  readonly observer: AgentObserver;
  requests(server: 'kcp' | 'service'): RequestObserver;
  eventDiscarded(why: 'replaced' | 'dropped'): void;
  /** The text exposition of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface AgentMetricsOptions {
  /** With a logger, every response is also logged (at debug) with its timings, for diagnosing latency. */
  readonly requestLog?: Logger | undefined;
  /** Wall-clock milliseconds, to age objects by their creationTimestamp. @default Date.now */
  readonly wallClockMs?: () => number;
  /** Node.js process metrics: memory, CPU, event-loop lag, GC. @default true */
  readonly processMetrics?: boolean;
}

/** Reconciles take milliseconds; a slow one waits on the servers' answers. */
const RECONCILE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** From a consumer's click to a copy: creationTimestamp has whole seconds, so no finer buckets. */
const CREATE_TO_COPY_BUCKETS = [1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600];
const STATUS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Builds the registry and its observers. Label sets stay bounded: servers,
 * controllers, outcomes, methods, codes, PublishedResources; never a
 * workspace or an object.
 */
export function createAgentMetrics(opts: AgentMetricsOptions = {}): AgentMetrics {
  const registry = new Registry();
  const registers = [registry];
  const wallClockMs = opts.wallClockMs ?? Date.now;
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const queues = new QueueMetrics(registry);
  const reconciles = new SeriesCounter({
    name: 'syncagent_reconcile_total',
    help: 'Reconciles by controller and outcome.',
    labelNames: ['controller', 'outcome'],
    registry,
  });
  const reconcileSeconds = new SeriesCounter({
    name: 'syncagent_reconcile_seconds_total',
    help: 'Time spent reconciling, by controller.',
    labelNames: ['controller'],
    registry,
  });
  const reconcileDuration = new SeriesHistogram({
    name: 'syncagent_reconcile_duration_seconds',
    help: 'How long one reconcile took, by controller and PublishedResource (sync only).',
    labelNames: ['controller', 'published_resource'],
    buckets: RECONCILE_BUCKETS,
    registry,
  });
  const createToCopy = new SeriesHistogram({
    name: 'syncagent_sync_create_to_copy_seconds',
    help: "From a consumer object's creationTimestamp (whole seconds, kcp's clock) to its copy created on the service cluster.",
    labelNames: ['published_resource'],
    buckets: CREATE_TO_COPY_BUCKETS,
    registry,
  });
  const statusToConsumer = new SeriesHistogram({
    name: 'syncagent_sync_status_to_consumer_seconds',
    help: "From the agent seeing a copy's status change to the consumer object carrying it.",
    labelNames: ['published_resource'],
    buckets: STATUS_BUCKETS,
    registry,
  });
  const requests = new SeriesCounter({
    name: 'syncagent_requests_total',
    help: 'API requests by server, method and status code.',
    labelNames: ['server', 'method', 'code'],
    registry,
  });
  const requestDuration = new SeriesHistogram({
    name: 'syncagent_request_duration_seconds',
    help: 'From a request sent to its answer read, by server and method (watches not included).',
    labelNames: ['server', 'method'],
    buckets: REQUEST_BUCKETS,
    registry,
  });
  const requestWait = new SeriesHistogram({
    name: 'syncagent_request_wait_seconds',
    help: 'How long a request waited before it was sent: the client rate limit, and a busy server for Events (watches not included).',
    labelNames: ['server'],
    buckets: REQUEST_BUCKETS,
    registry,
  });
  const discarded = new Counter({
    name: 'syncagent_events_discarded_total',
    help: 'Events not written: replaced by a newer one on the same object while waiting, or dropped because too many waited.',
    labelNames: ['why'],
    registers,
  });
  let publishedResources: () => number = () => 0;
  new Gauge({
    name: 'sync_agent_published_resource',
    help: 'Number of PublishedResources currently managed by this syncagent instance.',
    registers,
    collect(): void {
      this.set(publishedResources());
    },
  });
  new Gauge({
    name: 'syncagent_heap_limit_ratio',
    help: 'The V8 heap in use as a share of its limit (--max-old-space-size); the agent warns with a MemoryPressure event at 0.85.',
    registers,
    collect(): void {
      const { usedBytes, limitBytes } = heapUsage();
      this.set(limitBytes > 0 ? usedBytes / limitBytes : 0);
    },
  });
  new Gauge({
    name: 'syncagent_heap_limit_bytes',
    help: 'The most the V8 heap may grow to: --max-old-space-size (75% of the container limit with the chart) and the young generation.',
    registers,
    collect(): void {
      this.set(heapUsage().limitBytes);
    },
  });
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    eventDiscarded: (why) => {
      discarded.inc({ why });
    },
    requests: (server) => ({
      onResponse(response): void {
        requests.inc({ server, method: response.method, code: String(response.code) });
        // A watch is timed by neither: it is answered at once and then streams for minutes.
        if (response.method !== 'WATCH') {
          requestWait.observe({ server }, response.waitedMs / 1000);
          requestDuration.observe({ server, method: response.method }, response.durationMs / 1000);
        }
        opts.requestLog?.debug('Request', { server, ...response });
      },
    }),
    observer: {
      onReconcile(controller, outcome, durationMs): void {
        const sync = controller.startsWith('sync/');
        const kind = sync ? 'sync' : controller;
        reconciles.inc({ controller: kind, outcome });
        reconcileSeconds.inc({ controller: kind }, durationMs / 1000);
        reconcileDuration.observe(
          { controller: kind, published_resource: sync ? controller.slice('sync/'.length) : '' },
          durationMs / 1000,
        );
      },
      trackQueue: (controller, stats) => queues.track(controller, stats),
      onCopyCreated(publishedResource, consumerCreated): void {
        const created = Date.parse(consumerCreated ?? '');
        if (Number.isNaN(created)) return;
        // Clocks of kcp and the agent differ a little; a negative age is 0.
        createToCopy.observe({ published_resource: publishedResource }, Math.max(0, wallClockMs() - created) / 1000);
      },
      onStatusSynced(publishedResource, durationMs): void {
        statusToConsumer.observe({ published_resource: publishedResource }, durationMs / 1000);
      },
      trackPublishedResources(count): void {
        publishedResources = count;
      },
    },
  };
}
