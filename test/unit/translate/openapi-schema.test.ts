import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrdSpec } from '../../../src/apis/apiextensions.ts';
import {
  type OpenAPIResource,
  type Schema,
  crdSpecFromOpenAPI,
  crdSpecFromOpenAPIVersions,
  isProtectedGroup,
} from '../../../src/translate/openapi-schema.ts';
import { REPO_ROOT } from '../../utils/tools.ts';

// Captured from kube-apiserver v1.36.3 by hack/capture-openapi.ts: the
// schemas reachable from ConfigMap and Service.
const CORE_V1: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/openapi/core-v1.json'), 'utf8'));

const ALLOWED_KEYWORDS = new Set([
  'description',
  'type',
  'format',
  'title',
  'nullable',
  'enum',
  'pattern',
  'required',
  'default',
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
  'properties',
  'items',
  'additionalProperties',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
]);
const SCALARS = new Set(['string', 'integer', 'number', 'boolean']);

/** One rule of a structural schema: a message when the node breaks it. */
type NodeRule = (node: Schema) => string | undefined;

const isIntOrString = (n: Schema): boolean => n['x-kubernetes-int-or-string'] === true;
const NODE_RULES: NodeRule[] = [
  (n) => (isIntOrString(n) && n['type'] !== undefined ? 'int-or-string with a type' : undefined),
  (n) =>
    !isIntOrString(n) && n['type'] === undefined && n['x-kubernetes-preserve-unknown-fields'] !== true
      ? 'no type'
      : undefined,
  (n) =>
    n['properties'] !== undefined && n['additionalProperties'] !== undefined
      ? 'properties and additionalProperties'
      : undefined,
  (n) => (n['items'] !== undefined && n['type'] !== 'array' ? 'items on a non-array' : undefined),
  (n) =>
    (n['properties'] ?? n['additionalProperties']) !== undefined && n['type'] !== 'object'
      ? 'fields on a non-object'
      : undefined,
  (n) => (typeof n['default'] === 'object' ? 'non-scalar default' : undefined),
];

/**
 * The rules of a structural CRD schema this converter must meet, as a list
 * of violations (empty when structural).
 */
function structuralViolations(node: Schema, path = ''): string[] {
  const out = Object.keys(node)
    .filter((k) => !ALLOWED_KEYWORDS.has(k))
    .map((k) => `${path}: keyword ${k} is not allowed`);
  out.push(...NODE_RULES.flatMap((rule) => rule(node) ?? []).map((msg) => `${path}: ${msg}`));
  out.push(...listViolations(node, path));
  const children: [string, unknown][] = [
    ...Object.entries((node['properties'] ?? {}) as Record<string, Schema>).map(([k, v]): [string, unknown] => [
      `.${k}`,
      v,
    ]),
    ['[]', node['items']],
    ['{}', node['additionalProperties']],
  ];
  for (const [suffix, child] of children) {
    if (child !== undefined) out.push(...structuralViolations(child as Schema, `${path}${suffix}`));
  }
  return out;
}

function listViolations(node: Schema, path: string): string[] {
  const listType = node['x-kubernetes-list-type'];
  if (listType === undefined)
    return node['x-kubernetes-list-map-keys'] === undefined ? [] : [`${path}: map keys without list type`];
  const items = node['items'] as Schema | undefined;
  if (node['type'] !== 'array' || items === undefined) return [`${path}: list type on a non-list`];
  if (listType === 'set' && !SCALARS.has(String(items['type']))) return [`${path}: set of non-scalars`];
  if (listType !== 'map') return [];
  const props = (items['properties'] ?? {}) as Record<string, Schema>;
  const required = (items['required'] ?? []) as string[];
  return ((node['x-kubernetes-list-map-keys'] ?? []) as string[])
    .filter((k) => props[k] === undefined || !(required.includes(k) || props[k]['default'] !== undefined))
    .map((k) => `${path}: map key ${k} is neither required nor defaulted`);
}

function withoutDescriptions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDescriptions);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== 'description')
      .map(([k, x]) => [k, withoutDescriptions(x)]),
  );
}

const rootSchema = (spec: CrdSpec): Schema => spec.versions[0]?.schema?.openAPIV3Schema ?? {};
const at = (schema: Schema, ...path: string[]): Schema =>
  path.reduce<Schema>(
    (node, key) =>
      (key === '[]'
        ? node['items']
        : key === '{}'
          ? node['additionalProperties']
          : (node['properties'] as Record<string, Schema>)[key]) as Schema,
    schema,
  );

const core = (kind: string, extra: Partial<OpenAPIResource> = {}): OpenAPIResource => ({
  group: '',
  version: 'v1',
  kind,
  plural: `${kind.toLowerCase()}s`,
  namespaced: true,
  subresources: { status: false, scale: false },
  openapi: CORE_V1,
  ...extra,
});

describe('the structural check used by these tests', function () {
  it('catches what a structural schema must not have', function () {
    const bad: Schema = {
      type: 'object',
      properties: {
        a: { $ref: '#/x' },
        b: { type: 'object', properties: {}, additionalProperties: { type: 'string' } },
        c: { 'x-kubernetes-int-or-string': true, type: 'string' },
        d: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['k'],
          items: { type: 'object', properties: { k: { type: 'string' } } },
        },
        e: { type: 'string', default: {} },
      },
    };
    expect(structuralViolations(bad)).to.deep.equal([
      '.a: keyword $ref is not allowed',
      '.a: no type',
      '.b: properties and additionalProperties',
      '.c: int-or-string with a type',
      '.d: map key k is neither required nor defaulted',
      '.e: non-scalar default',
    ]);
  });
});

describe('crdSpecFromOpenAPI on the kube-apiserver v1.36.3 core/v1 document', function () {
  it('ConfigMap: names, scope, data as a string map, metadata as a bare object, structural', function () {
    const spec = crdSpecFromOpenAPI(core('ConfigMap', { singular: 'configmap', shortNames: ['cm'], categories: [] }));
    expect(spec.group).to.equal('');
    expect(spec.scope).to.equal('Namespaced');
    expect(spec.names).to.deep.equal({
      plural: 'configmaps',
      singular: 'configmap',
      kind: 'ConfigMap',
      listKind: 'ConfigMapList',
      shortNames: ['cm'],
    });
    expect(spec.versions.map((v) => [v.name, v.served, v.storage, v.subresources])).to.deep.equal([
      ['v1', true, true, undefined],
    ]);
    const schema = rootSchema(spec);
    expect(withoutDescriptions(at(schema, 'data'))).to.deep.equal({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(withoutDescriptions(at(schema, 'binaryData'))).to.deep.equal({
      type: 'object',
      additionalProperties: { type: 'string', format: 'byte' },
    });
    expect(at(schema, 'metadata')).to.deep.equal({ type: 'object' });
    expect(withoutDescriptions(at(schema, 'apiVersion'))).to.deep.equal({ type: 'string' });
    expect(withoutDescriptions(at(schema, 'kind'))).to.deep.equal({ type: 'string' });
    expect(at(schema, 'data')['description']).to.match(/^Data contains the configuration data/);
    expect(structuralViolations(schema)).to.deep.equal([]);
  });

  it('Service: status subresource, IntOrString targetPort, Time, list maps with defaulted keys, structural', function () {
    const spec = crdSpecFromOpenAPI(
      core('Service', { shortNames: ['svc'], categories: ['all'], subresources: { status: true, scale: false } }),
    );
    expect(spec.names).to.include({ kind: 'Service', plural: 'services', singular: 'service' });
    expect(spec.names.categories).to.deep.equal(['all']);
    expect(spec.versions[0]?.subresources).to.deep.equal({ status: {} });
    const schema = rootSchema(spec);
    expect(at(schema, 'status')['type']).to.equal('object');
    const ports = at(schema, 'spec', 'ports');
    expect(withoutDescriptions(at(ports, '[]', 'targetPort'))).to.deep.equal({ 'x-kubernetes-int-or-string': true });
    expect(ports).to.include({ 'x-kubernetes-list-type': 'map' });
    expect(ports['x-kubernetes-list-map-keys']).to.deep.equal(['port', 'protocol']);
    expect(at(ports, '[]', 'protocol')).to.include({ type: 'string', default: 'TCP' });
    expect(withoutDescriptions(at(schema, 'status', 'conditions', '[]', 'lastTransitionTime'))).to.deep.equal({
      type: 'string',
      format: 'date-time',
    });
    expect(withoutDescriptions(at(schema, 'spec', 'selector'))).to.deep.equal({
      type: 'object',
      'x-kubernetes-map-type': 'atomic',
      additionalProperties: { type: 'string' },
    });
    expect(structuralViolations(schema)).to.deep.equal([]);
  });

  it('does not change its input', function () {
    const before = JSON.stringify(CORE_V1);
    crdSpecFromOpenAPI(core('Service'));
    expect(JSON.stringify(CORE_V1)).to.equal(before);
  });

  it('fails for a kind the document does not describe', function () {
    expect(() => crdSpecFromOpenAPI(core('Pod'))).to.throw(/no schema for v1, Kind=Pod/);
    expect(() => crdSpecFromOpenAPI(core('ConfigMap', { version: 'v2' }))).to.throw(/no schema for v2, Kind=ConfigMap/);
  });
});

const M = 'io.k8s.apimachinery.pkg';
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const doc = (schemas: Record<string, Schema>): unknown => ({ openapi: '3.0.0', components: { schemas } });
const widget = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { allOf: [ref(`${M}.apis.meta.v1.ObjectMeta`)], default: {} },
    ...properties,
  },
  'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
  ...extra,
});
const widgetInput = (schemas: Record<string, Schema>, extra: Partial<OpenAPIResource> = {}): OpenAPIResource => ({
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: false,
  subresources: { status: false, scale: false },
  openapi: doc(schemas),
  ...extra,
});
const convertWidget = (
  properties: Record<string, Schema>,
  others: Record<string, Schema> = {},
  extra: Partial<OpenAPIResource> = {},
): CrdSpec => crdSpecFromOpenAPI(widgetInput({ 'com.example.Widget': widget(properties), ...others }, extra));

describe('crdSpecFromOpenAPI conversion rules', function () {
  interface Case {
    name: string;
    reason: string;
    properties: Record<string, Schema>;
    others?: Record<string, Schema>;
    /** The converted schema at properties.<field>. */
    field: string;
    want: Schema;
  }
  const cases: Case[] = [
    {
      name: 'plain $ref and allOf wrapper',
      reason: 'both reference forms are inlined; siblings of the wrapper win',
      properties: { a: ref('Spec'), b: { allOf: [ref('Spec')], description: 'mine' } },
      others: { Spec: { type: 'object', description: 'theirs', properties: { x: { type: 'string' } } } },
      field: 'b',
      want: { type: 'object', description: 'mine', properties: { x: { type: 'string' } } },
    },
    {
      name: 'Quantity',
      reason: 'quantities are numbers or strings',
      properties: {
        q: { allOf: [ref(`${M}.api.resource.Quantity`)], default: '1Gi' },
        r: { allOf: [ref(`${M}.api.resource.Quantity`)], default: {} },
      },
      field: 'q',
      want: { 'x-kubernetes-int-or-string': true, default: '1Gi' },
    },
    {
      name: 'IntOrString format',
      reason: 'an inline int-or-string format is mapped as well, and loses its type',
      properties: { p: { type: 'string', format: 'int-or-string', description: 'port' } },
      field: 'p',
      want: { 'x-kubernetes-int-or-string': true, description: 'port' },
    },
    {
      name: 'MicroTime',
      reason: 'times are RFC 3339 strings',
      properties: { t: ref(`${M}.apis.meta.v1.MicroTime`) },
      field: 't',
      want: { type: 'string', format: 'date-time' },
    },
    {
      name: 'RawExtension',
      reason: 'embedded objects keep whatever they get',
      properties: { r: ref(`${M}.runtime.RawExtension`) },
      field: 'r',
      want: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    {
      name: 'nested ObjectMeta',
      reason: 'metadata below the root (a pod template) must not prune labels',
      properties: {
        template: {
          type: 'object',
          properties: { metadata: { allOf: [ref(`${M}.apis.meta.v1.ObjectMeta`)], default: {} } },
        },
      },
      field: 'template',
      want: {
        type: 'object',
        properties: { metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    },
    {
      name: 'cycle',
      reason: 'a recursive type is inlined once, then kept as unknown fields',
      properties: { s: ref('Props') },
      others: {
        Props: {
          type: 'object',
          properties: { name: { type: 'string' }, child: ref('Props'), list: { type: 'array', items: ref('Props') } },
        },
      },
      field: 's',
      want: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          child: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          list: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      },
    },
    {
      name: 'untyped node',
      reason: 'a node without a type or children keeps whatever it gets',
      properties: { any: { description: 'anything' } },
      field: 'any',
      want: { description: 'anything', 'x-kubernetes-preserve-unknown-fields': true },
    },
    {
      name: 'inferred types',
      reason: 'children tell objects and arrays apart when the type is missing',
      properties: {
        o: { properties: { x: { type: 'string' } }, items: { type: 'string' } },
        a: { items: { type: 'string' } },
      },
      field: 'a',
      want: { type: 'array', items: { type: 'string' } },
    },
    {
      name: 'children that do not fit the type',
      reason: 'items belong to arrays, properties to objects',
      properties: {
        o: { properties: { x: { type: 'string' } }, items: { type: 'string' } },
        s: { type: 'string', items: { type: 'string' }, properties: {} },
      },
      field: 'o',
      want: { type: 'object', properties: { x: { type: 'string' } } },
    },
    {
      name: 'properties and additionalProperties',
      reason: 'a structural node has one or the other',
      properties: {
        m: { type: 'object', properties: { x: { type: 'string' } }, additionalProperties: { type: 'string' } },
      },
      field: 'm',
      want: { type: 'object', properties: { x: { type: 'string' } } },
    },
    {
      name: 'additionalProperties true',
      reason: 'an open map keeps unknown fields',
      properties: { m: { type: 'object', additionalProperties: true } },
      field: 'm',
      want: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    {
      name: 'unknown keywords',
      reason: 'keywords a CRD schema does not know are dropped',
      properties: {
        l: {
          type: 'array',
          items: { type: 'string' },
          uniqueItems: true,
          readOnly: true,
          example: ['a'],
          'x-kubernetes-patch-strategy': 'merge',
          'x-kubernetes-patch-merge-key': 'name',
          'x-kubernetes-unions': [],
          oneOf: [{ type: 'string' }],
          minItems: 1,
        },
      },
      field: 'l',
      want: { type: 'array', items: { type: 'string' }, minItems: 1 },
    },
    {
      name: 'defaults',
      reason: 'scalar defaults that fit stay; object defaults, mismatching types and values outside the enum go',
      properties: {
        d: {
          type: 'object',
          properties: {
            s: { type: 'string', default: 'x' },
            n: { type: 'integer', default: 3 },
            wrongType: { type: 'integer', default: 'x' },
            notInEnum: { type: 'string', enum: ['A', 'B'], default: '' },
            obj: { type: 'object', default: {}, properties: { x: { type: 'string' } } },
          },
        },
      },
      field: 'd',
      want: {
        type: 'object',
        properties: {
          s: { type: 'string', default: 'x' },
          n: { type: 'integer', default: 3 },
          wrongType: { type: 'integer' },
          notInEnum: { type: 'string', enum: ['A', 'B'] },
          obj: { type: 'object', properties: { x: { type: 'string' } } },
        },
      },
    },
    {
      name: 'list map with a key that is neither required nor defaulted',
      reason: 'the CRD API would reject it, so the list becomes atomic',
      properties: {
        l: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' } } },
        },
      },
      field: 'l',
      want: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
    },
    {
      name: 'set of objects',
      reason: 'sets must hold scalars',
      properties: { l: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', properties: {} } } },
      field: 'l',
      want: { type: 'array', items: { type: 'object', properties: {} } },
    },
    {
      name: 'set of strings, map type on a map',
      reason: 'valid extensions stay',
      properties: {
        o: {
          type: 'object',
          properties: {
            l: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
            m: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
          },
        },
      },
      field: 'o',
      want: {
        type: 'object',
        properties: {
          l: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          m: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
        },
      },
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.reason}`, function () {
      const schema = rootSchema(convertWidget(c.properties, c.others));
      expect(at(schema, c.field)).to.deep.equal(c.want);
      expect(structuralViolations(schema)).to.deep.equal([]);
    });
  }

  it('makes the root metadata a bare object and the root an object', function () {
    const spec = crdSpecFromOpenAPI(widgetInput({ 'com.example.Widget': { ...widget({}), type: undefined } }));
    expect(rootSchema(spec)).to.include({ type: 'object' });
    expect(at(rootSchema(spec), 'metadata')).to.deep.equal({ type: 'object' });
    expect(spec.scope).to.equal('Cluster');
    expect(spec.names).to.deep.equal({ plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' });
  });

  it('adds the scale subresource when the schema has the replica counts, with the selector when there is one', function () {
    const replicas = { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } };
    const withSelector = convertWidget(
      {
        ...replicas,
        status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } },
      },
      {},
      { subresources: { status: true, scale: true } },
    );
    expect(withSelector.versions[0]?.subresources).to.deep.equal({
      status: {},
      scale: {
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
        labelSelectorPath: '.status.selector',
      },
    });
    const withoutSelector = convertWidget(
      { ...replicas, status: { type: 'object', properties: { replicas: { type: 'integer' } } } },
      {},
      { subresources: { status: false, scale: true } },
    );
    expect(withoutSelector.versions[0]?.subresources).to.deep.equal({
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
    });
    const noReplicas = convertWidget({}, {}, { subresources: { status: false, scale: true } });
    expect(noReplicas.versions[0]?.subresources).to.equal(undefined);
  });

  it('fails for a reference to a schema the document lacks, or a document without schemas', function () {
    expect(() => convertWidget({ x: ref('Missing') })).to.throw(/no schema Missing/);
    expect(() => crdSpecFromOpenAPI({ ...widgetInput({}), openapi: { swagger: '2.0' } })).to.throw(
      /no components\.schemas/,
    );
  });
});

describe('isProtectedGroup', function () {
  const cases: [string, boolean][] = [
    ['k8s.io', true],
    ['networking.k8s.io', true],
    ['kubernetes.io', true],
    ['x.kubernetes.io', true],
    ['', false],
    ['apps', false],
    ['example.com', false],
    ['notk8s.io', false],
  ];
  for (const [group, want] of cases) {
    it(`"${group}" ${want ? 'needs' : 'does not need'} the api-approved annotation`, function () {
      expect(isProtectedGroup(group)).to.equal(want);
    });
  }
});

describe('crdSpecFromOpenAPIVersions (a type served in several versions)', function () {
  const widgetIn = (
    version: string,
    properties: Record<string, Schema>,
    subresources = { status: false, scale: false },
  ): OpenAPIResource => ({
    ...widgetInput({
      'com.example.Widget': {
        ...widget(properties),
        'x-kubernetes-group-version-kind': [{ group: 'example.com', version, kind: 'Widget' }],
      },
    }),
    version,
    subresources,
  });

  it("makes the first (preferred) version the storage version and keeps each version's own schema and subresources", function () {
    const spec = crdSpecFromOpenAPIVersions([
      widgetIn('v2', { size: { type: 'integer' } }, { status: true, scale: false }),
      widgetIn('v1', { legacySize: { type: 'string' } }),
    ]);
    expect(spec.versions.map((v) => [v.name, v.storage, v.served])).to.deep.equal([
      ['v2', true, true],
      ['v1', false, true],
    ]);
    const props = spec.versions.map((v) =>
      Object.keys((v.schema?.openAPIV3Schema as { properties: object }).properties),
    );
    expect(props[0]).to.include('size').and.not.include('legacySize');
    expect(props[1]).to.include('legacySize').and.not.include('size');
    expect(spec.versions.map((v) => v.subresources?.status !== undefined)).to.deep.equal([true, false]);
    expect(spec.names).to.include({ kind: 'Widget', plural: 'widgets' });
  });

  it('is crdSpecFromOpenAPI for one version', function () {
    const only = widgetIn('v1', { size: { type: 'integer' } });
    expect(crdSpecFromOpenAPIVersions([only])).to.deep.equal(crdSpecFromOpenAPI(only));
  });

  it('refuses no version at all', function () {
    expect(() => crdSpecFromOpenAPIVersions([])).to.throw('no version to build a schema from');
  });
});
