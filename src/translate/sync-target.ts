import type { CrdSpec } from '../apis/apiextensions.ts';
import type { Requirement } from './label-selector.ts';

/** One side's view of the synced type: where its objects live and what they support. */
export interface TypeRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly hasStatus: boolean;
}

/**
 * Everything the sync engine needs to know about one PublishedResource,
 * computed once when its sync starts (a change of the PublishedResource or of
 * its CRD starts a new sync).
 */
export interface SyncTarget {
  readonly publishedResource: string;
  readonly agentName: string;
  /** The type in kcp (served through the virtual workspace). */
  readonly remote: TypeRef;
  /** The type on the service cluster. */
  readonly local: TypeRef;
  readonly naming: { readonly name?: string | undefined; readonly namespace?: string | undefined };
  readonly resourceFilter: readonly Requirement[];
  /** Matched against the consumer namespace's labels (filter.namespace), when set. */
  readonly namespaceFilter?: readonly Requirement[] | undefined;
  /** Read each workspace's path (`.ClusterPath`, the workspace-path annotation). */
  readonly enableWorkspacePaths: boolean;
  /**
   * The raw mutation rules. The compiled mutators travel separately (see
   * SyncBehaviour); this copy makes a rule change restart the sync.
   */
  readonly mutation?: unknown;
  /** The raw `spec.related` rules (compiled in SyncBehaviour); a change restarts the sync. */
  readonly related?: unknown;
}

export function apiVersionOf(t: TypeRef): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

/** The collection path of a type, optionally inside a namespace. */
export function collectionPath(t: TypeRef, namespace?: string): string {
  const base = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  return t.namespaced && namespace !== undefined && namespace !== ''
    ? `${base}/namespaces/${namespace}/${t.plural}`
    : `${base}/${t.plural}`;
}

/** The path of one object of a type. */
export function objectPath(t: TypeRef, name: string, namespace?: string): string {
  return `${collectionPath(t, namespace)}/${name}`;
}

/** The queue key of a remote object: `<cluster>|<namespace>|<name>`. */
export interface RemoteKey {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
}

export function remoteKeyString(k: RemoteKey): string {
  return `${k.cluster}|${k.namespace}|${k.name}`;
}

/** The queue key of the consumer object a reference (such as a copy's) points at. */
export function remoteKeyOfRef(ref: {
  readonly cluster: string;
  readonly namespace?: string;
  readonly name: string;
}): string {
  return remoteKeyString({ cluster: ref.cluster, namespace: ref.namespace ?? '', name: ref.name });
}

/** The key of a copy in the sync's local cache: `<namespace>/<name>` (no namespace when cluster-scoped). */
export function localKeyString(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

export function parseRemoteKey(key: string): RemoteKey {
  const [cluster = '', namespace = '', name = ''] = key.split('|');
  return { cluster, namespace, name };
}

/** Fair queuing: each workspace is a tenant of the work queue. */
export function tenantOfKey(key: string): string {
  return key.slice(0, key.indexOf('|'));
}

/** What a sync target is built from. */
export interface SyncTargetInput {
  readonly publishedResource: string;
  readonly agentName: string;
  /** The CRD spec after version selection: the type on the service cluster. */
  readonly crd: CrdSpec;
  /**
   * The same spec after the PublishedResource's projection (projectCrd): the
   * type in kcp. Unset means no projection, so kcp serves the local type.
   */
  readonly projected?: CrdSpec | undefined;
  readonly naming?: { name?: string | undefined; namespace?: string | undefined } | undefined;
  readonly resourceFilter: readonly Requirement[];
  readonly namespaceFilter?: readonly Requirement[] | undefined;
  readonly enableWorkspacePaths?: boolean | undefined;
  readonly mutation?: unknown;
  readonly related?: unknown;
}

/**
 * The sync target of a PublishedResource. Both sides use their own storage
 * version: the local type comes from the selected CRD spec, the remote type
 * from the projected one (group, version names, plural, kind and scope may
 * differ; without a projection both sides are the same type).
 */
export function syncTargetFor(input: SyncTargetInput): SyncTarget {
  return {
    publishedResource: input.publishedResource,
    agentName: input.agentName,
    remote: typeRefOf(input.projected ?? input.crd),
    local: typeRefOf(input.crd),
    naming: { name: input.naming?.name, namespace: input.naming?.namespace },
    resourceFilter: input.resourceFilter,
    ...(input.namespaceFilter === undefined ? {} : { namespaceFilter: input.namespaceFilter }),
    enableWorkspacePaths: input.enableWorkspacePaths ?? false,
    ...(input.mutation === undefined ? {} : { mutation: input.mutation }),
    ...(input.related === undefined || (Array.isArray(input.related) && input.related.length === 0)
      ? {}
      : { related: input.related }),
  };
}

/** The type a CRD spec describes, at its storage version. */
function typeRefOf(crd: CrdSpec): TypeRef {
  const storage = crd.versions.find((v) => v.storage) ?? crd.versions[0];
  if (storage === undefined) throw new Error('spec.resource: the CRD serves no version');
  return {
    group: crd.group,
    version: storage.name,
    plural: crd.names.plural,
    kind: crd.names.kind,
    namespaced: crd.scope === 'Namespaced',
    hasStatus: storage.subresources?.status !== undefined,
  };
}
