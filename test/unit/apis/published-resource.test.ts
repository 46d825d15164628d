import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import {
  API_VERSION,
  CONDITION_TYPES,
  GROUP,
  isPublishedResource,
  KIND,
  PLURAL,
  type PublishedResource,
  VERSION,
} from '../../../src/apis/v1alpha1/published-resource.ts';

type Schema = Record<string, unknown>;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CRD_PATH = 'crds/syncagent.kcp.io_publishedresources.yaml';

const isRecord = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function record(v: unknown, what: string): Schema {
  if (!isRecord(v)) throw new Error(`${what} is not an object`);
  return v;
}

// An upstream-style manifest that sets every field of the current API at least once.
const FULL_YAML = `
apiVersion: syncagent.kcp.io/v1alpha1
kind: PublishedResource
metadata:
  name: publish-postgres-databases
  labels:
    team: databases
spec:
  resource:
    apiGroup: db.example.corp
    kind: PostgresDatabase
    versions: [v1beta1, v1]
  filter:
    namespace:
      matchLabels:
        databases.example.com/enabled: "true"
    resource:
      matchExpressions:
      - key: example.com/tier
        operator: In
        values: [gold, silver]
      - key: example.com/skip-sync
        operator: DoesNotExist
  naming:
    name: '{{ .Object.metadata.name }}-{{ .ClusterName | sha3short 8 }}'
    namespace: 'tenant-{{ .ClusterName }}'
  enableWorkspacePaths: true
  projection:
    group: databases.example.com
    versions:
      v1beta1: v1alpha1
      v1: v1
    scope: Namespaced
    kind: Database
    plural: databases
    shortNames: [db]
    categories: [databases]
  mutation:
    spec:
    - delete:
        path: spec.internalTuning
    - regex:
        path: spec.storageClass
        pattern: '^(.*)$'
        replacement: 'tenant-$1'
    status:
    - template:
        path: status.endpoint
        template: '{{ .Value.String | replace ".svc.cluster.local" ".db.example.com" }}'
    - cel:
        path: status.ready
        expression: 'value == true && has(other.status)'
  related:
  - identifier: credentials
    origin: service
    group: ""
    version: v1
    resource: secrets
    cleanup: true
    projection:
      group: ""
      version: v1
      resource: secrets
    object:
      reference:
        path: status.credentialsSecret
        regex:
          pattern: '^creds-(.*)$'
          replacement: 'db-$1-credentials'
      namespace:
        template:
          template: '{{ if eq .Side "kcp" }}{{ .Object.metadata.namespace }}{{ else }}tenant-{{ .ClusterName }}{{ end }}'
    mutation:
      spec:
      - delete:
          path: metadata.annotations.internal
    watch:
      byOwner: {}
    syncStatus: true
  - identifier: backuppolicies
    origin: kcp
    group: backups.example.com
    version: v1
    resource: backuppolicies
    identityHash: 5fdf7c7aaf407fd1594566869803f565bb84d22156cef5c445d2ee13ac2cfca6
    projection:
      group: backup.example.corp
      version: v1alpha1
      resource: policies
    object:
      selector:
        matchLabels:
          databases.example.com/owner: '{{ .RemoteObject.metadata.name }}'
        matchExpressions:
        - key: backups.example.com/disabled
          operator: NotIn
          values: ["true"]
        rewrite:
          template:
            template: '{{ .Value }}-{{ .ClusterName }}'
      namespace:
        selector:
          matchLabels:
            backups.example.com/namespace: "true"
          rewrite:
            regex:
              pattern: '^(.*)$'
              replacement: 'backup-$1'
    mutation:
      status:
      - regex:
          path: status.phase
          replacement: Synced
    watch:
      bySelector:
        matchLabels:
          databases.example.com/backups: enabled
        matchExpressions:
        - key: databases.example.com/paused
          operator: DoesNotExist
  - identifier: settings
    origin: kcp
    version: v1
    resource: configmaps
    object:
      template:
        template: '{{ .Object.spec.settingsConfigMap }}'
      namespace:
        reference:
          path: metadata.namespace
          regex:
            pattern: ''
            replacement: settings
  synchronization:
    enabled: true
status:
  resourceSchemaName: v0a1b2c3d.databases.databases.example.com
  observedGeneration: 3
  conditions:
  - type: SchemaReady
    status: "True"
    reason: SchemaCreated
    message: ""
    lastTransitionTime: "2026-08-01T10:00:00Z"
    observedGeneration: 3
`;

// An older manifest using the deprecated fields, which must still be accepted.
const LEGACY_YAML = `
apiVersion: syncagent.kcp.io/v1alpha1
kind: PublishedResource
metadata:
  name: publish-certificates
spec:
  resource:
    apiGroup: cert-manager.io
    version: v1
    kind: Certificate
  naming:
    namespace: $remoteClusterName
    name: $remoteNamespaceHash-$remoteNameHash
  projection:
    version: v1beta1
    categories: []
  related:
  - identifier: tls
    origin: service
    kind: Secret
    object:
      reference:
        path: spec.secretName
  synchronization:
    enabled: false
`;

const MINIMAL: PublishedResource = {
  apiVersion: API_VERSION,
  kind: 'PublishedResource',
  metadata: { name: 'configmaps' },
  spec: { resource: { apiGroup: '', kind: 'ConfigMap' } },
};

const FULL: unknown = parse(FULL_YAML);
const LEGACY: unknown = parse(LEGACY_YAML);

/** A deep copy of the full manifest, changed by `edit`. */
function fullWith(edit: (pr: Schema) => void): unknown {
  const copy = record(structuredClone(FULL), 'manifest');
  edit(copy);
  return copy;
}

async function loadCrd(): Promise<Schema> {
  return record(parse(await readFile(join(ROOT, CRD_PATH), 'utf8')), 'the CRD');
}

function versionOf(crd: Schema): Schema {
  const versions = record(crd['spec'], 'spec')['versions'];
  if (!Array.isArray(versions) || versions.length !== 1) throw new Error('expected exactly one version');
  return record(versions[0], 'the version');
}

function openAPISchema(crd: Schema): Schema {
  return record(record(versionOf(crd)['schema'], 'schema')['openAPIV3Schema'], 'openAPIV3Schema');
}

function properties(s: Schema): Schema {
  return isRecord(s['properties']) ? s['properties'] : {};
}

/** Every schema node with its path (`.spec.related[].object`), root first. */
function nodes(s: Schema, path = ''): [string, Schema][] {
  const out: [string, Schema][] = [[path, s]];
  for (const [key, child] of Object.entries(properties(s))) out.push(...nodes(record(child, key), `${path}.${key}`));
  if (isRecord(s['items'])) out.push(...nodes(s['items'], `${path}[]`));
  if (isRecord(s['additionalProperties'])) out.push(...nodes(s['additionalProperties'], `${path}{}`));
  return out;
}

function schemaAt(root: Schema, path: string): Schema {
  const found = nodes(root).find(([p]) => p === path);
  if (found === undefined) throw new Error(`no schema at ${path}`);
  return found[1];
}

/**
 * Field names relative to the nearest titled schema (`LabelSelector.matchExpressions[].key`),
 * so a type used in several places counts as covered once any of them sets the field.
 */
function fieldNames(s: Schema, owner = KIND, rel = ''): string[] {
  const [o, r] = typeof s['title'] === 'string' ? [s['title'], ''] : [owner, rel];
  const out = r === '' ? [] : [`${o}${r}`];
  for (const [key, child] of Object.entries(properties(s)))
    out.push(...fieldNames(record(child, key), o, `${r}.${key}`));
  if (isRecord(s['items'])) out.push(...fieldNames(s['items'], o, `${r}[]`));
  return out;
}

/** The field names (as fieldNames spells them) a manifest sets. */
function setFields(s: Schema, v: unknown, owner = KIND, rel = ''): string[] {
  const [o, r] = typeof s['title'] === 'string' ? [s['title'], ''] : [owner, rel];
  const out = r === '' ? [] : [`${o}${r}`];
  if (Array.isArray(v) && isRecord(s['items']))
    out.push(...v.flatMap((x) => setFields(record(s['items'], 'items'), x, o, `${r}[]`)));
  if (isRecord(v)) {
    for (const [key, x] of Object.entries(v)) {
      const child = properties(s)[key];
      if (isRecord(child)) out.push(...setFields(child, x, o, `${r}.${key}`));
    }
  }
  return out;
}

function rulesOf(s: Schema): string[] {
  const rules = s['x-kubernetes-validations'];
  return Array.isArray(rules) ? rules.map((r) => String(record(r, 'rule')['rule'])) : [];
}

/** Fields and object list items are documented; metadata, map values and scalar items need not be. */
function needsDescription(path: string, s: Schema): boolean {
  if (path === '.metadata' || path.endsWith('{}')) return false;
  return !path.endsWith('[]') || s['type'] === 'object';
}

/** What keeps a schema node from being structural (or from being documented), if anything. */
function structuralProblems(path: string, s: Schema): string[] {
  const required = Array.isArray(s['required']) ? s['required'].map(String) : [];
  const enumValues: unknown[] = Array.isArray(s['enum']) ? s['enum'] : [];
  return [
    typeof s['type'] === 'string' ? '' : 'no type',
    !needsDescription(path, s) || typeof s['description'] === 'string' ? '' : 'no description',
    s['type'] !== 'array' || isRecord(s['items']) ? '' : 'an array without items',
    'x-kubernetes-preserve-unknown-fields' in s ? 'keeps unknown fields' : '',
    ...required.filter((r) => !(r in properties(s))).map((r) => `requires undeclared ${r}`),
    enumValues.every((e) => typeof e === s['type']) ? '' : 'enum values of the wrong type',
  ]
    .filter((p) => p !== '')
    .map((p) => `${path}: ${p}`);
}

// --- a small validator for the subset of structural schemas this CRD uses ---

/**
 * The CEL rules here only use has(), field access, string literals, !, &&, ||,
 * ==, != and ?:, which mean the same in JavaScript once has(self.x) becomes a
 * definedness check. Anything else fails loudly so the translation stays honest.
 */
function celToJs(rule: string): (self: Schema) => boolean {
  const js = rule.replace(/([!=])=/g, '$1==').replace(/has\(self\.(\w+)\)/g, '(self.$1 !== undefined)');
  if (!/^[\s\w.()!&|?:="']*$/.test(js) || /\b(?!self\b|undefined\b)[a-z]\w*\(/.test(js)) {
    throw new Error(`rule uses CEL this test cannot evaluate: ${rule}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the rule text comes from our own CRD and is checked above
  const fn = new Function('self', `return (${js});`) as (self: Schema) => unknown;
  return (self) => fn(self) === true;
}

function typeError(s: Schema, v: unknown, path: string): string | undefined {
  const ok: Record<string, (x: unknown) => boolean> = {
    object: isRecord,
    array: Array.isArray,
    string: (x) => typeof x === 'string',
    boolean: (x) => typeof x === 'boolean',
    integer: (x) => Number.isInteger(x),
  };
  const type = String(s['type']);
  const check = ok[type];
  if (check === undefined) return `${path}: the test does not know type ${type}`;
  return check(v) ? undefined : `${path}: expected ${type}`;
}

function objectErrors(s: Schema, v: Schema, path: string): string[] {
  const props = properties(s);
  const errors: string[] = [];
  const required = Array.isArray(s['required']) ? s['required'].map(String) : [];
  for (const key of required) if (v[key] === undefined) errors.push(`${path}.${key}: required`);
  for (const [key, value] of Object.entries(v)) {
    if (path === '' && key === 'metadata') continue; // ObjectMeta is validated by the API server itself
    const child = props[key] ?? s['additionalProperties'];
    if (isRecord(child)) errors.push(...validate(child, value, `${path}.${key}`));
    else errors.push(`${path}.${key}: unknown field`);
  }
  return errors;
}

function validate(s: Schema, v: unknown, path = ''): string[] {
  const typeErr = typeError(s, v, path);
  if (typeErr !== undefined) return [typeErr];
  const errors: string[] = [];
  if (Array.isArray(s['enum']) && !s['enum'].includes(v))
    errors.push(`${path}: ${String(v)} is not one of ${s['enum'].join(', ')}`);
  if (Array.isArray(v))
    errors.push(...v.flatMap((x, i) => validate(record(s['items'], `${path} items`), x, `${path}[${i}]`)));
  if (isRecord(v)) errors.push(...objectErrors(s, v, path));
  const rules = Array.isArray(s['x-kubernetes-validations'])
    ? s['x-kubernetes-validations'].map((r) => record(r, 'rule'))
    : [];
  if (errors.length === 0 && isRecord(v)) {
    for (const r of rules) if (!celToJs(String(r['rule']))(v)) errors.push(`${path}: ${String(r['message'])}`);
  }
  return errors;
}

describe('PublishedResource API', function () {
  let crd: Schema;
  let root: Schema;
  before(async function () {
    crd = await loadCrd();
    root = openAPISchema(crd);
  });

  describe('type guard', function () {
    const cases: { name: string; reason: string; input: unknown; want: boolean }[] = [
      { name: 'full manifest', reason: 'every field of the API is set', input: FULL, want: true },
      { name: 'legacy manifest', reason: 'deprecated fields are still part of the API', input: LEGACY, want: true },
      { name: 'minimal object', reason: 'only resource is required in spec', input: MINIMAL, want: true },
      {
        name: 'no apiVersion or kind',
        reason: 'list items may come without them',
        input: { metadata: { name: 'x' }, spec: { resource: { apiGroup: '', kind: 'Secret' } } },
        want: true,
      },
      { name: 'not an object', reason: 'guards take anything', input: 'PublishedResource', want: false },
      {
        name: 'no metadata',
        reason: 'every stored object has metadata',
        input: { spec: { resource: { apiGroup: '', kind: 'Secret' } } },
        want: false,
      },
      {
        name: 'other version',
        reason: 'only v1alpha1 has this shape',
        input: fullWith((pr) => {
          pr['apiVersion'] = 'syncagent.kcp.io/v1beta1';
        }),
        want: false,
      },
      {
        name: 'other kind',
        reason: 'a different type',
        input: fullWith((pr) => {
          pr['kind'] = 'APIExport';
        }),
        want: false,
      },
      {
        name: 'no spec',
        reason: 'spec is required',
        input: fullWith((pr) => {
          delete pr['spec'];
        }),
        want: false,
      },
      {
        name: 'no resource kind',
        reason: 'resource.kind is required',
        input: fullWith((pr) => {
          delete record(record(pr['spec'], 'spec')['resource'], 'resource')['kind'];
        }),
        want: false,
      },
      {
        name: 'related is not a list',
        reason: 'related is an array',
        input: fullWith((pr) => {
          record(pr['spec'], 'spec')['related'] = {};
        }),
        want: false,
      },
      {
        name: 'unknown origin',
        reason: 'origin is service or kcp',
        input: fullWith((pr) => {
          record(pr['spec'], 'spec')['related'] = [{ identifier: 'a', origin: 'cluster', object: {} }];
        }),
        want: false,
      },
      {
        name: 'synchronization without enabled',
        reason: 'enabled is required in the block',
        input: fullWith((pr) => {
          record(pr['spec'], 'spec')['synchronization'] = {};
        }),
        want: false,
      },
      {
        name: 'status is a string',
        reason: 'status is an object',
        input: fullWith((pr) => {
          pr['status'] = 'ok';
        }),
        want: false,
      },
    ];
    for (const c of cases) {
      it(`${c.name}: ${String(c.want)} (${c.reason})`, function () {
        expect(isPublishedResource(c.input)).to.equal(c.want);
      });
    }

    // Each getter compiles only if the generated types have the field with that shape.
    const fields: { name: string; get: (pr: PublishedResource) => unknown; want: unknown }[] = [
      { name: 'watch.byOwner', get: (pr) => pr.spec.related?.[0]?.watch?.byOwner, want: {} },
      {
        name: 'object.selector.rewrite.template',
        get: (pr) => pr.spec.related?.[1]?.object.selector?.rewrite.template?.template,
        want: '{{ .Value }}-{{ .ClusterName }}',
      },
      {
        name: 'namespace.selector.rewrite.regex',
        get: (pr) => pr.spec.related?.[1]?.object.namespace?.selector?.rewrite.regex?.replacement,
        want: 'backup-$1',
      },
      {
        name: 'namespace.reference.regex',
        get: (pr) => pr.spec.related?.[2]?.object.namespace?.reference?.regex?.pattern,
        want: '',
      },
      { name: 'projection.versions', get: (pr) => pr.spec.projection?.versions?.['v1beta1'], want: 'v1alpha1' },
      { name: 'projection.categories', get: (pr) => pr.spec.projection?.categories, want: ['databases'] },
      {
        name: 'mutation.status[].cel',
        get: (pr) => pr.spec.mutation?.status?.[1]?.cel?.expression,
        want: 'value == true && has(other.status)',
      },
      { name: 'status.conditions[].status', get: (pr) => pr.status?.conditions?.[0]?.status, want: 'True' },
    ];
    for (const f of fields) {
      it(`reads ${f.name} of a narrowed object with its generated type`, function () {
        if (!isPublishedResource(FULL)) throw new Error('the full manifest should be a PublishedResource');
        expect(f.get(FULL)).to.deep.equal(f.want);
      });
    }

    it('names the API consistently with the CRD', function () {
      const spec = record(crd['spec'], 'spec');
      const names = record(spec['names'], 'names');
      expect([GROUP, VERSION, KIND, PLURAL]).to.deep.equal([
        spec['group'],
        versionOf(crd)['name'],
        names['kind'],
        names['plural'],
      ]);
      expect(API_VERSION).to.equal(`${GROUP}/${VERSION}`);
    });
  });

  describe('CRD schema', function () {
    it('accepts the upstream-style manifests', function () {
      expect(validate(root, FULL)).to.deep.equal([]);
      expect(validate(root, LEGACY)).to.deep.equal([]);
      expect(validate(root, MINIMAL)).to.deep.equal([]);
    });

    it('has every field set by at least one of the test manifests', function () {
      const covered = new Set([...setFields(root, FULL), ...setFields(root, LEGACY)]);
      const fields = [...new Set(fieldNames(root))].filter((f) => f !== `${KIND}.metadata`);
      expect(fields.filter((f) => !covered.has(f))).to.deep.equal([]);
    });

    it('is structural: every node has a type, a description and only required fields it declares', function () {
      const problems = nodes(root).flatMap(([path, s]) => structuralProblems(path, s));
      expect(problems).to.deep.equal([]);
    });

    const required: { path: string; fields: string[] }[] = [
      { path: '', fields: ['spec'] },
      { path: '.spec', fields: ['resource'] },
      { path: '.spec.resource', fields: ['apiGroup', 'kind'] },
      { path: '.spec.synchronization', fields: ['enabled'] },
      { path: '.spec.mutation.spec[].delete', fields: ['path'] },
      { path: '.spec.mutation.spec[].regex', fields: ['path'] },
      { path: '.spec.mutation.spec[].template', fields: ['path', 'template'] },
      { path: '.spec.mutation.spec[].cel', fields: ['path', 'expression'] },
      { path: '.spec.related[]', fields: ['identifier', 'origin', 'object'] },
      { path: '.spec.related[].object.reference', fields: ['path'] },
      { path: '.spec.related[].object.selector', fields: ['rewrite'] },
      { path: '.spec.related[].object.selector.matchExpressions[]', fields: ['key', 'operator'] },
      { path: '.status.conditions[]', fields: ['type', 'status', 'reason', 'message', 'lastTransitionTime'] },
    ];
    for (const c of required) {
      it(`requires ${c.fields.join(', ')} in ${c.path || 'the root'}`, function () {
        expect(schemaAt(root, c.path)['required']).to.deep.equal(c.fields);
      });
    }

    const enums: { path: string; values: string[] }[] = [
      { path: '.spec.projection.scope', values: ['Cluster', 'Namespaced'] },
      { path: '.spec.related[].origin', values: ['service', 'kcp'] },
      { path: '.spec.related[].kind', values: ['ConfigMap', 'Secret'] },
      { path: '.status.conditions[].status', values: ['True', 'False', 'Unknown'] },
    ];
    for (const c of enums) {
      it(`limits ${c.path} to ${c.values.join(', ')}`, function () {
        expect(schemaAt(root, c.path)['enum']).to.deep.equal(c.values);
      });
    }

    it('is a cluster-scoped v1alpha1 API with a status subresource and conditions keyed by type', function () {
      const spec = record(crd['spec'], 'spec');
      const version = versionOf(crd);
      expect(record(crd['metadata'], 'metadata')['name']).to.equal(`${PLURAL}.${GROUP}`);
      expect(spec['scope']).to.equal('Cluster');
      expect(record(spec['names'], 'names')).to.deep.equal({
        kind: KIND,
        listKind: 'PublishedResourceList',
        plural: PLURAL,
        singular: 'publishedresource',
      });
      expect([version['name'], version['served'], version['storage']]).to.deep.equal([VERSION, true, true]);
      expect(version['subresources']).to.deep.equal({ status: {} });
      const conditions = schemaAt(root, '.status.conditions');
      expect([conditions['x-kubernetes-list-type'], conditions['x-kubernetes-list-map-keys']]).to.deep.equal([
        'map',
        ['type'],
      ]);
    });

    it('shows the source kind, schema, the three conditions and age as columns', function () {
      const columns = versionOf(crd)['additionalPrinterColumns'];
      if (!Array.isArray(columns)) throw new Error('no printer columns');
      const paths = columns.map((c) => String(record(c, 'column')['jsonPath']));
      const conditionPath = (t: string): string => `.status.conditions[?(@.type=="${t}")].status`;
      expect(paths).to.deep.equal([
        '.spec.resource.kind',
        '.status.resourceSchemaName',
        ...Object.values(CONDITION_TYPES).map(conditionPath),
        '.metadata.creationTimestamp',
      ]);
      for (const p of paths.slice(0, 2)) expect(() => schemaAt(root, p)).to.not.throw();
    });

    it('only refers to declared fields in its validation rules', function () {
      const problems = nodes(root).flatMap(([path, s]) =>
        rulesOf(s).flatMap((rule) =>
          [...rule.matchAll(/self\.(\w+)/g)]
            .map(([, field]) => String(field))
            .filter((field) => !(field in properties(s)))
            .map((field) => `${path}: ${rule} uses ${field}`),
        ),
      );
      expect(problems).to.deep.equal([]);
    });

    describe('validation of related resources', function () {
      const object = { template: { template: '{{ .Object.spec.secretName }}' } };
      const cases: { name: string; related: Schema; error?: RegExp }[] = [
        { name: 'legacy kind alone', related: { kind: 'Secret' } },
        { name: 'a kind that is neither ConfigMap nor Secret', related: { kind: 'Pod' }, error: /not one of/ },
        {
          name: 'neither kind nor resource',
          related: {},
          error: /either with version and resource or with the deprecated kind/,
        },
        {
          name: 'kind and resource',
          related: { kind: 'Secret', version: 'v1', resource: 'secrets' },
          error: /not with both or neither/,
        },
        {
          name: 'kind and group',
          related: { kind: 'Secret', group: 'example.com' },
          error: /group needs version and resource/,
        },
        {
          name: 'kind and identityHash',
          related: { kind: 'Secret', identityHash: 'abc' },
          error: /identityHash needs group, version and resource/,
        },
        { name: 'core/v1 resource', related: { version: 'v1', resource: 'secrets' } },
        {
          name: 'resource without version',
          related: { resource: 'secrets' },
          error: /version and resource go together/,
        },
        { name: 'version without resource', related: { version: 'v1' }, error: /version and resource go together/ },
        {
          name: 'any group, version and resource',
          related: { group: 'example.com', version: 'v1', resource: 'widgets' },
        },
        {
          name: 'group without resource and version',
          related: { group: 'example.com' },
          error: /group needs version and resource/,
        },
        {
          name: 'identityHash with the full resource',
          related: { group: 'example.com', version: 'v1', resource: 'widgets', identityHash: 'abc' },
        },
        {
          name: 'identityHash without group',
          related: { version: 'v1', resource: 'widgets', identityHash: 'abc' },
          error: /identityHash needs/,
        },
        {
          name: 'status sync from the service cluster without watch',
          related: { version: 'v1', resource: 'secrets', syncStatus: true },
          error: /needs watch/,
        },
        {
          name: 'status sync from the service cluster with watch',
          related: { version: 'v1', resource: 'secrets', syncStatus: true, watch: { byOwner: {} } },
        },
        {
          name: 'status sync from kcp without watch',
          related: { origin: 'kcp', version: 'v1', resource: 'secrets', syncStatus: true },
        },
        {
          name: 'watch with both byOwner and bySelector',
          related: { version: 'v1', resource: 'secrets', watch: { byOwner: {}, bySelector: {} } },
          error: /exactly one of byOwner and bySelector/,
        },
        {
          name: 'watch with neither',
          related: { version: 'v1', resource: 'secrets', watch: {} },
          error: /exactly one of byOwner and bySelector/,
        },
        {
          name: 'an unknown origin',
          related: { origin: 'cluster', version: 'v1', resource: 'secrets' },
          error: /not one of/,
        },
      ];
      for (const c of cases) {
        it(`${c.error === undefined ? 'accepts' : 'rejects'} ${c.name}`, function () {
          const related = { identifier: 'example', origin: 'service', object, ...c.related };
          const errors = validate(root, { ...MINIMAL, spec: { ...MINIMAL.spec, related: [related] } });
          if (c.error === undefined) expect(errors).to.deep.equal([]);
          else expect(errors.join('\n')).to.match(c.error);
        });
      }
    });
  });

  describe('code generation', function () {
    it('is up to date with the CRD', async function () {
      this.timeout(60_000);
      const dir = await mkdtemp(join(tmpdir(), 'codegen-'));
      try {
        const { stdout } = await promisify(execFile)(process.execPath, [
          join(ROOT, 'hack/codegen.ts'),
          '--out-dir',
          dir,
        ]);
        const files = stdout.split('\n').filter((l) => l !== '');
        expect(files).to.include.members([
          'src/apis/v1alpha1/zz_generated.types.ts',
          'charts/api-syncagent/templates/crd-publishedresources.yaml',
        ]);
        for (const file of files) {
          const [want, got] = await Promise.all([
            readFile(join(dir, file), 'utf8'),
            readFile(join(ROOT, file), 'utf8'),
          ]);
          expect(got, `${file} is stale; run make codegen`).to.equal(want);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
