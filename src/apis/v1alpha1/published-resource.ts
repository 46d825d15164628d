/**
 * The agent's own API, syncagent.kcp.io/v1alpha1 PublishedResource: its
 * coordinates, a type guard for objects read from the API server, and the
 * types generated from crds/syncagent.kcp.io_publishedresources.yaml.
 * Import these names from here, not from the generated file.
 */
import { isKubeObject, isRecord } from '../../kube/object.ts';
import type { PublishedResource, RelatedResourceSpec } from './zz_generated.types.ts';

export type {
  Condition,
  LabelSelector,
  LabelSelectorRequirement,
  PublishedResource,
  PublishedResourceList,
  PublishedResourceSpec,
  PublishedResourceStatus,
  RegularExpression,
  RelatedResourceObject,
  RelatedResourceObjectReference,
  RelatedResourceObjectSelector,
  RelatedResourceObjectSpec,
  RelatedResourceProjection,
  RelatedResourceSelectorRewrite,
  RelatedResourceSpec,
  RelatedResourceWatch,
  ResourceCELMutation,
  ResourceDeleteMutation,
  ResourceFilter,
  ResourceMutation,
  ResourceMutationSpec,
  ResourceNaming,
  ResourceProjection,
  ResourceRegexMutation,
  ResourceTemplateMutation,
  SourceResourceDescriptor,
  SynchronizationSpec,
  TemplateExpression,
} from './zz_generated.types.ts';

export const GROUP = 'syncagent.kcp.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;
export const KIND = 'PublishedResource';
export const LIST_KIND = 'PublishedResourceList';
export const PLURAL = 'publishedresources';
export const SINGULAR = 'publishedresource';

/** A related resource under a shorter name: one entry of `spec.related`. */
export type RelatedResource = RelatedResourceSpec;
/** `service` (copied from the service cluster into kcp) or `kcp` (the other way). */
export type RelatedResourceOrigin = RelatedResourceSpec['origin'];

/**
 * The condition types the agent sets in `status.conditions`; the CRD's printer
 * columns show these three, so renaming one means changing the CRD too.
 */
export const CONDITION_TYPES = {
  schemaReady: 'SchemaReady',
  exportReady: 'ExportReady',
  syncing: 'Syncing',
} as const;

/**
 * Whether `v` is a PublishedResource: apiVersion and kind (when present) are
 * ours, and the fields the schema requires are there with the right basic
 * types. It does not repeat every check of the CRD schema; the API server has
 * already applied those to stored objects. Pure and cheap.
 */
export function isPublishedResource(v: unknown): v is PublishedResource {
  if (!isKubeObject(v)) return false;
  if (v.apiVersion !== undefined && v.apiVersion !== API_VERSION) return false;
  if (v.kind !== undefined && v.kind !== KIND) return false;
  return isSpec(v['spec']) && optional(v['status'], isRecord);
}

const OPTIONAL_BLOCKS = ['filter', 'naming', 'projection', 'mutation'] as const;

function isSpec(spec: unknown): boolean {
  if (!isRecord(spec)) return false;
  const resource = spec['resource'];
  if (!isRecord(resource) || typeof resource['apiGroup'] !== 'string' || typeof resource['kind'] !== 'string')
    return false;
  return (
    OPTIONAL_BLOCKS.every((key) => optional(spec[key], isRecord)) &&
    optional(spec['enableWorkspacePaths'], (x) => typeof x === 'boolean') &&
    optional(spec['related'], (x) => Array.isArray(x) && x.every(isRelated)) &&
    optional(spec['synchronization'], (x) => isRecord(x) && typeof x['enabled'] === 'boolean')
  );
}

function isRelated(v: unknown): boolean {
  return (
    isRecord(v) &&
    typeof v['identifier'] === 'string' &&
    (v['origin'] === 'service' || v['origin'] === 'kcp') &&
    isRecord(v['object'])
  );
}

function optional(v: unknown, check: (x: unknown) => boolean): boolean {
  return v === undefined || check(v);
}
