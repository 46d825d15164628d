import { expect } from 'chai';
import type { CrdSpec } from '../../../src/apis/apiextensions.ts';
import { CopyLabels, ownersOfRelated } from '../../../src/controllers/sync/related-triggers.ts';
import type { KubeObject, OwnerReference } from '../../../src/kube/object.ts';
import { parseSelector } from '../../../src/translate/label-selector.ts';
import { syncAnnotations, syncLabels } from '../../../src/translate/sync-metadata.ts';
import { localKeyString, syncTargetFor } from '../../../src/translate/sync-target.ts';

const AGENT = 'triggers';
const crd = (scope: CrdSpec['scope']): CrdSpec => ({
  group: 'example.com',
  names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab' },
  scope,
  versions: [{ name: 'v1', served: true, storage: true }],
});
const NAMESPACED = syncTargetFor({
  publishedResource: 'crontabs',
  agentName: AGENT,
  crd: crd('Namespaced'),
  resourceFilter: parseSelector(''),
});
const CLUSTER_SCOPED = syncTargetFor({
  publishedResource: 'crontabs',
  agentName: AGENT,
  crd: crd('Cluster'),
  resourceFilter: parseSelector(''),
});

/** The copy of consumer object `name` of workspace `cluster`, in service namespace `namespace` (none: cluster-scoped). */
function copyOf(
  cluster: string,
  name: string,
  namespace: string | undefined,
  labels: Record<string, string> = {},
): KubeObject {
  const remote = { cluster, namespace: 'default', name };
  return {
    apiVersion: 'example.com/v1',
    kind: 'CronTab',
    metadata: {
      name: `copy-${name}`,
      ...(namespace === undefined ? {} : { namespace }),
      uid: `uid-${cluster}-${name}`,
      labels: { ...labels, ...syncLabels(AGENT, remote) },
      annotations: syncAnnotations(remote),
    },
  };
}

function secret(namespace: string | undefined, owners: OwnerReference[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'credentials', ...(namespace === undefined ? {} : { namespace }), ownerReferences: owners },
  };
}

const ownerRef = (name: string, uid: string, kind = 'CronTab'): OwnerReference => ({
  apiVersion: 'example.com/v1',
  kind,
  name,
  uid,
});

describe('ownersOfRelated (byOwner on the service cluster)', function () {
  const copies = [
    copyOf('ws1', 'a', 'ns1'),
    copyOf('ws2', 'b', 'ns2'),
    { ...copyOf('ws3', 'theirs', 'ns1'), metadata: { ...copyOf('ws3', 'theirs', 'ns1').metadata, labels: {} } },
  ];
  const clusterCopies = [copyOf('ws1', 'a', undefined)];
  const cases: {
    name: string;
    target: typeof NAMESPACED;
    cached: KubeObject[];
    obj: KubeObject;
    expected: string[];
  }[] = [
    {
      name: 'an owner reference to a copy in the same namespace queues its consumer object',
      target: NAMESPACED,
      cached: copies,
      obj: secret('ns1', [ownerRef('copy-a', 'uid-ws1-a')]),
      expected: ['ws1|default|a'],
    },
    {
      name: 'kind and version suffice when the uid is stale (the copy was recreated)',
      target: NAMESPACED,
      cached: copies,
      obj: secret('ns1', [ownerRef('copy-a', 'old-uid')]),
      expected: ['ws1|default|a'],
    },
    {
      name: 'another kind of the same name with another uid is not the copy',
      target: NAMESPACED,
      cached: copies,
      obj: secret('ns1', [ownerRef('copy-a', 'old-uid', 'Deployment')]),
      expected: [],
    },
    {
      name: "a copy of the same name in another namespace is not the owner (owners share the object's namespace)",
      target: NAMESPACED,
      cached: copies,
      obj: secret('ns1', [ownerRef('copy-b', 'old-uid')]),
      expected: [],
    },
    {
      name: 'a copy without our agent label queues nothing',
      target: NAMESPACED,
      cached: copies,
      obj: secret('ns1', [ownerRef('copy-theirs', 'uid-ws3-theirs')]),
      expected: [],
    },
    {
      name: 'several owners queue each of their consumer objects',
      target: NAMESPACED,
      cached: [...copies, copyOf('ws4', 'c', 'ns1')],
      obj: secret('ns1', [ownerRef('copy-a', 'uid-ws1-a'), ownerRef('copy-c', 'uid-ws4-c')]),
      expected: ['ws1|default|a', 'ws4|default|c'],
    },
    {
      name: 'a cluster-scoped copy owns a namespaced object through its uid',
      target: CLUSTER_SCOPED,
      cached: clusterCopies,
      obj: secret('ns1', [ownerRef('copy-a', 'uid-ws1-a')]),
      expected: ['ws1|default|a'],
    },
    {
      name: 'a cluster-scoped copy and a cluster-scoped object match by kind',
      target: CLUSTER_SCOPED,
      cached: clusterCopies,
      obj: secret(undefined, [ownerRef('copy-a', 'old-uid')]),
      expected: ['ws1|default|a'],
    },
    {
      name: 'no owner references, nothing to queue',
      target: NAMESPACED,
      cached: copies,
      obj: secret('ns1', []),
      expected: [],
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const byKey = new Map(c.cached.map((o) => [localKeyString(o.metadata.namespace, o.metadata.name), o]));
      expect(ownersOfRelated(c.obj, c.target, (key) => byKey.get(key))).to.deep.equal(c.expected);
    });
  }
});

describe('CopyLabels (bySelector on the service cluster)', function () {
  type Step = ['set' | 'delete', KubeObject];
  const tier = (t: string): Record<string, string> => ({ tier: t });
  const cases: { name: string; steps: Step[]; selector: string; expected: string[] }[] = [
    {
      name: 'the copies whose labels match are queued by their consumer objects',
      steps: [
        ['set', copyOf('ws1', 'a', 'ns1', tier('gold'))],
        ['set', copyOf('ws2', 'b', 'ns2', tier('silver'))],
      ],
      selector: 'tier=gold',
      expected: ['ws1|default|a'],
    },
    {
      name: "a copy's new labels replace its old ones",
      steps: [
        ['set', copyOf('ws1', 'a', 'ns1', tier('gold'))],
        ['set', copyOf('ws1', 'a', 'ns1', tier('silver'))],
      ],
      selector: 'tier=gold',
      expected: [],
    },
    {
      name: 'a deleted copy is forgotten',
      steps: [
        ['set', copyOf('ws1', 'a', 'ns1', tier('gold'))],
        ['delete', copyOf('ws1', 'a', 'ns1', tier('gold'))],
      ],
      selector: '',
      expected: [],
    },
    {
      name: 'a copy that lost our agent label is forgotten (it is not ours to queue)',
      steps: [
        ['set', copyOf('ws1', 'a', 'ns1', tier('gold'))],
        [
          'set',
          { ...copyOf('ws1', 'a', 'ns1'), metadata: { ...copyOf('ws1', 'a', 'ns1').metadata, labels: tier('gold') } },
        ],
      ],
      selector: 'tier=gold',
      expected: [],
    },
    {
      name: 'an empty selector matches every copy',
      steps: [
        ['set', copyOf('ws1', 'a', 'ns1')],
        ['set', copyOf('ws2', 'b', undefined)],
      ],
      selector: '',
      expected: ['ws1|default|a', 'ws2|default|b'],
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const index = new CopyLabels(AGENT);
      for (const [op, copy] of c.steps) index.changed(copy, op === 'delete');
      expect(index.matching(parseSelector(c.selector))).to.deep.equal(c.expected);
    });
  }
});
