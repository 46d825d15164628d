import type { RequestObserver } from '../kube/rest-client.ts';
import type { ControllerObserver } from '../runtime/controller.ts';
import { MetricsRegistry } from './registry.ts';

/** The agent's metrics, and the observers that feed them. */
export interface AgentMetrics {
  readonly registry: MetricsRegistry;
  readonly controllers: ControllerObserver;
  requests(server: 'kcp' | 'service'): RequestObserver;
}

export function createAgentMetrics(): AgentMetrics {
  const registry = new MetricsRegistry();
  const reconciles = registry.counter('syncagent_reconcile_total', 'Reconciles by controller and outcome.');
  const reconcileSeconds = registry.counter('syncagent_reconcile_seconds_total', 'Time spent reconciling, by controller.');
  const requests = registry.counter('syncagent_requests_total', 'API requests by server, method and status code.');
  return {
    registry,
    controllers: {
      onReconcile(controller, outcome, durationMs): void {
        const kind = controller.startsWith('sync/') ? 'sync' : controller;
        reconciles({ controller: kind, outcome });
        reconcileSeconds({ controller: kind }, durationMs / 1000);
      },
    },
    requests: (server) => ({
      onResponse(method, code): void {
        requests({ server, method, code: String(code) });
      },
    }),
  };
}
