/**
 * Kubernetes objects as the agent sees them: typed metadata, everything else
 * `unknown`. Objects from workspaces are never trusted to have a shape; they
 * pass through these guards at the I/O boundary.
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface KubeList {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: KubeObject[];
}

/** A watch event; BOOKMARK objects only carry a resourceVersion. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isKubeObject(v: unknown): v is KubeObject {
  return isRecord(v) && isRecord(v['metadata']);
}

export function isKubeList(v: unknown): v is KubeList {
  return isRecord(v) && Array.isArray(v['items']) && v['items'].every(isKubeObject);
}

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export function isWatchEvent(v: unknown): v is WatchEvent {
  return isRecord(v) && typeof v['type'] === 'string' && WATCH_TYPES.has(v['type']) && isRecord(v['object']);
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(meta: ObjectMeta): string {
  return meta.namespace !== undefined && meta.namespace !== ''
    ? `${meta.namespace}/${meta.name ?? ''}`
    : (meta.name ?? '');
}
