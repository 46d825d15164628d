import { createHash } from 'node:crypto';
import type { CrdSpec } from '../apis/apiextensions.ts';
import type { APIResourceSchema, SchemaVersion } from '../apis/kcp.ts';

/**
 * Turns a (projected) CRD spec into the APIResourceSchema kcp serves. The name
 * is `v<8 hex of a content hash>.<plural>.<group>`: a change to the schema
 * gives a new name (schemas are immutable in kcp), and reverting a change
 * gives the old name back. The leading `v` keeps names from starting with a
 * digit.
 */
export function crdToAPIResourceSchema(spec: CrdSpec): APIResourceSchema {
  const versions = spec.versions.map(toSchemaVersion);
  const schemaSpec: APIResourceSchema['spec'] = {
    group: spec.group,
    names: spec.names,
    scope: spec.scope,
    versions,
    // kcp has no conversion webhooks for schemas; several versions share one
    // storage shape.
    ...(versions.length > 1 ? { conversion: { strategy: 'None' as const } } : {}),
  };
  return {
    apiVersion: 'apis.kcp.io/v1alpha1',
    kind: 'APIResourceSchema',
    metadata: { name: schemaName(schemaSpec) },
    spec: schemaSpec,
  };
}

/** The content-hash name of a schema spec. */
export function schemaName(spec: APIResourceSchema['spec']): string {
  // The conversion strategy follows from the versions; it is not content.
  const hash = createHash('sha1')
    .update(canonicalJson({ ...spec, conversion: undefined }))
    .digest('hex')
    .slice(0, 8);
  return `v${hash}.${spec.names.plural}.${spec.group === '' ? 'core' : spec.group}`;
}

function toSchemaVersion(v: CrdSpec['versions'][number]): SchemaVersion {
  return {
    name: v.name,
    served: v.served,
    storage: v.storage,
    ...(v.deprecated === true ? { deprecated: true } : {}),
    ...(v.deprecationWarning !== undefined ? { deprecationWarning: v.deprecationWarning } : {}),
    schema: v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    ...(v.subresources !== undefined ? { subresources: v.subresources } : {}),
    ...(v.additionalPrinterColumns !== undefined ? { additionalPrinterColumns: v.additionalPrinterColumns } : {}),
  };
}

/** JSON with object keys sorted, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
