import { isNotFound, isObjectNotFound } from '../../kube/errors.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { KubeObject } from '../../kube/object.ts';
import type { RestClient } from '../../kube/rest-client.ts';
import { errorChain, type Logger } from '../../log/logger.ts';
import type { Clock } from '../../runtime/clock.ts';
import { type OriginLookup, orphanVerdict } from '../../translate/orphans.ts';
import { remoteRefFromLocal } from '../../translate/sync-metadata.ts';
import { collectionPath, objectPath, remoteKeyOfRef, type SyncTarget } from '../../translate/sync-target.ts';

/** The event on a copy the sweep removed (on the service cluster: the consumer object is gone). */
export const ORPHAN_REMOVED_EVENT = {
  type: 'Normal',
  reason: 'OrphanRemoved',
  message: 'The consumer object this copy was made for no longer exists in kcp; the copy is deleted.',
} as const;

/** What the orphan sweep of one sync may assume, answered from the whole agent's view. */
export interface OrphanSweepScope {
  /**
   * The endpoint slice lists one virtual workspace (an unsharded kcp): it
   * serves every consumer workspace, also those the caches hold no object of.
   */
  singleEndpoint(): boolean;
  /**
   * No other PublishedResource of this agent syncs into the same local type:
   * copies carry no PublishedResource marker, so with two, one sync would take
   * the other's copies for orphans.
   */
  soleSyncOfLocalType(): boolean;
}

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
    const key = remoteKeyOfRef(ref);
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

/** How often the sweep checks whether the caches have loaded. */
const READY_POLL_MS = 250;

/**
 * Waits until `ready()` (every cache loaded), then sweeps once, unless
 * another PublishedResource of this agent syncs into the same local type. A
 * failure is logged; the copies stay until the next start.
 */
export async function runOrphanSweep(
  deps: OrphanSweepDeps,
  when: { readonly scope: OrphanSweepScope; readonly clock: Clock; ready(): boolean },
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted && !when.ready()) await when.clock.sleep(READY_POLL_MS, signal).catch(() => undefined);
  if (signal.aborted) return;
  if (!when.scope.soleSyncOfLocalType()) {
    deps.logger.info('No orphan sweep: another PublishedResource syncs into the same local type');
    return;
  }
  try {
    deps.logger.info('Orphan sweep done', { removed: await sweepOrphans(deps) });
  } catch (err) {
    deps.logger.error('Orphan sweep failed; copies without origin stay until the next start', {
      error: errorChain(err),
    });
  }
}
