/**
 * Builds a CRD spec for a type that no CustomResourceDefinition serves (a
 * built-in type such as ConfigMap, or an aggregated API) from the server's
 * OpenAPI v3 document, so that it can be published like any CRD.
 *
 * The OpenAPI of built-in types is not a valid CRD schema as it is: it uses
 * `$ref`s, types with custom JSON encodings and extensions that CRD schemas
 * do not know. The result here is a structural schema: references are
 * inlined, well-known types are replaced by their CRD equivalents, unknown
 * keywords are dropped, and list/map extensions are kept only where a CRD
 * schema allows them.
 *
 * Groups that Kubernetes protects (`k8s.io`, `kubernetes.io` and their
 * subdomains, see `isProtectedGroup`) need the `api-approved.kubernetes.io`
 * annotation on a CRD; this module only builds the spec, so whoever creates
 * the object adds that annotation when it is needed.
 */
import type { CrdSpec, CrdVersion } from '../apis/apiextensions.ts';
import { isRecord } from '../kube/object.ts';

/** A JSON schema node, as it appears in OpenAPI documents and CRD schemas. */
export type Schema = Record<string, unknown>;

/** What is known about the type from discovery, plus its OpenAPI v3 document. */
export interface OpenAPIResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular?: string | undefined;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[] | undefined;
  readonly categories?: readonly string[] | undefined;
  readonly subresources: { readonly status: boolean; readonly scale: boolean };
  /** The JSON of `/openapi/v3/api/v1` or `/openapi/v3/apis/<group>/<version>`. */
  readonly openapi: unknown;
}

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const INT_OR_STRING = 'x-kubernetes-int-or-string';
const LIST_TYPE = 'x-kubernetes-list-type';
const LIST_MAP_KEYS = 'x-kubernetes-list-map-keys';
const MAP_TYPE = 'x-kubernetes-map-type';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Keywords copied as they are; everything else is dropped or rebuilt. */
const PLAIN_KEYWORDS = [
  'description',
  'type',
  'format',
  'title',
  'nullable',
  'enum',
  'pattern',
  'required',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  LIST_TYPE,
  LIST_MAP_KEYS,
  MAP_TYPE,
  INT_OR_STRING,
  PRESERVE,
] as const;

const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

/**
 * Types whose JSON form differs from their Go structure, by schema name.
 * ObjectMeta below the root (e.g. in a pod template) keeps whatever it gets:
 * a CRD schema that listed no fields there would prune labels and the like.
 */
const WELL_KNOWN: Record<string, () => Schema> = {
  [OBJECT_META]: () => ({ type: 'object', [PRESERVE]: true }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': () => ({ type: 'string', format: 'date-time' }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': () => ({ type: 'string', format: 'date-time' }),
  'io.k8s.apimachinery.pkg.api.resource.Quantity': () => ({ [INT_OR_STRING]: true }),
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': () => ({ [INT_OR_STRING]: true }),
  'io.k8s.apimachinery.pkg.runtime.RawExtension': () => ({ type: 'object', [PRESERVE]: true }),
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': () => ({ [PRESERVE]: true }),
};

/**
 * The CRD spec (one served storage version) of a type described by an
 * OpenAPI v3 document. Pure. Throws when the document has no schema for the
 * group, version and kind.
 */
export function crdSpecFromOpenAPI(input: OpenAPIResource): CrdSpec {
  const schemas = componentSchemas(input.openapi);
  const [name, root] = findSchemaForKind(schemas, input);
  const schema = convertNode(root, { schemas, stack: [name] });
  schema['type'] = 'object';
  const properties = isRecord(schema['properties']) ? schema['properties'] : {};
  // The API server allows nothing but `type: object` for the root metadata.
  schema['properties'] = { ...properties, metadata: { type: 'object' } };
  const version: CrdVersion = {
    name: input.version,
    served: true,
    storage: true,
    schema: { openAPIV3Schema: schema },
  };
  const subresources = subresourcesFor(input.subresources, schema);
  if (subresources !== undefined) version.subresources = subresources;
  return {
    group: input.group,
    names: namesFor(input),
    scope: input.namespaced ? 'Namespaced' : 'Cluster',
    versions: [version],
  };
}

/**
 * A CRD spec for a type served in several versions, one input per version
 * (each with its own OpenAPI document). The first input is the storage
 * version (discovery's preferred one) and gives the names and scope; the
 * versions keep the inputs' order. (kcp will not convert between them:
 * crdToAPIResourceSchema gives several versions the conversion None.)
 */
export function crdSpecFromOpenAPIVersions(inputs: readonly OpenAPIResource[]): CrdSpec {
  const [first, ...rest] = inputs;
  if (first === undefined) throw new Error('no version to build a schema from');
  const spec = crdSpecFromOpenAPI(first);
  const others = rest.flatMap((input) => crdSpecFromOpenAPI(input).versions.map((v) => ({ ...v, storage: false })));
  return { ...spec, versions: [...spec.versions, ...others] };
}

/**
 * True for API groups whose CRDs need the `api-approved.kubernetes.io`
 * annotation: `k8s.io`, `kubernetes.io` and their subdomains.
 */
export function isProtectedGroup(group: string): boolean {
  return ['k8s.io', 'kubernetes.io'].some((d) => group === d || group.endsWith(`.${d}`));
}

function namesFor(input: OpenAPIResource): CrdSpec['names'] {
  const singular = input.singular !== undefined && input.singular !== '' ? input.singular : input.kind.toLowerCase();
  return {
    plural: input.plural,
    singular,
    kind: input.kind,
    listKind: `${input.kind}List`,
    ...(input.shortNames !== undefined && input.shortNames.length > 0 ? { shortNames: [...input.shortNames] } : {}),
    ...(input.categories !== undefined && input.categories.length > 0 ? { categories: [...input.categories] } : {}),
  };
}

/**
 * The status subresource as discovery reports it; the scale subresource only
 * when the schema has the replica counts where a CRD's scale looks for them.
 */
function subresourcesFor(sub: OpenAPIResource['subresources'], schema: Schema): CrdVersion['subresources'] {
  const out: NonNullable<CrdVersion['subresources']> = {};
  if (sub.status) out.status = {};
  if (
    sub.scale &&
    typeAt(schema, ['spec', 'replicas']) === 'integer' &&
    typeAt(schema, ['status', 'replicas']) === 'integer'
  ) {
    out.scale = {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      ...(typeAt(schema, ['status', 'selector']) === 'string' ? { labelSelectorPath: '.status.selector' } : {}),
    };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function typeAt(schema: Schema, path: readonly string[]): unknown {
  let node: unknown = schema;
  for (const key of path) {
    const props = isRecord(node) ? node['properties'] : undefined;
    node = isRecord(props) ? props[key] : undefined;
  }
  return isRecord(node) ? node['type'] : undefined;
}

function componentSchemas(doc: unknown): Record<string, unknown> {
  const components = isRecord(doc) ? doc['components'] : undefined;
  const schemas = isRecord(components) ? components['schemas'] : undefined;
  if (!isRecord(schemas)) throw new Error('the OpenAPI document has no components.schemas');
  return schemas;
}

function findSchemaForKind(schemas: Record<string, unknown>, want: OpenAPIResource): [string, Schema] {
  for (const [name, schema] of Object.entries(schemas)) {
    if (isRecord(schema) && hasGVK(schema, want)) return [name, schema];
  }
  const gv = want.group === '' ? want.version : `${want.group}/${want.version}`;
  throw new Error(`the OpenAPI document has no schema for ${gv}, Kind=${want.kind}`);
}

function hasGVK(schema: Schema, want: OpenAPIResource): boolean {
  const gvks = schema['x-kubernetes-group-version-kind'];
  if (!Array.isArray(gvks)) return false;
  return gvks.some(
    (g) => isRecord(g) && (g['group'] ?? '') === want.group && g['version'] === want.version && g['kind'] === want.kind,
  );
}

interface Context {
  readonly schemas: Record<string, unknown>;
  /** The names of the schemas being inlined, outermost first. */
  readonly stack: string[];
}

/** Converts one node (and everything below it) into a structural CRD schema node. */
function convertNode(node: unknown, ctx: Context): Schema {
  if (!isRecord(node)) return { [PRESERVE]: true };
  const refs = refsOf(node);
  let out: Schema = {};
  for (const ref of refs) out = { ...out, ...resolveRef(ref, ctx) };
  for (const key of PLAIN_KEYWORDS) {
    if (node[key] !== undefined) out[key] = structuredClone(node[key]);
  }
  convertChildren(node, out, ctx);
  if (node['default'] !== undefined) out['default'] = structuredClone(node['default']);
  return makeStructural(out);
}

/** `$ref` directly, or wrapped as `allOf: [{$ref}]` (OpenAPI v3 does that to allow siblings). */
function refsOf(node: Schema): string[] {
  const refs: string[] = [];
  if (typeof node['$ref'] === 'string') refs.push(node['$ref']);
  const allOf = Array.isArray(node['allOf']) ? node['allOf'] : [];
  for (const part of allOf) {
    if (isRecord(part) && typeof part['$ref'] === 'string') refs.push(part['$ref']);
  }
  return refs;
}

function resolveRef(ref: string, ctx: Context): Schema {
  const name = ref.slice(ref.lastIndexOf('/') + 1);
  const wellKnown = WELL_KNOWN[name];
  if (wellKnown !== undefined) return wellKnown();
  const target = ctx.schemas[name];
  if (!isRecord(target)) throw new Error(`the OpenAPI document has no schema ${name} (referenced as ${ref})`);
  if (ctx.stack.includes(name)) {
    // A recursive type (such as JSONSchemaProps) cannot be inlined; below
    // the first level anything is kept.
    return { ...(target['type'] === 'object' ? { type: 'object' } : {}), [PRESERVE]: true };
  }
  ctx.stack.push(name);
  try {
    return convertNode(target, ctx);
  } finally {
    ctx.stack.pop();
  }
}

function convertChildren(node: Schema, out: Schema, ctx: Context): void {
  if (isRecord(node['properties'])) {
    const props: Schema = {};
    for (const [name, child] of Object.entries(node['properties'])) props[name] = convertNode(child, ctx);
    out['properties'] = props;
  }
  // Items and map values always exist, so a default there means nothing.
  if (isRecord(node['items'])) out['items'] = withoutDefault(convertNode(node['items'], ctx));
  const additional = node['additionalProperties'];
  if (isRecord(additional)) out['additionalProperties'] = withoutDefault(convertNode(additional, ctx));
  else if (additional === true) out[PRESERVE] = true;
}

function withoutDefault(node: Schema): Schema {
  const { default: _default, ...rest } = node;
  return rest;
}

/**
 * Makes one converted node valid in a structural CRD schema: every node has
 * a type (unless it is int-or-string or keeps unknown fields), no
 * `additionalProperties` beside `properties`, defaults only where they are
 * simple and valid, list and map extensions only where allowed.
 */
function makeStructural(converted: Schema): Schema {
  if (converted['format'] === 'int-or-string' || converted[INT_OR_STRING] === true) {
    const value = converted['default'];
    const keep =
      typeof value === 'string' || Number.isInteger(value)
        ? ['description', 'nullable', 'default']
        : ['description', 'nullable'];
    return pick(converted, keep, { [INT_OR_STRING]: true });
  }
  const node = converted['type'] === undefined ? { ...converted, ...inferredType(converted) } : converted;
  const drop = new Set(invalidKeys(node));
  return Object.fromEntries(Object.entries(node).filter(([k]) => !drop.has(k)));
}

function invalidKeys(node: Schema): string[] {
  const drop = invalidListKeys(node);
  if (node['type'] !== 'object') drop.push('properties', 'additionalProperties', MAP_TYPE);
  if (node['type'] !== 'array') drop.push('items');
  if (node['properties'] !== undefined) drop.push('additionalProperties');
  if (node['default'] !== undefined && !isSimpleDefault(node)) drop.push('default');
  return drop;
}

function pick(node: Schema, keys: readonly string[], base: Schema): Schema {
  const out: Schema = { ...base };
  for (const k of keys) {
    if (node[k] !== undefined) out[k] = node[k];
  }
  return out;
}

function inferredType(node: Schema): Schema {
  if (node['properties'] !== undefined || node['additionalProperties'] !== undefined) return { type: 'object' };
  if (node['items'] !== undefined) return { type: 'array' };
  return { [PRESERVE]: true };
}

/** A scalar default that fits the node's type and enum. Object and list defaults are dropped. */
function isSimpleDefault(node: Schema): boolean {
  const value = node['default'];
  const fitsType: Record<string, boolean> = {
    string: typeof value === 'string',
    integer: Number.isInteger(value),
    number: typeof value === 'number',
    boolean: typeof value === 'boolean',
  };
  if (fitsType[String(node['type'])] !== true) return false;
  return !Array.isArray(node['enum']) || node['enum'].includes(value);
}

/**
 * Keeps `x-kubernetes-list-type` only where a CRD schema accepts it: on
 * arrays; `set` only of scalars; `map` only of objects whose keys are scalar
 * properties that are required or defaulted. Anything else falls back to a
 * plain (atomic) list.
 */
function invalidListKeys(node: Schema): string[] {
  const listType = node[LIST_TYPE];
  const items = isRecord(node['items']) ? node['items'] : undefined;
  const valid =
    node['type'] === 'array' &&
    items !== undefined &&
    (listType === 'atomic' ||
      (listType === 'set' && SCALAR_TYPES.has(String(items['type']))) ||
      (listType === 'map' && hasValidMapKeys(items, node[LIST_MAP_KEYS])));
  if (!valid) return [LIST_TYPE, LIST_MAP_KEYS];
  return listType === 'map' ? [] : [LIST_MAP_KEYS];
}

function hasValidMapKeys(items: Schema, keys: unknown): boolean {
  if (items['type'] !== 'object' || !Array.isArray(keys) || keys.length === 0) return false;
  const props = isRecord(items['properties']) ? items['properties'] : {};
  const required = Array.isArray(items['required']) ? items['required'] : [];
  return keys.every((k) => {
    const prop = typeof k === 'string' ? props[k] : undefined;
    if (!isRecord(prop) || !SCALAR_TYPES.has(String(prop['type']))) return false;
    return required.includes(k) || prop['default'] !== undefined;
  });
}
