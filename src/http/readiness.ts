import type { InformerOutage } from '../runtime/informer.ts';

export interface ReadinessInputs {
  /** False for a standby replica waiting for the leader lease. */
  readonly leading: boolean;
  readonly cachesLoaded: boolean;
  /** False while a watch the agent needs (kcp or the service cluster) fails. */
  readonly connected: boolean;
  /** Virtual-workspace URLs whose watch fails now. */
  readonly outages: ReadonlyMap<string, InformerOutage>;
  /** Clock time (same clock as the outages' `since`). */
  readonly now: number;
}

/**
 * The /readyz answer. A watch that is down (a kcp shard restarting, say)
 * makes the agent not ready and names the URL, how long it has been down and
 * the last error: the agent still syncs every other shard, but an operator
 * looking at a failing probe should learn which shard to look at.
 */
export function readinessAnswer(r: ReadinessInputs): { code: number; body: string } {
  if (!r.leading) return { code: 200, body: 'ok: standby, waiting for the leader lease\n' };
  if (!r.cachesLoaded) return { code: 503, body: 'caches not loaded\n' };
  if (r.outages.size === 0)
    return r.connected
      ? { code: 200, body: 'ok\n' }
      : { code: 503, body: 'a watch is down: kcp or the service cluster does not answer\n' };
  const lines = [...r.outages]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([url, o]) => `watch down: ${url} (for ${Math.max(0, Math.round((r.now - o.since) / 1000))}s: ${o.error})`);
  return { code: 503, body: `${lines.join('\n')}\n` };
}
