import { AGENT_NAME_LABEL, LAST_KNOWN_STATE_ANNOTATION } from '../apis/v1alpha1/constants.ts';
import { isAlreadyExists, isForbidden, isNotFound } from '../kube/errors.ts';
import type { KubeObject } from '../kube/object.ts';
import type { Result } from '../runtime/controller.ts';
import {
  cleanupFinalizerFor,
  holdsCleanup,
  releasedFinalizers,
  withOwnFinalizer,
} from '../translate/cleanup-finalizer.ts';
import { deepEqual } from '../translate/deep-equal.ts';
import { matchesSelector } from '../translate/label-selector.ts';
import { type DesiredLocal, desiredLocalObject, lastKnownState } from '../translate/local-object.ts';
import { threeWayMergePatch } from '../translate/merge-patch.ts';
import { addMissingSyncMetadata, remoteRefFromLocal } from '../translate/sync-metadata.ts';
import { objectPath, parseRemoteKey, type SyncTarget } from '../translate/sync-target.ts';
import type { SyncIO } from './io.ts';
import type { Pass } from './pass.ts';
import { SYNC_EVENTS } from './events.ts';
import { cleanupRelatedObjects } from './related-cleanup.ts';
import { withRelatedCondition } from './related-status.ts';
import { syncRelatedObjects } from './related-syncer.ts';

/** How long to wait before checking again on a copy that is being deleted. */
const WAIT_FOR_DELETION_MS = 1_000;

/**
 * Reconciles one consumer object with its copy on the service cluster. Each
 * pass makes at most one change to the consumer object or the copy and then
 * returns; the server's answer to that write goes into the cache and queues
 * the next pass at once (the watch's echo of it, which lags under load, then
 * changes nothing), as does the returned requeue; only the status write,
 * when nothing follows it, queues none. The phases, in order: deletion,
 * finalizer, placing the copy, spec sync down, status sync up.
 */
export async function syncObject(key: string, target: SyncTarget, io: SyncIO): Promise<Result | undefined> {
  const remote = io.remoteObject(key);
  if (remote === undefined) return undefined;
  const ref = parseRemoteKey(key);
  const client = io.remoteClient(ref.cluster);
  if (client === undefined) return { requeueAfterMs: 1_000 };
  const pass: Pass = { key, ref, remote, local: io.localObject(key), client, target, io };
  // Deletion comes before the filters: an object that stopped matching still
  // carries our finalizer and must not be stuck terminating.
  if (remote.metadata.deletionTimestamp !== undefined) return handleDeletion(pass);
  // An object that stops matching keeps its copy as it is (upstream's
  // behaviour): the filters decide what starts syncing, never what is deleted.
  if (!(await selected(pass))) return undefined;
  const finalizers = withOwnFinalizer(remote.metadata.finalizers, cleanupFinalizerFor(target.agentName));
  if (finalizers !== undefined) return addFinalizer(pass, finalizers);
  return syncCopy(pass);
}

/** Places the copy, then keeps its spec in sync down and its status up. */
async function syncCopy(p: Pass): Promise<Result | undefined> {
  const { remote, local, io, target, ref } = p;
  const clusterPath = target.enableWorkspacePaths ? await io.workspacePath(ref.cluster) : '';
  const desired = desiredLocalObject(remote, target, {
    clusterName: ref.cluster,
    clusterPath,
    renderer: io.behaviour.templates,
    mutated: io.behaviour.specMutator.apply(remote, local),
  });
  if (local === undefined) return placeCopy(p, desired);
  if (local.metadata.deletionTimestamp !== undefined) return { requeueAfterMs: WAIT_FOR_DELETION_MS };
  if (await syncSpec(p, local, desired)) return undefined;
  if (await syncStatus(p, local)) return undefined;
  return syncRelatedObjects({ ...p, local, clusterPath });
}

/** The resource filter on the object's labels and the namespace filter on its namespace's. */
async function selected(p: Pass): Promise<boolean> {
  if (!matchesSelector(p.target.resourceFilter, p.remote.metadata.labels)) return false;
  const nsFilter = p.target.namespaceFilter;
  if (nsFilter === undefined || p.ref.namespace === '') return true;
  const labels = await p.io.namespaceLabels(p.ref.cluster, p.ref.namespace);
  return labels !== undefined && matchesSelector(nsFilter, labels);
}

const remotePath = (p: Pass): string => objectPath(p.target.remote, p.ref.name, p.ref.namespace);

function localPath(p: Pass, obj: KubeObject): string {
  return objectPath(p.target.local, obj.metadata.name ?? '', obj.metadata.namespace);
}

/**
 * The consumer deleted its object: delete the copy, wait until it is really
 * gone (its own finalizers may delay it), then release our finalizer (and
 * upstream's shared one, which held the object for the same cleanup).
 */
async function handleDeletion(p: Pass): Promise<Result | undefined> {
  const own = cleanupFinalizerFor(p.target.agentName);
  if (!holdsCleanup(p.remote.metadata.finalizers, own)) return undefined;
  // Related objects first: resolving them needs the copy.
  if (p.io.behaviour.related.length > 0 && (await cleanupRelatedObjects(p))) return { requeueAfterMs: 0 };
  if (p.local !== undefined) {
    if (p.local.metadata.deletionTimestamp !== undefined) return { requeueAfterMs: WAIT_FOR_DELETION_MS };
    await p.io.local
      .delete(localPath(p, p.local), {
        propagationPolicy: 'Background',
        preconditions: { uid: p.local.metadata.uid ?? '' },
      })
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    p.io.events.record(p.client, p.remote, SYNC_EVENTS.cleanup);
    return { requeueAfterMs: WAIT_FOR_DELETION_MS };
  }
  await setFinalizers(p, releasedFinalizers(p.remote.metadata.finalizers, own)).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  return undefined;
}

/** Our finalizer guarantees the copy is removed before the consumer object goes. */
async function addFinalizer(p: Pass, finalizers: string[]): Promise<undefined> {
  const written = await setFinalizers(p, finalizers);
  p.io.wroteRemote(p.key, p.remote.metadata.resourceVersion, written);
  p.io.events.record(p.client, p.remote, SYNC_EVENTS.accepted);
  return undefined;
}

/**
 * Writes the consumer object's whole finalizer list, guarded by the
 * resourceVersion it was computed from: a stale cache gets a 409 Conflict,
 * which is retried quietly, and never drops another controller's finalizer.
 */
async function setFinalizers(p: Pass, finalizers: string[]): Promise<KubeObject> {
  return p.client.patch(
    remotePath(p),
    { metadata: { resourceVersion: p.remote.metadata.resourceVersion, finalizers } },
    'merge',
  );
}

/** Creates the copy (and its namespace); adopts an unowned object of the same name. */
async function placeCopy(p: Pass, desired: DesiredLocal): Promise<Result | undefined> {
  const ns = desired.object.metadata.namespace;
  if (ns !== undefined) await p.io.ensureNamespace(ns);
  try {
    const created = await p.io.local.create(localPath(p, desired.object).replace(/\/[^/]+$/, ''), desired.object);
    const settled = nothingFollowsCreate(p, created, desired);
    p.io.wroteLocal(undefined, created, settled);
    if (settled) p.io.statusInSync(p.key, created, false);
    p.io.copyCreated(p.remote);
  } catch (err) {
    // The namespace was deleted behind our back (or is being deleted, 403): make it again on the retry.
    if ((isNotFound(err) || isForbidden(err)) && ns !== undefined) p.io.forgetNamespace(ns);
    if (!isAlreadyExists(err)) throw err;
    const adopted = await adopt(p, desired);
    if (adopted === 'terminating') return { requeueAfterMs: WAIT_FOR_DELETION_MS };
    if (adopted === 'already-ours') return undefined;
  }
  p.io.events.record(p.client, p.remote, SYNC_EVENTS.placed);
  return undefined;
}

/**
 * True when a pass right after creating the copy would write nothing: the
 * server kept the state we recorded (so no spec patch), no status is to go
 * up yet and no related objects follow. Most creates are such; leaving that
 * pass out (a decode of both objects, the desired copy built again, a
 * three-way diff) took an initial sync from 3.8 to 3.3 reconciles per
 * object. A later change of either object comes by its watch and queues a
 * pass as always.
 */
function nothingFollowsCreate(p: Pass, created: KubeObject, desired: DesiredLocal): boolean {
  if (p.io.behaviour.related.length > 0) return false;
  const state = LAST_KNOWN_STATE_ANNOTATION;
  if (created.metadata.annotations?.[state] !== desired.object.metadata.annotations?.[state]) return false;
  try {
    return statusToWrite(p, created) === undefined;
  } catch {
    // A failing status mutation is the next pass's to report, with the copy placed.
    return false;
  }
}

/**
 * An object with the copy's name exists but our labels did not find it: it
 * was created by hand, or its labels were damaged. Take it over unless it is
 * being deleted (try again later) or demonstrably belongs to another
 * consumer object.
 */
async function adopt(p: Pass, desired: DesiredLocal): Promise<'adopted' | 'already-ours' | 'terminating'> {
  const existing = await p.io.local.get(localPath(p, desired.object));
  // It is going away; place the copy once it is gone.
  if (existing.metadata.deletionTimestamp !== undefined) return 'terminating';
  // Already ours, complete with its state: only the cache had not seen it yet.
  if (ownedBySameObject(p, existing) && existing.metadata.annotations?.[LAST_KNOWN_STATE_ANNOTATION] !== undefined)
    return 'already-ours';
  // Link it without a last-known state: the next pass then writes the whole
  // desired content once (additively, keeping fields only the copy has).
  const { [LAST_KNOWN_STATE_ANNOTATION]: _state, ...annotations } = desired.object.metadata.annotations ?? {};
  await p.io.local.patch(
    localPath(p, existing),
    {
      metadata: {
        resourceVersion: existing.metadata.resourceVersion,
        labels: desired.object.metadata.labels,
        annotations,
      },
    },
    'merge',
  );
  return 'adopted';
}

/** True when `existing` is linked to this consumer object; throws when it belongs to another object or agent. */
function ownedBySameObject(p: Pass, existing: KubeObject): boolean {
  const otherAgent = existing.metadata.labels?.[AGENT_NAME_LABEL];
  if (otherAgent !== undefined && otherAgent !== p.target.agentName) {
    throw new Error(`failed to place the copy: ${localPath(p, existing)} is managed by agent "${otherAgent}"`);
  }
  const owner = remoteRefFromLocal(existing, p.target.agentName);
  if (owner === undefined) return false;
  if (owner.cluster !== p.ref.cluster || owner.name !== p.ref.name || (owner.namespace ?? '') !== p.ref.namespace) {
    throw new Error(`failed to place the copy: ${localPath(p, existing)} already belongs to another object`);
  }
  return true;
}

/**
 * Three-way spec sync: the patch is what changed in the consumer object since
 * the last sync, so fields defaulted or set on the service cluster survive.
 * Returns true when it wrote something.
 */
async function syncSpec(p: Pass, local: KubeObject, desired: DesiredLocal): Promise<boolean> {
  // Local edits to synced fields are kept until the consumer changes them
  // (upstream's behaviour); damaged linking labels are restored.
  const wanted = addMissingSyncMetadata(keepPlacement(desired.state, local), local, desired.sync);
  const patch = threeWayMergePatch(lastKnownState(local), wanted, local, { revertDrift: false });
  const stateChanged =
    local.metadata.annotations?.[LAST_KNOWN_STATE_ANNOTATION] !==
    desired.object.metadata.annotations?.[LAST_KNOWN_STATE_ANNOTATION];
  if (patch === undefined && !stateChanged) return false;
  const body = withStateAnnotation(patch ?? {}, desired.object.metadata.annotations?.[LAST_KNOWN_STATE_ANNOTATION]);
  const basedOn = local.metadata.resourceVersion;
  p.io.wroteLocal(
    basedOn,
    await p.io.local.patch(
      localPath(p, local),
      { ...body, metadata: { ...asRecord(body['metadata']), resourceVersion: basedOn } },
      'merge',
    ),
  );
  if (patch !== undefined) p.io.events.record(p.client, p.remote, SYNC_EVENTS.synced);
  return true;
}

/**
 * Copies the copy's status up to the consumer object through its /status
 * subresource (keeping the related-resources condition). Returns whether it wrote.
 */
async function syncStatus(p: Pass, local: KubeObject): Promise<boolean> {
  if (!p.target.local.hasStatus || !p.target.remote.hasStatus) return false;
  const status = statusToWrite(p, local);
  if (status === undefined) {
    p.io.statusInSync(p.key, local, false);
    return false;
  }
  // The status is the last phase unless related objects follow. The write
  // was made against the cached object, so its answer is that object with
  // this status: a pass after it would find nothing to do. A change
  // meanwhile on either side comes by its watch and queues a pass as always.
  p.io.wroteRemote(
    p.key,
    p.remote.metadata.resourceVersion,
    await p.client.replace(`${remotePath(p)}/status`, { ...p.remote, status }),
    p.io.behaviour.related.length === 0,
  );
  p.io.statusInSync(p.key, local, true);
  p.io.events.record(p.client, p.remote, SYNC_EVENTS.statusSynced);
  return true;
}

/** The status the consumer object should carry, or undefined when none is synced or it carries it already. */
function statusToWrite(p: Pass, local: KubeObject): unknown {
  if (!p.target.local.hasStatus || !p.target.remote.hasStatus) return undefined;
  const mutated = p.io.behaviour.statusMutator.apply(local, p.remote)['status'];
  const status =
    mutated === undefined || p.io.behaviour.related.length === 0 ? mutated : withRelatedCondition(mutated, p.remote);
  return status === undefined || deepEqual(status, p.remote['status']) ? undefined : status;
}

/**
 * Copies are found by their labels, so a copy keeps its name and namespace
 * even when the naming rules (or a previous agent's rules) would place it
 * elsewhere now: renaming is not something the API server allows.
 */
function keepPlacement(state: KubeObject, local: KubeObject): KubeObject {
  const metadata = { ...state.metadata, name: local.metadata.name };
  if (local.metadata.namespace === undefined) delete metadata.namespace;
  else metadata.namespace = local.metadata.namespace;
  return { ...state, metadata };
}

/** Sets the state annotation in a merge patch; a state too large to record (see withState) removes the old one. */
function withStateAnnotation(patch: Record<string, unknown>, state: string | undefined): Record<string, unknown> {
  const metadata = asRecord(patch['metadata']);
  const annotations = asRecord(metadata['annotations']);
  return {
    ...patch,
    metadata: { ...metadata, annotations: { ...annotations, [LAST_KNOWN_STATE_ANNOTATION]: state ?? null } },
  };
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
