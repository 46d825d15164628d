// Cutting every connection through a TcpProxy, the faults the connection tests
// (service side and kcp side) share, and how long the agent may take after each.
import type { FaultReport } from './report.ts';
import type { TcpProxy } from './tcp-proxy.ts';

export const CUTS = ['reset', 'drop', 'stall'] as const;
export type Cut = (typeof CUTS)[number];

/**
 * A stalled connection is noticed by the client's liveness check (every 30 s
 * while watches are open; 10 s for its answer, 10 s for undici's PING after
 * it) or by a request that times out (30 s, and as long for the PING): about
 * a minute, then the informers relist on a new connection.
 */
export const STALL_LIMIT_MS = 120_000;

/** How long the agent may take to converge after a cut. */
export const cutLimitMs = (cut: Cut): number => (cut === 'stall' ? STALL_LIMIT_MS : 60_000);

/** Cuts every connection open through the proxy, and counts it in the report when there was one. */
export function cutConnections(proxy: TcpProxy, report: FaultReport, cut: Cut): void {
  switch (cut) {
    case 'reset':
      report.injected('TCP reset of every agent connection', proxy.reset() > 0 ? 1 : 0);
      break;
    case 'drop':
      report.injected('clean close of every agent connection', proxy.drop() > 0 ? 1 : 0);
      break;
    case 'stall':
      report.injected('stall (black hole) of every agent connection', proxy.stall() > 0 ? 1 : 0);
      break;
  }
}
