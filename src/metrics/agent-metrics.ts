import type { RequestObserver } from '../kube/rest-client.ts';
import type { Logger } from '../log/logger.ts';
import type { ControllerObserver } from '../runtime/controller.ts';
import { MetricsRegistry } from './registry.ts';

/** The agent's metrics, and the observers that feed them. */
export interface AgentMetrics {
  readonly registry: MetricsRegistry;
  readonly controllers: ControllerObserver;
  requests(server: 'kcp' | 'service'): RequestObserver;
  eventDiscarded(why: 'replaced' | 'dropped'): void;
}

/** With requestLog, every response is also logged (at debug) with its timings, for diagnosing latency. */
export function createAgentMetrics(requestLog?: Logger): AgentMetrics {
  const registry = new MetricsRegistry();
  const reconciles = registry.counter('syncagent_reconcile_total', 'Reconciles by controller and outcome.');
  const reconcileSeconds = registry.counter('syncagent_reconcile_seconds_total', 'Time spent reconciling, by controller.');
  const requests = registry.counter('syncagent_requests_total', 'API requests by server, method and status code.');
  const discarded = registry.counter('syncagent_events_discarded_total', 'Events not written: replaced by a newer one on the same object while waiting, or dropped because too many waited.');
  addProcessMetrics(registry);
  return {
    registry,
    controllers: {
      onReconcile(controller, outcome, durationMs): void {
        const kind = controller.startsWith('sync/') ? 'sync' : controller;
        reconciles({ controller: kind, outcome });
        reconcileSeconds({ controller: kind }, durationMs / 1000);
      },
    },
    eventDiscarded: (why) => { discarded({ why }); },
    requests: (server) => ({
      onResponse(response): void {
        requests({ server, method: response.method, code: String(response.code) });
        requestLog?.debug('Request', { server, ...response });
      },
    }),
  };
}

/** The usual process metrics, under their conventional names, so dashboards for other controllers work. */
function addProcessMetrics(registry: MetricsRegistry): void {
  const rss = registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.');
  const cpu = registry.observedCounter('process_cpu_seconds_total', 'User and system CPU time spent in seconds.');
  const heapUsed = registry.gauge('nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes.');
  const heapTotal = registry.gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved, in bytes.');
  const external = registry.gauge('nodejs_external_memory_bytes', 'Memory held outside the V8 heap (buffers), in bytes.');
  registry.onCollect(() => {
    const mem = process.memoryUsage();
    const usage = process.cpuUsage();
    rss({}, mem.rss);
    cpu({}, (usage.user + usage.system) / 1e6);
    heapUsed({}, mem.heapUsed);
    heapTotal({}, mem.heapTotal);
    external({}, mem.external + mem.arrayBuffers);
  });
}
