import { isNotFound, isObjectNotFound } from '../../kube/errors.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { KubeObject } from '../../kube/object.ts';
import type { RestClient } from '../../kube/rest-client.ts';
import { errorChain, type Logger } from '../../log/logger.ts';
import { type OriginLookup, orphanVerdict } from '../../translate/orphans.ts';
import { remoteRefFromLocal } from '../../translate/sync-metadata.ts';
import { collectionPath, objectPath, remoteKeyString, type SyncTarget } from '../../translate/sync-target.ts';

/** The event on a copy the sweep removed (on the service cluster: the consumer object is gone). */
export const ORPHAN_REMOVED_EVENT = {
  type: 'Normal',
  reason: 'OrphanRemoved',
  message: 'The consumer object this copy was made for no longer exists in kcp; the copy is deleted.',
} as const;

export interface OrphanSweepDeps {
  readonly target: SyncTarget;
  /** Our copies, from the loaded local cache. */
  copies(): KubeObject[];
  /** The origin from the loaded kcp caches, if there. */
  cachedOrigin(key: string): KubeObject | undefined;
  /**
   * A client for the consumer's workspace through the one virtual workspace
   * known to serve it; undefined when none is known (then nothing is swept).
   */
  workspaceClient(cluster: string): RestClient | undefined;
  readonly local: RestClient;
  readonly events: EventRecorder;
  readonly logger: Logger;
}

/**
 * Deletes copies of ours whose consumer object is gone (deleted while the
 * agent was down and released by hand, or its cleanup lost). Runs once the
 * caches are loaded. A copy goes only on kcp's positive "not found" for its
 * origin in a workspace that answers a list of the type (see orphanVerdict);
 * the DELETE is the normal one, so the copy's own finalizers are respected.
 * Returns how many copies it deleted.
 */
export async function sweepOrphans(deps: OrphanSweepDeps): Promise<number> {
  let removed = 0;
  for (const copy of deps.copies()) {
    const ref = remoteRefFromLocal(copy, deps.target.agentName);
    if (ref === undefined) continue;
    const key = remoteKeyString({ cluster: ref.cluster, namespace: ref.namespace ?? '', name: ref.name });
    const originCached = deps.cachedOrigin(key) !== undefined;
    const copyTerminating = copy.metadata.deletionTimestamp !== undefined;
    const lookup = originCached || copyTerminating ? 'present' : await lookupOrigin(deps, ref);
    if (orphanVerdict({ copyTerminating, originCached, lookup }) === 'keep') continue;
    if (!(await deleteCopy(deps, copy))) continue;
    removed++;
    deps.logger.info('Deleted a copy whose consumer object is gone', {
      key,
      copy: `${copy.metadata.namespace ?? ''}/${copy.metadata.name ?? ''}`,
    });
    deps.events.record(deps.local, copy, ORPHAN_REMOVED_EVENT);
  }
  return removed;
}

/** Asks kcp for the origin: the workspace must list the type, then the object must be "not found". */
async function lookupOrigin(
  deps: OrphanSweepDeps,
  ref: { cluster: string; namespace?: string | undefined; name: string },
): Promise<OriginLookup> {
  const client = deps.workspaceClient(ref.cluster);
  if (client === undefined) return 'unknown';
  try {
    // The workspace is visible and bound: a list of the type answers.
    await client.list(collectionPath(deps.target.remote, ref.namespace), { limit: 1 });
    await client.get(objectPath(deps.target.remote, ref.name, ref.namespace));
    return 'present';
  } catch (err) {
    if (isObjectNotFound(err, ref.name)) return 'not-found';
    deps.logger.debug('Origin of a copy could not be looked up; keeping the copy', {
      cluster: ref.cluster,
      error: errorChain(err),
    });
    return 'unknown';
  }
}

async function deleteCopy(deps: OrphanSweepDeps, copy: KubeObject): Promise<boolean> {
  const path = objectPath(deps.target.local, copy.metadata.name ?? '', copy.metadata.namespace);
  try {
    await deps.local.delete(path, { propagationPolicy: 'Background', preconditions: { uid: copy.metadata.uid ?? '' } });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw new Error(`failed to delete the orphaned copy ${path}`, { cause: err });
  }
}
