import { expect } from 'chai';
import type { RelatedResourceSpec } from '../../../../src/apis/v1alpha1/zz_generated.types.ts';
import type { KubeObject } from '../../../../src/kube/object.ts';
import { relatedClaims } from '../../../../src/translate/related/claims.ts';
import { desiredRelatedCopy, hashedState, relatedPatch } from '../../../../src/translate/related/copy.ts';
import { exclusiveUseRefusal } from '../../../../src/translate/related/ownership.ts';
import { compileRelatedRules } from '../../../../src/translate/related/rule.ts';

const OWNER = 'creds-pr/cluster-a|default|web';
const rule = (extra: Partial<RelatedResourceSpec> = {}): ReturnType<typeof compileRelatedRules>[number] =>
  compileRelatedRules([
    { identifier: 'creds', origin: 'service', kind: 'Secret', object: { template: { template: 'x' } }, ...extra },
  ])[0]!;

/** The operator's Secret on the service cluster, with server metadata and our owner annotation. */
const origin: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'Opaque',
  metadata: {
    name: 'svc-creds',
    namespace: 'cluster-a',
    uid: 'u1',
    resourceVersion: '7',
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels: { app: 'db' },
    annotations: { note: 'keep', 'syncagent.kcp.io/related-owner': OWNER },
    finalizers: ['x'],
  },
  data: { password: 'aHVudGVyMg==' },
};

describe('desiredRelatedCopy', function () {
  it('copies content and user metadata, drops server metadata and our bookkeeping, places it on the destination', function () {
    expect(
      desiredRelatedCopy(rule(), origin, { namespace: 'default', name: 'creds' }, { kind: 'Secret' }),
    ).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'creds', namespace: 'default', labels: { app: 'db' }, annotations: { note: 'keep' } },
      data: { password: 'aHVudGVyMg==' },
    });
  });

  it("uses the projected type and applies the rule's spec mutations; a service-side copy carries its owner", function () {
    const r = rule({
      origin: 'kcp',
      kind: undefined,
      version: 'v1',
      resource: 'configmaps',
      projection: { resource: 'secrets' },
      mutation: { spec: [{ delete: { path: 'metadata.labels' } }] },
    });
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default', labels: { a: 'b' } },
      data: { k: 'dg==' },
      status: { x: 1 },
    };
    expect(
      desiredRelatedCopy(r, cm, { namespace: 'cluster-a', name: 'c' }, { kind: 'Secret', owner: OWNER }),
    ).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'c', namespace: 'cluster-a', annotations: { 'syncagent.kcp.io/related-owner': OWNER } },
      data: { k: 'dg==' },
    });
  });
});

describe('relatedPatch', function () {
  const desired: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'c', namespace: 'd', labels: { a: '1' } },
    data: { p: 'x', q: 'y' },
  };
  const current: KubeObject = {
    ...desired,
    metadata: { ...desired.metadata, uid: 'u', annotations: { theirs: 'z' } },
    data: { p: 'x', q: 'y', extra: 'e' },
  };
  const cases: { name: string; last: unknown; desired: KubeObject; current: KubeObject; expected: unknown }[] = [
    {
      name: 'in sync with a state: nothing to write',
      last: hashedState(desired),
      desired,
      current,
      expected: undefined,
    },
    {
      name: 'without a state and nothing missing: nothing to write (no write loop)',
      last: undefined,
      desired,
      current,
      expected: undefined,
    },
    {
      name: 'without a state: adds what is missing, removes nothing',
      last: undefined,
      desired: { ...desired, data: { p: 'new', q: 'y' } },
      current,
      expected: { data: { p: 'new' } },
    },
    {
      name: "with a state: a key the origin dropped is removed, one it changed is written, the destination's own keys stay",
      last: hashedState(desired),
      desired: { ...desired, data: { p: 'changed' } },
      current,
      expected: { data: { p: 'changed', q: null } },
    },
    {
      name: "with a state: a field edited at the destination but unchanged at the origin is kept (upstream's three-way)",
      last: hashedState(desired),
      desired,
      current: { ...current, data: { p: 'edited', q: 'y' } },
      expected: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(relatedPatch(c.last, c.desired, c.current)).to.deep.equal(c.expected);
    });
  }

  it('the state holds hashes, never the values', function () {
    expect(JSON.stringify(hashedState(desired))).to.not.include('"x"');
  });
});

describe('exclusiveUseRefusal', function () {
  const copy: KubeObject = {
    apiVersion: 'certs.example.com/v1',
    kind: 'Certificate',
    metadata: { name: 'web', namespace: 'shared', uid: 'copy-uid', creationTimestamp: '2026-01-01T00:00:10Z' },
  };
  const obj = (meta: Partial<KubeObject['metadata']>): KubeObject => ({
    metadata: { name: 's', namespace: 'shared', creationTimestamp: '2026-01-01T00:00:20Z', ...meta },
  });
  const cases: { name: string; obj: KubeObject; shared: boolean; refused: RegExp | undefined }[] = [
    { name: 'a new object nobody claimed is free', obj: obj({}), shared: true, refused: undefined },
    {
      name: 'one already claimed by this object is ours',
      obj: obj({ annotations: { 'syncagent.kcp.io/related-owner': OWNER } }),
      shared: true,
      refused: undefined,
    },
    {
      name: 'one claimed by another object is refused',
      obj: obj({ annotations: { 'syncagent.kcp.io/related-owner': 'x/other|default|web' } }),
      shared: false,
      refused: /belongs to another object/,
    },
    {
      name: "one owned by another object of the primary's kind is refused",
      obj: obj({
        ownerReferences: [{ apiVersion: 'certs.example.com/v1', kind: 'Certificate', name: 'other', uid: 'other-uid' }],
      }),
      shared: false,
      refused: /owned by another object/,
    },
    {
      name: 'one owned by this copy is ours even if older',
      obj: obj({
        creationTimestamp: '2026-01-01T00:00:00Z',
        ownerReferences: [{ apiVersion: 'certs.example.com/v1', kind: 'Certificate', name: 'web', uid: 'copy-uid' }],
      }),
      shared: true,
      refused: undefined,
    },
    {
      name: 'one older than the copy in a shared namespace is refused',
      obj: obj({ creationTimestamp: '2026-01-01T00:00:00Z' }),
      shared: true,
      refused: /existed before/,
    },
    {
      name: "one older than the copy in the consumer's own namespace is fine",
      obj: obj({ creationTimestamp: '2026-01-01T00:00:00Z' }),
      shared: false,
      refused: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const got = exclusiveUseRefusal(c.obj, copy, OWNER, c.shared);
      if (c.refused === undefined) expect(got).to.equal(undefined);
      else expect(got).to.match(c.refused);
    });
  }
});

describe('relatedClaims', function () {
  it("claims the kcp-side type of each rule: core types plain, other exports' with their identity hash, nothing kcp cannot serve", function () {
    expect(
      relatedClaims([
        { identifier: 'a', origin: 'service', kind: 'Secret', object: {} },
        {
          identifier: 'b',
          origin: 'service',
          version: 'v1',
          resource: 'configmaps',
          projection: { resource: 'secrets' },
          object: {},
        },
        {
          identifier: 'c',
          origin: 'kcp',
          group: 'backups.example.com',
          version: 'v1',
          resource: 'backups',
          identityHash: 'abc',
          object: {},
        },
        {
          identifier: 'd',
          origin: 'service',
          group: 'backups.example.com',
          version: 'v1',
          resource: 'backups',
          projection: { group: 'mine.example.com' },
          object: {},
        },
        { identifier: 'e', origin: 'kcp', version: 'v1', resource: 'configmaps', object: {} },
      ]),
    ).to.deep.equal([
      { group: '', resource: 'secrets', verbs: ['*'] },
      { group: '', resource: 'secrets', verbs: ['*'] },
      { group: 'backups.example.com', resource: 'backups', verbs: ['*'], identityHash: 'abc' },
      { group: '', resource: 'configmaps', verbs: ['*'] },
    ]);
  });
});

describe('compileRelatedRules', function () {
  const cases: { name: string; spec: Partial<RelatedResourceSpec>; error: RegExp }[] = [
    {
      name: 'kind with a resource',
      spec: { kind: 'Secret', version: 'v1', resource: 'secrets' },
      error: /spec\.related\[0\]\.kind: cannot be combined/,
    },
    {
      name: 'neither kind nor resource',
      spec: { kind: undefined },
      error: /spec\.related\[0\]\.resource: set version and resource/,
    },
    {
      name: 'identityHash without group',
      spec: { kind: undefined, version: 'v1', resource: 'x', identityHash: 'h' },
      error: /identityHash: needs group/,
    },
    { name: 'syncStatus from the service without watch', spec: { syncStatus: true }, error: /syncStatus: needs watch/ },
    {
      name: 'two locators',
      spec: { object: { template: { template: 'a' }, reference: { path: 'a' } } },
      error: /object: set exactly one of reference, template or selector/,
    },
    {
      name: 'a bad regex',
      spec: { object: { reference: { path: 'a', regex: { pattern: '(' } } } },
      error: /object\.reference\.regex\.pattern/,
    },
    {
      name: 'a rewrite with neither',
      spec: { object: { selector: { rewrite: {} } } },
      error: /object\.selector\.rewrite: set exactly one/,
    },
    { name: 'watch with both', spec: { watch: { byOwner: {}, bySelector: {} } }, error: /watch: set exactly one/ },
    {
      name: 'a bad mutation',
      spec: { mutation: { spec: [{ regex: { path: 'a', pattern: '(' } }] } },
      error: /spec\.related\[0\]\.mutation\.spec\[0\]\.regex\.pattern/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}, naming the field`, function () {
      expect(() =>
        compileRelatedRules([
          {
            identifier: 'creds',
            origin: 'service',
            kind: 'Secret',
            object: { template: { template: 'x' } },
            ...c.spec,
          },
        ]),
      ).to.throw(c.error);
    });
  }
  it('accepts identifiers with dashes, dots and underscores, as annotation keys allow', function () {
    expect(
      compileRelatedRules([
        { identifier: 'tls-secret.v1_a', origin: 'service', kind: 'Secret', object: { template: { template: 'x' } } },
      ])[0]?.field,
    ).to.equal('spec.related[0] (tls-secret.v1_a)');
    expect(() =>
      compileRelatedRules([
        { identifier: '-x', origin: 'service', kind: 'Secret', object: { template: { template: 'x' } } },
      ]),
    ).to.throw(/spec\.related\[0\]\.identifier/);
  });

  it('refuses a duplicate identifier', function () {
    const r: RelatedResourceSpec = {
      identifier: 'creds',
      origin: 'service',
      kind: 'Secret',
      object: { template: { template: 'x' } },
    };
    expect(() => compileRelatedRules([r, r])).to.throw(/spec\.related\[1\]\.identifier: "creds" is used twice/);
  });
});
