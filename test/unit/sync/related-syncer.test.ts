import { cleanupFinalizerFor } from '../../../src/translate/cleanup-finalizer.ts';
import { expect } from 'chai';
import type { CrdSpec } from '../../../src/apis/apiextensions.ts';
import { CLUSTER_ANNOTATION } from '../../../src/apis/kcp.ts';
import {
  RELATED_OWNER_ANNOTATION,
  RELATED_STATE_ANNOTATION,
  REMOTE_OBJECT_CLUSTER_LABEL,
} from '../../../src/apis/v1alpha1/constants.ts';
import type { PublishedResource } from '../../../src/apis/v1alpha1/published-resource.ts';
import type { RelatedResourceSpec } from '../../../src/apis/v1alpha1/zz_generated.types.ts';
import type { EventRecorder } from '../../../src/kube/events.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import { nopLogger } from '../../../src/log/logger.ts';
import { compileBehaviour } from '../../../src/sync/behaviour.ts';
import type { SyncIO } from '../../../src/sync/io.ts';
import { syncObject } from '../../../src/sync/object-syncer.ts';
import { remoteRefFromLocal } from '../../../src/translate/sync-metadata.ts';
import { parseSelector } from '../../../src/translate/label-selector.ts';
import { type SyncTarget, syncTargetFor } from '../../../src/translate/sync-target.ts';
import { FakeApi, asRestClient } from './fake-api.ts';

const AGENT = 'test-agent';
const CLUSTER = 'c1';
const KEY = `${CLUSTER}|default|my-cron`;
const PRIMARY = '/apis/example.com/v1/namespaces/default/crontabs/my-cron';
const COPY = `/apis/example.com/v1/namespaces/${CLUSTER}/crontabs/my-cron`;
const secretAt = (namespace: string, name: string): string => `/api/v1/namespaces/${namespace}/secrets/${name}`;

const CRD: CrdSpec = {
  group: 'example.com',
  names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab' },
  scope: 'Namespaced',
  versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }],
};

interface World {
  readonly remote: FakeApi;
  readonly local: FakeApi;
  readonly events: { reason: string; message: string }[];
  readonly target: SyncTarget;
  readonly io: SyncIO;
}

function newWorld(related: RelatedResourceSpec[]): World {
  const remote = new FakeApi();
  const local = new FakeApi();
  const events: World['events'] = [];
  const pr: PublishedResource = {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name: 'crontabs' },
    spec: {
      resource: { apiGroup: 'example.com', kind: 'CronTab' },
      naming: { name: '{{ .Object.metadata.name }}' },
      related,
    },
  };
  const target = syncTargetFor({
    publishedResource: 'crontabs',
    agentName: AGENT,
    crd: CRD,
    resourceFilter: parseSelector(''),
    naming: pr.spec.naming,
  });
  const recorder: EventRecorder = {
    record: (_c, _o, e) => {
      events.push({ reason: e.reason, message: e.message });
    },
    flush: () => Promise.resolve(0),
  };
  const io: SyncIO = {
    remoteObject: (key) => (key === KEY ? structuredClone(remote.objects.get(PRIMARY)) : undefined),
    remoteClient: (cluster) => (cluster === CLUSTER ? asRestClient(remote) : undefined),
    localObject: (key) =>
      [...local.objects.values()].find((o) => {
        const ref = remoteRefFromLocal(o, AGENT);
        return ref !== undefined && key === `${ref.cluster}|${ref.namespace ?? ''}|${ref.name}`;
      }),
    local: asRestClient(local),
    wroteRemote: () => undefined,
    wroteLocal: () => undefined,
    ensureNamespace: () => Promise.resolve(),
    forgetNamespace: () => undefined,
    events: recorder,
    logger: nopLogger,
    behaviour: compileBehaviour(pr),
    workspacePath: () => Promise.resolve('root:c1'),
    namespaceLabels: () => Promise.resolve({}),
    relatedClient: (side, cluster) =>
      side === 'service' ? asRestClient(local) : cluster === CLUSTER ? asRestClient(remote) : undefined,
    servedResource: (_side, _cluster, type) =>
      Promise.resolve(type.resource === 'secrets' ? { kind: 'Secret', namespaced: true, hasStatus: false } : undefined),
    hasCopiesOfOtherClusters: (namespace, cluster) =>
      [...local.objects.values()].some(
        (o) =>
          o.kind === 'CronTab' &&
          o.metadata.namespace === namespace &&
          o.metadata.labels?.[REMOTE_OBJECT_CLUSTER_LABEL] !== cluster,
      ),
    copyCreated: () => undefined,
    statusInSync: () => undefined,
  };
  remote.put(PRIMARY, {
    apiVersion: 'example.com/v1',
    kind: 'CronTab',
    metadata: { name: 'my-cron', namespace: 'default', annotations: { [CLUSTER_ANNOTATION]: CLUSTER } },
    spec: { cronSpec: '* * *', secretName: 'db-creds', secretNamespace: 'someone-else' },
  });
  return { remote, local, events, target, io };
}

/** Runs sync passes until one writes nothing (the agent would then wait for a change or its requeue). */
async function settle(w: World): Promise<void> {
  for (let pass = 0; pass < 30; pass++) {
    const before = w.remote.writes + w.local.writes;
    await syncObject(KEY, w.target, w.io);
    if (w.remote.writes + w.local.writes === before) return;
  }
  throw new Error('did not settle in 30 passes');
}

const secret = (
  namespace: string,
  name: string,
  data: Record<string, string>,
  meta: Partial<KubeObject['metadata']> = {},
): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace, ...meta }, data });

const condition = (w: World): unknown =>
  (
    (
      w.remote.objects.get(PRIMARY)?.['status'] as
        { conditions?: { type: string; status: string; reason: string }[] } | undefined
    )?.conditions ?? []
  )
    .filter((c) => c.type === 'RelatedResourcesSynced')
    .map((c) => `${c.status}/${c.reason}`);

describe('related resources (sync engine)', function () {
  it("brings the operator's Secret up, records it on the consumer object and keeps its state on the copy", async function () {
    const w = newWorld([
      {
        identifier: 'credentials',
        origin: 'service',
        kind: 'Secret',
        object: { template: { template: 'my-credentials' } },
      },
    ]);
    await settle(w);
    expect(
      w.remote.objects.has(secretAt('default', 'my-credentials')),
      'nothing before the operator wrote it',
    ).to.equal(false);
    w.local.put(
      secretAt(CLUSTER, 'my-credentials'),
      secret(CLUSTER, 'my-credentials', { password: 'aHVudGVyMg==' }, { labels: { app: 'db' } }),
    );
    w.local.edit(COPY, (o) => {
      o['status'] = { phase: 'Ready' };
    });
    await settle(w);

    const got = w.remote.objects.get(secretAt('default', 'my-credentials'));
    expect({ data: got?.['data'], labels: got?.metadata.labels, annotations: got?.metadata.annotations }).to.deep.equal(
      { data: { password: 'aHVudGVyMg==' }, labels: { app: 'db' }, annotations: undefined },
    );
    expect(
      w.remote.objects.get(PRIMARY)?.metadata.annotations?.['related-resources.syncagent.kcp.io/credentials.0'],
    ).to.equal(JSON.stringify({ namespace: 'default', name: 'my-credentials', apiVersion: 'v1', kind: 'Secret' }));
    expect(w.local.objects.get(COPY)?.metadata.annotations?.[RELATED_STATE_ANNOTATION]).to.match(
      /^\{"credentials\/default\/my-credentials":/,
    );
    expect(condition(w)).to.deep.equal(['True/Synced']);

    // A key the operator removes goes away in kcp too (three-way with the stored state).
    w.local.edit(secretAt(CLUSTER, 'my-credentials'), (o) => {
      o['data'] = { user: 'YQ==' };
    });
    await settle(w);
    expect(w.remote.objects.get(secretAt('default', 'my-credentials'))?.['data']).to.deep.equal({ user: 'YQ==' });
  });

  it("takes the consumer's Secret down with a finalizer, and on deletion removes the copy, then the finalizers", async function () {
    const w = newWorld([
      { identifier: 'config', origin: 'kcp', kind: 'Secret', object: { template: { template: 'cfg' } } },
    ]);
    w.remote.put(secretAt('default', 'cfg'), secret('default', 'cfg', { mode: 'YQ==' }));
    await settle(w);
    const down = w.local.objects.get(secretAt(CLUSTER, 'cfg'));
    expect(down?.['data']).to.deep.equal({ mode: 'YQ==' });
    expect(down?.metadata.annotations?.[RELATED_OWNER_ANNOTATION]).to.equal(`crontabs/${KEY}`);
    expect(w.remote.objects.get(secretAt('default', 'cfg'))?.metadata.finalizers).to.deep.equal([
      cleanupFinalizerFor(AGENT),
    ]);

    await w.io.remoteClient(CLUSTER)!.delete(PRIMARY);
    await settle(w);
    expect(w.local.objects.has(secretAt(CLUSTER, 'cfg')), 'copy of the Secret').to.equal(false);
    expect(w.remote.objects.get(secretAt('default', 'cfg'))?.metadata.finalizers ?? []).to.deep.equal([]);
    expect(w.local.objects.has(COPY), 'copy of the CronTab').to.equal(false);
    expect(w.remote.objects.has(PRIMARY), 'the CronTab').to.equal(false);
  });

  const refusals: { name: string; rule: RelatedResourceSpec['object']; setUp?: (w: World) => void; message: RegExp }[] =
    [
      {
        name: "a service-side namespace taken from the consumer's spec",
        rule: { template: { template: 'x' }, namespace: { reference: { path: 'spec.secretNamespace' } } },
        setUp: (w) => {
          w.local.put(secretAt('someone-else', 'x'), secret('someone-else', 'x', { k: 'dg==' }));
        },
        message:
          /spec\.related\[0\] \(credentials\): the service-side namespace is derived from values this object controls/,
      },
      {
        name: 'an object the consumer names that already belongs to another consumer object',
        rule: { reference: { path: 'spec.secretName' } },
        setUp: (w) => {
          w.local.put(
            secretAt(CLUSTER, 'db-creds'),
            secret(
              CLUSTER,
              'db-creds',
              { k: 'dg==' },
              { annotations: { [RELATED_OWNER_ANNOTATION]: 'crontabs/c2|default|other' } },
            ),
          );
        },
        message: /spec\.related\[0\] \(credentials\): the related object already belongs to another object/,
      },
    ];
  for (const c of refusals) {
    it(`refuses ${c.name}: a condition and one event naming the rule, nothing copied, the primary still synced`, async function () {
      const w = newWorld([{ identifier: 'credentials', origin: 'service', kind: 'Secret', object: c.rule }]);
      await settle(w);
      c.setUp?.(w);
      w.local.edit(COPY, (o) => {
        o['status'] = { phase: 'Ready' };
      });
      await settle(w);
      await settle(w);
      expect(condition(w)).to.deep.equal(['False/RelatedResourceRefused']);
      const refused = w.events.filter((e) => e.reason === 'RelatedResourceRefused');
      expect(refused.length).to.equal(1);
      expect(refused[0]?.message).to.match(c.message);
      expect(refused[0]?.message).to.not.match(/someone-else|c2/);
      expect([...w.remote.objects.keys()].filter((k) => k.includes('/secrets/'))).to.deep.equal([]);
      expect((w.remote.objects.get(PRIMARY)?.['status'] as { phase?: string }).phase).to.equal('Ready');
    });
  }

  it('claims an object the consumer names, so a second consumer object naming it is refused', async function () {
    const w = newWorld([
      {
        identifier: 'credentials',
        origin: 'service',
        kind: 'Secret',
        object: { reference: { path: 'spec.secretName' } },
      },
    ]);
    await settle(w);
    w.local.put(secretAt(CLUSTER, 'db-creds'), secret(CLUSTER, 'db-creds', { k: 'dg==' }));
    w.local.edit(COPY, (o) => {
      o['status'] = { phase: 'Ready' };
    });
    await settle(w);
    expect(
      w.local.objects.get(secretAt(CLUSTER, 'db-creds'))?.metadata.annotations?.[RELATED_OWNER_ANNOTATION],
    ).to.equal(`crontabs/${KEY}`);
    expect(w.remote.objects.get(secretAt('default', 'db-creds'))?.['data']).to.deep.equal({ k: 'dg==' });
  });
});
