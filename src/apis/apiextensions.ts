/**
 * The parts of apiextensions.k8s.io/v1 CustomResourceDefinition the agent
 * reads. Field names are Kubernetes'; only what we use is typed.
 */
import type { ObjectMeta } from '../kube/object.ts';

export type ResourceScope = 'Namespaced' | 'Cluster';

export interface CrdNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: { status?: Record<string, unknown>; scale?: Record<string, unknown> };
  additionalPrinterColumns?: Record<string, unknown>[];
  selectableFields?: Record<string, unknown>[];
}

export interface CrdSpec {
  group: string;
  names: CrdNames;
  scope: ResourceScope;
  versions: CrdVersion[];
  conversion?: Record<string, unknown>;
  preserveUnknownFields?: boolean;
}

export interface CustomResourceDefinition {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: CrdSpec;
  status?: Record<string, unknown>;
}
