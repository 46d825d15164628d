import { expect } from 'chai';
import type { KubeObject } from '../../../src/kube/object.ts';
import {
  type RemoteRef,
  addMissingSyncMetadata,
  remoteObjectLabels,
  remoteRefFromLocal,
  stripForState,
  stripMetadataForCopy,
  syncAnnotations,
  syncLabels,
} from '../../../src/translate/sync-metadata.ts';

// SHA-1 hex of 'my-test-thing' and of 'default'.
const NAME_SHA1 = 'c346c8ceb5d104cc783d09b95e8ea7032c190948';
const DEFAULT_SHA1 = '7505d64a54e061b7acd54ccd58b49dc43500b635';

/** A kcp object carrying every kind of metadata noise. */
const noisyRemote = (): KubeObject => ({
  apiVersion: 'kcp.example.com/v1',
  kind: 'CronTab',
  metadata: {
    name: 'my-test-thing',
    generateName: 'my-test-',
    namespace: 'default',
    uid: 'u-1',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2025-01-01T00:00:00Z',
    deletionTimestamp: '2025-01-02T00:00:00Z',
    deletionGracePeriodSeconds: 0,
    selfLink: '/apis/x',
    finalizers: ['syncagent.kcp.io/cleanup'],
    ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u-2' }],
    managedFields: [{ manager: 'kubectl' }],
    labels: {
      app: 'demo',
      'syncagent.kcp.io/agent-name': 'someone-else',
      'syncagent.kcp.io/remote-object-cluster': 'x',
      'syncagent.kcp.io/remote-object-name-hash': 'x',
      'syncagent.kcp.io/remote-object-namespace-hash': 'x',
      'claimed.internal.apis.kcp.io/abc': 'y',
      'syncagent.kcp.io/object-state': 'true',
    },
    annotations: {
      note: 'keep me',
      'kcp.io/cluster': 'c1',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'syncagent.kcp.io/remote-object-name': 'x',
      'syncagent.kcp.io/remote-object-namespace': 'x',
      'syncagent.kcp.io/remote-object-workspace-path': 'x',
      'related-resources.syncagent.kcp.io/creds.0': '{}',
      'syncagent.kcp.io/agent-name': 'someone-else',
    },
  },
  spec: { image: 'ubuntu', tags: ['a'] },
  status: { phase: 'Ready' },
});

describe('sync labels and annotations', function () {
  const cases: {
    name: string;
    remote: RemoteRef;
    path?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[] = [
    {
      name: 'a namespaced origin gets cluster, name hash and namespace hash labels plus the agent label',
      remote: { cluster: 'testcluster', namespace: 'default', name: 'my-test-thing' },
      labels: {
        'syncagent.kcp.io/agent-name': 'textor',
        'syncagent.kcp.io/remote-object-cluster': 'testcluster',
        'syncagent.kcp.io/remote-object-name-hash': NAME_SHA1,
        'syncagent.kcp.io/remote-object-namespace-hash': DEFAULT_SHA1,
      },
      annotations: {
        'syncagent.kcp.io/remote-object-name': 'my-test-thing',
        'syncagent.kcp.io/remote-object-namespace': 'default',
      },
    },
    {
      name: 'a cluster-scoped origin gets no namespace hash label and no namespace annotation',
      remote: { cluster: 'testcluster', name: 'my-test-thing' },
      labels: {
        'syncagent.kcp.io/agent-name': 'textor',
        'syncagent.kcp.io/remote-object-cluster': 'testcluster',
        'syncagent.kcp.io/remote-object-name-hash': NAME_SHA1,
      },
      annotations: { 'syncagent.kcp.io/remote-object-name': 'my-test-thing' },
    },
    {
      name: 'an empty namespace counts as cluster-scoped, and a workspace path is recorded when known',
      remote: { cluster: 'testcluster', namespace: '', name: 'my-test-thing' },
      path: 'root:org:team',
      labels: {
        'syncagent.kcp.io/agent-name': 'textor',
        'syncagent.kcp.io/remote-object-cluster': 'testcluster',
        'syncagent.kcp.io/remote-object-name-hash': NAME_SHA1,
      },
      annotations: {
        'syncagent.kcp.io/remote-object-name': 'my-test-thing',
        'syncagent.kcp.io/remote-object-workspace-path': 'root:org:team',
      },
    },
    {
      name: 'an empty workspace path is not recorded',
      remote: { cluster: 'c', name: 'n' },
      path: '',
      labels: {
        'syncagent.kcp.io/agent-name': 'textor',
        'syncagent.kcp.io/remote-object-cluster': 'c',
        'syncagent.kcp.io/remote-object-name-hash': 'd1854cae891ec7b29161ccaf79a24b00c274bdaa',
      },
      annotations: { 'syncagent.kcp.io/remote-object-name': 'n' },
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(syncLabels('textor', c.remote)).to.deep.equal(c.labels);
      expect(syncAnnotations(c.remote, c.path)).to.deep.equal(c.annotations);
      const lookup = { ...c.labels };
      delete lookup['syncagent.kcp.io/agent-name'];
      expect(remoteObjectLabels(c.remote)).to.deep.equal(lookup);
    });
  }
});

describe('stripMetadataForCopy', function () {
  it('drops server-owned metadata and every kcp or agent bookkeeping label and annotation', function () {
    const remote = noisyRemote();
    const before = structuredClone(remote);
    expect(stripMetadataForCopy(remote)).to.deep.equal({
      apiVersion: 'kcp.example.com/v1',
      kind: 'CronTab',
      metadata: {
        name: 'my-test-thing',
        generateName: 'my-test-',
        namespace: 'default',
        labels: { app: 'demo' },
        annotations: { note: 'keep me' },
      },
      spec: { image: 'ubuntu', tags: ['a'] },
      status: { phase: 'Ready' },
    });
    expect(remote).to.deep.equal(before);
  });

  it('removes label and annotation maps that end up empty', function () {
    const remote: KubeObject = {
      metadata: {
        name: 'a',
        labels: { 'claimed.internal.apis.kcp.io/x': 'y' },
        annotations: { 'kcp.io/cluster': 'c' },
      },
    };
    expect(stripMetadataForCopy(remote)).to.deep.equal({ metadata: { name: 'a' } });
  });

  it('is idempotent', function () {
    const once = stripMetadataForCopy(noisyRemote());
    expect(stripMetadataForCopy(once)).to.deep.equal(once);
  });
});

describe('remoteRefFromLocal', function () {
  const local = (labels: Record<string, string>, annotations: Record<string, string>): KubeObject => ({
    metadata: { name: 'copy', namespace: 'c1', labels, annotations },
  });
  const own = { 'syncagent.kcp.io/agent-name': 'textor', 'syncagent.kcp.io/remote-object-cluster': 'c1' };
  const named = { 'syncagent.kcp.io/remote-object-name': 'my-test-thing' };
  const cases: { name: string; obj: KubeObject; expected: RemoteRef | undefined }[] = [
    {
      name: 'a namespaced copy of ours maps back to cluster, namespace and name',
      obj: local(own, { ...named, 'syncagent.kcp.io/remote-object-namespace': 'default' }),
      expected: { cluster: 'c1', namespace: 'default', name: 'my-test-thing' },
    },
    {
      name: 'a copy of a cluster-scoped origin maps back without a namespace',
      obj: local(own, named),
      expected: { cluster: 'c1', name: 'my-test-thing' },
    },
    {
      name: "another agent's copy is not ours",
      obj: local({ ...own, 'syncagent.kcp.io/agent-name': 'other' }, named),
      expected: undefined,
    },
    {
      name: 'an object without the agent label is not a copy of ours',
      obj: local({ 'syncagent.kcp.io/remote-object-cluster': 'c1' }, named),
      expected: undefined,
    },
    {
      name: 'a copy without the cluster label cannot be mapped back',
      obj: local({ 'syncagent.kcp.io/agent-name': 'textor' }, named),
      expected: undefined,
    },
    {
      name: 'a copy without the name annotation cannot be mapped back',
      obj: local(own, {}),
      expected: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(remoteRefFromLocal(c.obj, 'textor')).to.deep.equal(c.expected);
    });
  }
});

describe('addMissingSyncMetadata', function () {
  const wanted = {
    labels: { 'syncagent.kcp.io/agent-name': 'textor', 'syncagent.kcp.io/remote-object-cluster': 'c1' },
    annotations: { 'syncagent.kcp.io/remote-object-name': 'thing' },
  };
  const desired = (): KubeObject => ({ metadata: { name: 'copy', labels: { app: 'demo' } }, spec: { a: 1 } });
  const cases: { name: string; current: KubeObject; expected: KubeObject }[] = [
    {
      name: 'adds nothing when the destination carries all sync metadata',
      current: { metadata: { name: 'copy', ...wanted } },
      expected: desired(),
    },
    {
      name: 'adds only the labels and annotations that are missing or damaged on the destination',
      current: {
        metadata: {
          name: 'copy',
          labels: { 'syncagent.kcp.io/agent-name': 'textor', 'syncagent.kcp.io/remote-object-cluster': 'wrong' },
        },
      },
      expected: {
        metadata: {
          name: 'copy',
          labels: { app: 'demo', 'syncagent.kcp.io/remote-object-cluster': 'c1' },
          annotations: { 'syncagent.kcp.io/remote-object-name': 'thing' },
        },
        spec: { a: 1 },
      },
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const d = desired();
      expect(addMissingSyncMetadata(d, c.current, wanted)).to.deep.equal(c.expected);
      expect(d).to.deep.equal(desired());
    });
  }
});

describe('stripForState', function () {
  const stateMeta = {
    name: 'my-test-thing',
    generateName: 'my-test-',
    namespace: 'default',
    labels: { app: 'demo' },
    annotations: { note: 'keep me' },
  };
  const cases: { name: string; subresources?: string[]; expected: KubeObject }[] = [
    {
      name: 'keeps spec and the user metadata, and drops status by default',
      expected: {
        apiVersion: 'kcp.example.com/v1',
        kind: 'CronTab',
        metadata: stateMeta,
        spec: { image: 'ubuntu', tags: ['a'] },
      },
    },
    {
      name: 'keeps status when the local CRD has no status subresource',
      subresources: [],
      expected: {
        apiVersion: 'kcp.example.com/v1',
        kind: 'CronTab',
        metadata: stateMeta,
        spec: { image: 'ubuntu', tags: ['a'] },
        status: { phase: 'Ready' },
      },
    },
    {
      name: 'drops every listed subresource',
      subresources: ['status', 'spec'],
      expected: { apiVersion: 'kcp.example.com/v1', kind: 'CronTab', metadata: stateMeta },
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const remote = noisyRemote();
      const state = stripForState(remote, c.subresources);
      expect(state).to.deep.equal(c.expected);
      expect(stripForState(state, c.subresources)).to.deep.equal(state);
      expect(remote).to.deep.equal(noisyRemote());
    });
  }
});
