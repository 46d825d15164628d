import { expect } from 'chai';
import type { CrdSpec } from '../../../src/apis/apiextensions.ts';
import type { ResourceProjection } from '../../../src/apis/v1alpha1/published-resource.ts';
import {
  compareVersionPriority,
  projectCrd,
  selectVersions,
  storageVersion,
} from '../../../src/translate/projection.ts';
import { syncTargetFor } from '../../../src/translate/sync-target.ts';

const crd = (): CrdSpec => ({
  group: 'example.com',
  scope: 'Namespaced',
  names: { kind: 'CronTab', plural: 'crontabs' },
  versions: [
    { name: 'v1', served: true, storage: false },
    { name: 'v2', served: true, storage: true },
    { name: 'v3', served: false, storage: false },
  ],
});

describe('selectVersions', function () {
  const cases: {
    name: string;
    sel: { version?: string; versions?: string[] };
    want?: string[];
    storage?: string;
    error?: RegExp;
  }[] = [
    { name: 'keeps every served version by default', sel: {}, want: ['v1', 'v2'], storage: 'v2' },
    { name: 'keeps the named versions', sel: { versions: ['v2'] }, want: ['v2'], storage: 'v2' },
    {
      name: 'makes the last selected version storage when the storage version is dropped',
      sel: { versions: ['v1'] },
      want: ['v1'],
      storage: 'v1',
    },
    { name: 'accepts the deprecated single version', sel: { version: 'v1' }, want: ['v1'], storage: 'v1' },
    { name: 'rejects both forms at once', sel: { version: 'v1', versions: ['v2'] }, error: /mutually exclusive/ },
    { name: 'rejects a version that is not served', sel: { versions: ['v3'] }, error: /"v3" is not served/ },
    { name: 'rejects an unknown version', sel: { versions: ['v9'] }, error: /"v9" does not exist/ },
  ];
  for (const c of cases) {
    it(c.name, function () {
      if (c.error !== undefined) {
        expect(() => selectVersions(crd(), c.sel)).to.throw(c.error);
        return;
      }
      const out = selectVersions(crd(), c.sel);
      expect(out.versions.map((v) => v.name)).to.deep.equal(c.want);
      expect(storageVersion(out)).to.equal(c.storage);
    });
  }
});

const published = (versions: string[] = ['v1']): CrdSpec => ({
  group: 'example.com',
  scope: 'Namespaced',
  names: {
    kind: 'CronTab',
    listKind: 'CronTabList',
    singular: 'crontab',
    plural: 'crontabs',
    shortNames: ['ct'],
    categories: ['all'],
  },
  versions: versions.map((name, i) => ({
    name,
    served: true,
    storage: i === versions.length - 1,
    subresources: { status: {} },
  })),
});

describe('projectCrd', function () {
  interface Case {
    name: string;
    reason: string;
    spec?: CrdSpec;
    projection: ResourceProjection | undefined;
    /** The parts of the result to compare (a partial CrdSpec). */
    want?: (out: CrdSpec) => unknown;
    wantValue?: unknown;
    error?: RegExp;
  }
  const names = (o: CrdSpec): unknown => o.names;
  const versionNames = (o: CrdSpec): unknown => o.versions.map((v) => v.name);
  const cases: Case[] = [
    {
      name: 'no projection',
      reason: 'an unset projection publishes the type as it is',
      projection: undefined,
      want: (o) => o,
      wantValue: published(),
    },
    {
      name: 'empty projection',
      reason: 'unset fields keep the CRD values',
      projection: {},
      want: (o) => o,
      wantValue: published(),
    },
    {
      name: 'group',
      reason: 'the group changes, nothing else',
      projection: { group: 'example.org' },
      want: (o) => [o.group, o.names.plural],
      wantValue: ['example.org', 'crontabs'],
    },
    {
      name: 'core type as it is',
      reason: "a schema in the core group would shadow kcp's own ConfigMaps in every workspace",
      spec: { ...published(), group: '' },
      projection: undefined,
      error: /^spec\.projection\.group: kcp serves the core API group itself/,
    },
    {
      name: 'core type with a group',
      reason: "a group of the provider's own makes a built-in type publishable",
      spec: { ...published(), group: '' },
      projection: { group: 'config.example.net' },
      want: (o) => o.group,
      wantValue: 'config.example.net',
    },
    {
      name: 'into a kcp group',
      reason: "kcp's own groups are refused like the Kubernetes ones it serves",
      projection: { group: 'tenancy.kcp.io' },
      error: /^spec\.projection\.group: kcp serves API group "tenancy\.kcp\.io" itself/,
    },
    {
      name: 'into rbac',
      reason: 'kcp serves RBAC in every workspace',
      projection: { group: 'rbac.authorization.k8s.io' },
      error: /^spec\.projection\.group: kcp serves API group "rbac/,
    },
    {
      name: 'scope',
      reason: 'a namespaced type may be cluster-scoped in kcp',
      projection: { scope: 'Cluster' },
      want: (o) => o.scope,
      wantValue: 'Cluster',
    },
    {
      name: 'kind',
      reason: 'a new kind renames the list kind, singular and plural too',
      projection: { kind: 'Schedule' },
      want: names,
      wantValue: {
        kind: 'Schedule',
        listKind: 'ScheduleList',
        singular: 'schedule',
        plural: 'schedules',
        shortNames: ['ct'],
        categories: ['all'],
      },
    },
    {
      name: 'kind and plural',
      reason: 'an explicit plural wins over the one derived from the kind',
      projection: { kind: 'Policy', plural: 'policies' },
      want: names,
      wantValue: {
        kind: 'Policy',
        listKind: 'PolicyList',
        singular: 'policy',
        plural: 'policies',
        shortNames: ['ct'],
        categories: ['all'],
      },
    },
    {
      name: 'plural only',
      reason: 'the plural can change without the kind',
      projection: { plural: 'tabs' },
      want: (o) => [o.names.kind, o.names.singular, o.names.plural],
      wantValue: ['CronTab', 'crontab', 'tabs'],
    },
    {
      name: 'shortNames unset',
      reason: 'nil keeps the CRD short names',
      projection: { categories: [] },
      want: (o) => o.names.shortNames,
      wantValue: ['ct'],
    },
    {
      name: 'shortNames empty',
      reason: 'an empty list removes all short names',
      projection: { shortNames: [] },
      want: (o) => 'shortNames' in o.names,
      wantValue: false,
    },
    {
      name: 'shortNames set',
      reason: 'a list replaces the short names',
      projection: { shortNames: ['tab', 'tabs'] },
      want: (o) => o.names.shortNames,
      wantValue: ['tab', 'tabs'],
    },
    {
      name: 'categories empty',
      reason: 'an empty list removes all categories',
      projection: { categories: [] },
      want: (o) => 'categories' in o.names,
      wantValue: false,
    },
    {
      name: 'categories set',
      reason: 'a list replaces the categories',
      projection: { categories: ['example'] },
      want: (o) => o.names.categories,
      wantValue: ['example'],
    },
    {
      name: 'versions map',
      reason: 'listed versions are renamed, others keep their names, storage stays',
      spec: published(['v1', 'v2']),
      projection: { versions: { v1: 'v1beta1' } },
      want: (o) => o.versions.map((v) => [v.name, v.storage]),
      wantValue: [
        ['v2', true],
        ['v1beta1', false],
      ],
    },
    {
      name: 'versions re-sorted',
      reason: 'renamed versions are ordered GA > beta > alpha, higher first, others last',
      spec: published(['a', 'b', 'c', 'd', 'e']),
      projection: { versions: { a: 'v1alpha1', b: 'foo', c: 'v2', d: 'v1beta2', e: 'v10' } },
      want: versionNames,
      wantValue: ['v10', 'v2', 'v1beta2', 'v1alpha1', 'foo'],
    },
    {
      name: 'versions swapped',
      reason: 'swapping two names is fine as long as the results stay unique',
      spec: published(['v1', 'v2']),
      projection: { versions: { v1: 'v2', v2: 'v1' } },
      want: (o) => o.versions.map((v) => [v.name, v.storage]),
      wantValue: [
        ['v2', false],
        ['v1', true],
      ],
    },
    {
      name: 'versions not unique',
      reason: 'two versions may not end up with the same name',
      spec: published(['v1', 'v2']),
      projection: { versions: { v1: 'v2' } },
      error: /^spec\.projection\.versions: .*"v2"/,
    },
    {
      name: 'versions unknown source',
      reason: 'only published versions can be renamed',
      projection: { versions: { v9: 'v1' } },
      error: /^spec\.projection\.versions: version "v9" is not published/,
    },
    {
      name: 'versions empty target',
      reason: 'a version needs a name',
      projection: { versions: { v1: '' } },
      error: /^spec\.projection\.versions: .*empty/,
    },
    {
      name: 'deprecated version',
      reason: 'the single published version is renamed',
      projection: { version: 'v1beta1' },
      want: (o) => o.versions.map((v) => [v.name, v.storage]),
      wantValue: [['v1beta1', true]],
    },
    {
      name: 'deprecated version with several versions',
      reason: 'a single name cannot rename several versions',
      spec: published(['v1', 'v2']),
      projection: { version: 'v3' },
      error: /^spec\.projection\.version: /,
    },
    {
      name: 'version and versions',
      reason: 'the deprecated field and its replacement are mutually exclusive',
      projection: { version: 'v2', versions: { v1: 'v3' } },
      error: /^spec\.projection\.version and spec\.projection\.versions are mutually exclusive/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.reason}`, function () {
      const spec = c.spec ?? published();
      const before = structuredClone(spec);
      if (c.error !== undefined) {
        expect(() => projectCrd(spec, c.projection)).to.throw(c.error);
        return;
      }
      const out = projectCrd(spec, c.projection);
      expect(c.want?.(out)).to.deep.equal(c.wantValue);
      expect(spec, 'the input is not changed').to.deep.equal(before);
    });
  }
});

describe('compareVersionPriority', function () {
  it('orders like Kubernetes: GA, beta, alpha (higher first), then other names alphabetically', function () {
    const input = [
      'foo10',
      'v1alpha1',
      'v11alpha2',
      'v12alpha1',
      'v3beta1',
      'v10beta3',
      'v11beta2',
      'v1',
      'v2',
      'v10',
      'foo1',
      'v1beta10',
      'v1beta2',
    ];
    expect([...input].sort(compareVersionPriority)).to.deep.equal([
      'v10',
      'v2',
      'v1',
      'v11beta2',
      'v10beta3',
      'v3beta1',
      'v1beta10',
      'v1beta2',
      'v12alpha1',
      'v11alpha2',
      'v1alpha1',
      'foo1',
      'foo10',
    ]);
  });
});

describe('syncTargetFor with a projection', function () {
  const base = { publishedResource: 'pr', agentName: 'agent', resourceFilter: [] };

  it('takes the remote type from the projected spec and the local type from the selected one', function () {
    const local = published(['v1', 'v2']);
    local.versions[1]!.subresources = {};
    const projected = projectCrd(local, {
      group: 'example.org',
      kind: 'Schedule',
      scope: 'Cluster',
      versions: { v2: 'v3' },
    });
    const target = syncTargetFor({ ...base, crd: local, projected });
    expect(target.local).to.deep.equal({
      group: 'example.com',
      version: 'v2',
      plural: 'crontabs',
      kind: 'CronTab',
      namespaced: true,
      hasStatus: false,
    });
    expect(target.remote).to.deep.equal({
      group: 'example.org',
      version: 'v3',
      plural: 'schedules',
      kind: 'Schedule',
      namespaced: false,
      hasStatus: false,
    });
  });

  it('uses the same type on both sides without a projection', function () {
    const target = syncTargetFor({ ...base, crd: published() });
    expect(target.remote).to.deep.equal(target.local);
    expect(target.remote).to.include({ group: 'example.com', version: 'v1', hasStatus: true });
  });
});
