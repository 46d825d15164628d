import { LAST_KNOWN_STATE_ANNOTATION } from '../apis/v1alpha1/constants.ts';
import type { KubeObject } from '../kube/object.ts';
import { apiVersionOf, type SyncTarget } from './sync-target.ts';
import { localObjectName, type TemplateRenderer } from './naming.ts';
import {
  stripForState,
  stripMetadataForCopy,
  syncAnnotations,
  syncLabels,
  type SyncMetadata,
} from './sync-metadata.ts';

/** What the copy of a consumer object on the service cluster should look like. */
export interface DesiredLocal {
  /** The full object to create. */
  readonly object: KubeObject;
  /** Its content as the last-known state records it (no status, no bookkeeping metadata). */
  readonly state: KubeObject;
  /** The linking labels and annotations the copy must carry. */
  readonly sync: SyncMetadata;
}

export interface LocalObjectContext {
  readonly clusterName: string;
  readonly clusterPath: string;
  readonly renderer?: TemplateRenderer | undefined;
  /**
   * The consumer object after the spec mutations: its content is what the
   * copy gets. Naming still sees the object as the consumer wrote it.
   */
  readonly mutated?: KubeObject | undefined;
}

/**
 * Builds the service-cluster copy of a consumer object: the same content with
 * kcp's and our bookkeeping metadata stripped, the local type's apiVersion and
 * kind, the name and namespace from the naming rules, our linking labels and
 * annotations, and no status when the local type has a status subresource
 * (status only flows up). Throws when the naming rules cannot be applied.
 */
export function desiredLocalObject(remote: KubeObject, target: SyncTarget, ctx: LocalObjectContext): DesiredLocal {
  const stripped = stripMetadataForCopy(ctx.mutated ?? remote);
  const placement = localObjectName(
    target.naming,
    { object: remote, clusterName: ctx.clusterName, clusterPath: ctx.clusterPath },
    target.local.namespaced ? 'Namespaced' : 'Cluster',
    ctx.renderer,
  );
  const ref = {
    cluster: ctx.clusterName,
    name: remote.metadata.name ?? '',
    ...(remote.metadata.namespace === undefined ? {} : { namespace: remote.metadata.namespace }),
  };
  const sync: SyncMetadata = {
    labels: syncLabels(target.agentName, ref),
    annotations: syncAnnotations(ref, ctx.clusterPath === '' ? undefined : ctx.clusterPath),
  };
  // stripMetadataForCopy made the metadata and its maps for this copy alone:
  // they are set in place (same key order as spreading them anew).
  const metadata = stripped.metadata;
  metadata.name = placement.name;
  metadata.labels = { ...metadata.labels, ...sync.labels };
  metadata.annotations = { ...metadata.annotations, ...sync.annotations };
  if (placement.namespace !== undefined) metadata.namespace = placement.namespace;
  else delete metadata.namespace;
  const object: KubeObject = { ...stripped, apiVersion: apiVersionOf(target.local), kind: target.local.kind, metadata };
  if (target.local.hasStatus) delete object['status'];
  const state = stripForState(object, target.local.hasStatus ? ['status'] : []);
  return { object: withState(object, state), state, sync };
}

/** The last-known state recorded on a copy, if it has a readable one. */
export function lastKnownState(local: KubeObject): KubeObject | undefined {
  const raw = local.metadata.annotations?.[LAST_KNOWN_STATE_ANNOTATION];
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as KubeObject) : undefined;
  } catch {
    return undefined;
  }
}

/** Kubernetes refuses an object whose annotations (keys and values, in bytes) add up to more than 256 KiB. */
export const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

/** Their UTF-8 size, counted without encoding them (this runs on every reconcile). */
function annotationsSize(annotations: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const k of Object.keys(annotations))
    n += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(annotations[k] ?? '', 'utf8');
  return n;
}

/**
 * Records `state` on an object as its last-known state, unless the annotation
 * would push the object past the annotation size limit: the state repeats
 * the spec, so a consumer object with a large spec or large annotations could
 * otherwise never get a copy. Such a copy has no state and is updated
 * additively, like a copy made by upstream's agent.
 */
export function withState(obj: KubeObject, state: KubeObject): KubeObject {
  const current = obj.metadata.annotations ?? {};
  const annotations = Object.hasOwn(current, LAST_KNOWN_STATE_ANNOTATION) ? withoutState(current) : current;
  const recorded = { ...annotations, [LAST_KNOWN_STATE_ANNOTATION]: JSON.stringify(state) };
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: annotationsSize(recorded) > ANNOTATIONS_SIZE_LIMIT ? annotations : recorded,
    },
  };
}

function withoutState(annotations: Readonly<Record<string, string>>): Record<string, string> {
  const { [LAST_KNOWN_STATE_ANNOTATION]: _old, ...rest } = annotations;
  return rest;
}
