/**
 * The kcp API objects the agent reads and writes (apis.kcp.io, core.kcp.io,
 * tenancy.kcp.io), as served by kcp v0.32. Only the fields we use are typed.
 */
import type { ObjectMeta } from '../kube/object.ts';
import type { CrdNames, ResourceScope } from './apiextensions.ts';

export const APIS_GROUP = 'apis.kcp.io';
/** The annotation kcp puts on every object served through a wildcard request. */
export const CLUSTER_ANNOTATION = 'kcp.io/cluster';
/** The annotation on LogicalCluster `cluster` that holds the workspace path. */
export const PATH_ANNOTATION = 'kcp.io/path';

export interface SchemaVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema: Record<string, unknown>;
  subresources?: Record<string, unknown>;
  additionalPrinterColumns?: Record<string, unknown>[];
}

/** apis.kcp.io/v1alpha1 APIResourceSchema (immutable once created). */
export interface APIResourceSchema {
  apiVersion: 'apis.kcp.io/v1alpha1';
  kind: 'APIResourceSchema';
  metadata: ObjectMeta;
  spec: {
    group: string;
    names: CrdNames;
    scope: ResourceScope;
    versions: SchemaVersion[];
    conversion?: { strategy: 'None' | 'Webhook' };
  };
}

/** One claim of apis.kcp.io/v1alpha2 APIExport.spec.permissionClaims. */
export interface PermissionClaim {
  group: string;
  resource: string;
  verbs: string[];
  identityHash?: string;
}

export interface ExportResource {
  name: string;
  group: string;
  schema: string;
  storage: { crd: Record<string, never> };
}

/** apis.kcp.io/v1alpha2 APIExport. */
export interface APIExport {
  apiVersion: 'apis.kcp.io/v1alpha2';
  kind: 'APIExport';
  metadata: ObjectMeta;
  spec: {
    resources?: ExportResource[];
    permissionClaims?: PermissionClaim[];
  };
  status?: { identityHash?: string; conditions?: Condition[] };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}
