import type { KubeObject } from '../kube/object.ts';
import type { RestClient } from '../kube/rest-client.ts';
import { relatedOwner } from '../translate/related/copy.ts';
import { resolveRelated } from '../translate/related/resolve.ts';
import type { SyncTarget, RemoteKey } from '../translate/sync-target.ts';
import type { SyncIO } from './io.ts';
import { problemOf } from './related-problems.ts';
import { clientFor, dropFinalizer, getOptional, lister, locateContext, pathOf, removeServiceCopy } from './related-syncer.ts';

/** What cleaning up needs of a sync pass of a consumer object that is being deleted. */
export interface CleanupPass {
  readonly key: string;
  readonly ref: RemoteKey;
  readonly remote: KubeObject;
  readonly local: KubeObject | undefined;
  readonly client: RestClient;
  readonly target: SyncTarget;
  readonly io: SyncIO;
}

/**
 * Before the copy of a deleted consumer object goes: deletes the copies of
 * its `kcp`-origin related objects on the service cluster (only those made
 * for it) and releases our finalizer on the originals, and deletes the kcp
 * copies of `service`-origin objects when the rule says `cleanup`. One write
 * per pass; returns whether it wrote. A rule that cannot be resolved any more
 * (its template fails, a claim was revoked) is skipped: deletion must not
 * get stuck on it.
 */
export async function cleanupRelatedObjects(p: CleanupPass): Promise<boolean> {
  const owner = relatedOwner(p.target.publishedResource, p.key);
  // Without the copy, the service side cannot be evaluated; the kcp side
  // still can, and service-side copies are only touched if they are ours.
  const ctx = { ...p, local: p.local ?? p.remote, clusterPath: '' };
  for (const rule of p.io.behaviour.related) {
    if (rule.origin === 'service' && !rule.cleanup) continue;
    try {
      const pairs = await resolveRelated(rule, locateContext(ctx), lister(ctx, rule), p.target.local.hasStatus);
      for (const pair of pairs) {
        if (rule.origin === 'kcp') {
          if (pair.serviceNamespaceTrusted && await removeServiceCopy(ctx, rule, pair, owner)) return true;
          const origin = await getOptional(rule, clientFor(ctx, 'kcp'), pathOf(rule, 'kcp', pair.kcp));
          if (origin !== undefined && await dropFinalizer(ctx, rule, pair, origin)) return true;
        } else {
          const path = pathOf(rule, 'kcp', pair.kcp);
          const copy = await getOptional(rule, clientFor(ctx, 'kcp'), path);
          if (copy !== undefined && copy.metadata.deletionTimestamp === undefined) {
            await clientFor(ctx, 'kcp').delete(path, { preconditions: { uid: copy.metadata.uid ?? '' } });
            return true;
          }
        }
      }
    } catch (err) {
      if (problemOf(rule, err) === undefined) throw err;
      p.io.logger.info('Related objects of a deleted object not cleaned up', { key: p.key, rule: rule.field, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return false;
}
