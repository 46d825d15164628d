import { RELATED_OWNER_ANNOTATION } from '../apis/v1alpha1/constants.ts';
import { cleanupFinalizerFor, holdsCleanup, releasedFinalizers } from '../translate/cleanup-finalizer.ts';
import { isNotFound } from '../kube/errors.ts';
import type { KubeObject } from '../kube/object.ts';
import type { RestClient } from '../kube/rest-client.ts';
import type { LocateContext, RelatedLister } from '../translate/related/locate.ts';
import type { RelatedPair, RelatedPlacement } from '../translate/related/resolve.ts';
import { relatedCollectionPath, type RelatedRule, type Side, typeOn } from '../translate/related/rule.ts';
import { inWorkspace } from './related-problems.ts';
import type { RelatedPass } from './related-syncer.ts';

/*
 * Reading and writing related objects on either side: the clients, paths and
 * single requests the related sync and its cleanup share.
 */

export function locateContext(p: Pick<RelatedPass, 'remote' | 'local' | 'ref' | 'clusterPath' | 'io'>): LocateContext {
  return {
    remote: p.remote,
    local: p.local,
    clusterName: p.ref.cluster,
    clusterPath: p.clusterPath,
    renderer: p.io.behaviour.templates,
  };
}

/** Lists related objects (or namespaces) on the origin side for selector rules. */
export function lister(p: Pick<RelatedPass, 'ref' | 'io'>, rule: RelatedRule): RelatedLister {
  return async (side, selector, namespace) => {
    const client = clientFor(p, side);
    const path = namespace === undefined ? '/api/v1/namespaces' : relatedCollectionPath(typeOn(rule, side), namespace);
    const list = await inWorkspace(rule, () => client.list(path, { labelSelector: selector }));
    return list.items;
  };
}

export function clientFor(p: Pick<RelatedPass, 'ref' | 'io'>, side: Side): RestClient {
  const client = p.io.relatedClient(side, p.ref.cluster);
  if (client === undefined) throw new Error(`no virtual workspace serves cluster ${p.ref.cluster} yet`);
  return client;
}

export function pathOf(rule: RelatedRule, side: Side, at: RelatedPlacement): string {
  return `${relatedCollectionPath(typeOn(rule, side), at.namespace)}/${at.name}`;
}

export async function getOptional(
  rule: RelatedRule,
  client: RestClient,
  path: string,
): Promise<KubeObject | undefined> {
  return inWorkspace(rule, () => client.get(path)).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
}

/** Deletes the service-side copy of a kcp-origin object if it is ours; returns whether it did. */
export async function removeServiceCopy(
  p: Pick<RelatedPass, 'ref' | 'io'>,
  rule: RelatedRule,
  pair: RelatedPair,
  owner: string,
): Promise<boolean> {
  const path = pathOf(rule, 'service', pair.service);
  const copy = await getOptional(rule, p.io.local, path);
  if (copy === undefined || copy.metadata.deletionTimestamp !== undefined) return false;
  if (copy.metadata.annotations?.[RELATED_OWNER_ANNOTATION] !== owner) return false;
  await p.io.local.delete(path, { preconditions: { uid: copy.metadata.uid ?? '' } }).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  return true;
}

/** Removes our finalizer from a kcp-origin object; returns whether it did. */
export async function dropFinalizer(
  p: Pick<RelatedPass, 'ref' | 'io' | 'target'>,
  rule: RelatedRule,
  pair: RelatedPair,
  origin: KubeObject,
): Promise<boolean> {
  const own = cleanupFinalizerFor(p.target.agentName);
  if (!holdsCleanup(origin.metadata.finalizers, own)) return false;
  await inWorkspace(rule, () =>
    clientFor(p, 'kcp').patch(
      pathOf(rule, 'kcp', pair.kcp),
      {
        metadata: {
          resourceVersion: origin.metadata.resourceVersion,
          finalizers: releasedFinalizers(origin.metadata.finalizers, own),
        },
      },
      'merge',
    ),
  ).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  return true;
}
