import type { KubeObject } from '../kube/object.ts';
import { relatedOwner } from '../translate/related/copy.ts';
import { resolveRelated, type RelatedPair } from '../translate/related/resolve.ts';
import type { RelatedRule } from '../translate/related/rule.ts';
import type { Pass } from './pass.ts';
import { inWorkspace, problemOf } from './related-problems.ts';
import {
  clientFor,
  dropFinalizer,
  getOptional,
  lister,
  locateContext,
  pathOf,
  removeServiceCopy,
} from './related-access.ts';

/**
 * Before the copy of a deleted consumer object goes: deletes the copies of
 * its `kcp`-origin related objects on the service cluster (only those made
 * for it) and releases our finalizer on the originals, and deletes the kcp
 * copies of `service`-origin objects when the rule says `cleanup`. One write
 * per pass; returns whether it wrote. A rule that cannot be resolved any more
 * (its template fails, a claim was revoked) is skipped: deletion must not
 * get stuck on it.
 */
export async function cleanupRelatedObjects(p: Pass): Promise<boolean> {
  // Without the copy, the service side cannot be evaluated; the kcp side
  // still can, and service-side copies are only touched if they are ours.
  const ctx: Ctx = {
    ...p,
    local: p.local ?? p.remote,
    clusterPath: '',
    owner: relatedOwner(p.target.publishedResource, p.key),
  };
  for (const rule of p.io.behaviour.related) {
    if (rule.origin === 'service' && !rule.cleanup) continue;
    try {
      if (await cleanupRule(ctx, rule)) return true;
    } catch (err) {
      if (problemOf(rule, err) === undefined) throw err;
      p.io.logger.info('Related objects of a deleted object not cleaned up', {
        key: p.key,
        rule: rule.field,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return false;
}

type Ctx = Pass & { readonly local: KubeObject; readonly clusterPath: string; readonly owner: string };

async function cleanupRule(ctx: Ctx, rule: RelatedRule): Promise<boolean> {
  const pairs = await resolveRelated(rule, locateContext(ctx), lister(ctx, rule), ctx.target.local.hasStatus);
  for (const pair of pairs) {
    if (rule.origin === 'kcp' ? await releaseKcpOrigin(ctx, rule, pair) : await deleteKcpCopy(ctx, rule, pair))
      return true;
  }
  return false;
}

/** The copy of a kcp-origin object goes first, then our finalizer on the original. */
async function releaseKcpOrigin(ctx: Ctx, rule: RelatedRule, pair: RelatedPair): Promise<boolean> {
  if (pair.serviceNamespaceTrusted && (await removeServiceCopy(ctx, rule, pair, ctx.owner))) return true;
  const origin = await getOptional(rule, clientFor(ctx, 'kcp'), pathOf(rule, 'kcp', pair.kcp));
  return origin !== undefined && dropFinalizer(ctx, rule, pair, origin);
}

/** `cleanup: true`: the kcp copy of a service-origin object goes with its primary. */
async function deleteKcpCopy(ctx: Ctx, rule: RelatedRule, pair: RelatedPair): Promise<boolean> {
  const path = pathOf(rule, 'kcp', pair.kcp);
  const copy = await getOptional(rule, clientFor(ctx, 'kcp'), path);
  if (copy === undefined || copy.metadata.deletionTimestamp !== undefined) return false;
  await inWorkspace(rule, () =>
    clientFor(ctx, 'kcp').delete(path, { preconditions: { uid: copy.metadata.uid ?? '' } }),
  );
  return true;
}
