import { expect } from 'chai';
import type { CrdSpec } from '../../../src/apis/apiextensions.ts';
import { ORPHAN_REMOVED_EVENT, runOrphanSweep, sweepOrphans } from '../../../src/controllers/sync/orphan-sweep.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { ApiError } from '../../../src/kube/errors.ts';
import type { EventRecorder } from '../../../src/kube/events.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import type { RestClient } from '../../../src/kube/rest-client.ts';
import { nopLogger } from '../../../src/log/logger.ts';
import { parseSelector } from '../../../src/translate/label-selector.ts';
import { type OrphanCandidate, orphanVerdict } from '../../../src/translate/orphans.ts';
import { syncLabels } from '../../../src/translate/sync-metadata.ts';
import { objectPath, syncTargetFor } from '../../../src/translate/sync-target.ts';
import { asRestClient, FakeApi } from '../sync/fake-api.ts';
import {
  REMOTE_OBJECT_NAME_ANNOTATION,
  REMOTE_OBJECT_NAMESPACE_ANNOTATION,
} from '../../../src/apis/v1alpha1/constants.ts';

describe('orphanVerdict', function () {
  const cases: { name: string; candidate: OrphanCandidate; expected: 'delete' | 'keep' }[] = [
    {
      name: 'kcp answered "not found" and the cache lacks the origin: delete',
      candidate: { copyTerminating: false, originCached: false, lookup: 'not-found' },
      expected: 'delete',
    },
    {
      name: 'the origin is in the cache: keep',
      candidate: { copyTerminating: false, originCached: true, lookup: 'not-found' },
      expected: 'keep',
    },
    {
      name: 'kcp has the origin (the cache lagged): keep',
      candidate: { copyTerminating: false, originCached: false, lookup: 'present' },
      expected: 'keep',
    },
    {
      name: 'an error, 403, timeout or a workspace nobody serves: keep',
      candidate: { copyTerminating: false, originCached: false, lookup: 'unknown' },
      expected: 'keep',
    },
    {
      name: 'the copy is being deleted already: keep (nothing to do)',
      candidate: { copyTerminating: true, originCached: false, lookup: 'not-found' },
      expected: 'keep',
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(orphanVerdict(c.candidate)).to.equal(c.expected);
    });
  }
});

const AGENT = 'sweeper';
const CRD: CrdSpec = {
  group: 'example.com',
  names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab' },
  scope: 'Namespaced',
  versions: [{ name: 'v1', served: true, storage: true }],
};
const TARGET = syncTargetFor({
  publishedResource: 'crontabs',
  agentName: AGENT,
  crd: CRD,
  resourceFilter: parseSelector(''),
});

function copyOf(cluster: string, name: string, agent = AGENT, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'CronTab',
    metadata: {
      name: `copy-${name}`,
      namespace: cluster,
      uid: `uid-${cluster}-${name}`,
      labels: syncLabels(agent, { cluster, namespace: 'default', name }),
      annotations: { [REMOTE_OBJECT_NAME_ANNOTATION]: name, [REMOTE_OBJECT_NAMESPACE_ANNOTATION]: 'default' },
      ...extra,
    },
  };
}

const consumer = (name: string): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'CronTab',
  metadata: { name, namespace: 'default' },
});

/** A workspace that answers every request with 403 (claims withdrawn, binding gone). */
const forbidden = {
  list: () => Promise.reject(new ApiError({ code: 403, reason: 'Forbidden', message: 'no', method: 'GET', path: '' })),
  get: () => Promise.reject(new ApiError({ code: 403, reason: 'Forbidden', message: 'no', method: 'GET', path: '' })),
} as unknown as RestClient;

describe('sweepOrphans', function () {
  it('deletes only copies of ours whose origin kcp positively reports gone, and records an event on each', async function () {
    const local = new FakeApi();
    const ws1 = new FakeApi();
    ws1.put(objectPath(TARGET.remote, 'alive', 'default'), consumer('alive'));
    ws1.put(objectPath(TARGET.remote, 'lagging', 'default'), consumer('lagging'));
    const copies = [
      copyOf('ws1', 'gone'),
      copyOf('ws1', 'alive'),
      copyOf('ws1', 'lagging'),
      copyOf('ws1', 'held', AGENT, { deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['operator/hold'] }),
      copyOf('ws2', 'gone'),
      copyOf('ws3', 'gone'),
      copyOf('ws1', 'theirs', 'other-agent'),
    ];
    for (const c of copies) local.put(objectPath(TARGET.local, c.metadata.name ?? '', c.metadata.namespace), c);
    const events: string[] = [];
    const recorder: EventRecorder = {
      record: (_c, obj, e) => {
        events.push(`${e.reason} ${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`);
      },
      flush: () => Promise.resolve(0),
    };
    const removed = await sweepOrphans({
      target: TARGET,
      copies: () => copies,
      cachedOrigin: (key) => (key === 'ws1|default|alive' ? consumer('alive') : undefined),
      // ws2 answers 403; no virtual workspace is known to serve ws3.
      workspaceClient: (cluster) => (cluster === 'ws1' ? asRestClient(ws1) : cluster === 'ws2' ? forbidden : undefined),
      local: asRestClient(local),
      events: recorder,
      logger: nopLogger,
    });
    expect(removed).to.equal(1);
    expect(
      [...local.objects.values()].map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`),
    ).to.have.members([
      'ws1/copy-alive',
      'ws1/copy-lagging',
      'ws1/copy-held',
      'ws2/copy-gone',
      'ws3/copy-gone',
      'ws1/copy-theirs',
    ]);
    expect(events).to.deep.equal([`${ORPHAN_REMOVED_EVENT.reason} ws1/copy-gone`]);
  });

  it('does not run while another PublishedResource of the agent syncs into the same local type', async function () {
    const local = new FakeApi();
    const orphan = copyOf('ws1', 'gone');
    local.put(objectPath(TARGET.local, orphan.metadata.name ?? '', orphan.metadata.namespace), orphan);
    const deps = {
      target: TARGET,
      copies: () => [orphan],
      cachedOrigin: () => undefined,
      workspaceClient: () => asRestClient(new FakeApi()),
      local: asRestClient(local),
      events: { record: () => undefined, flush: () => Promise.resolve(0) },
      logger: nopLogger,
    };
    const scope = { singleEndpoint: () => true, soleSyncOfLocalType: () => false };
    await runOrphanSweep(deps, { scope, clock: systemClock, ready: () => true }, new AbortController().signal);
    expect(local.objects.size, 'copies kept').to.equal(1);
    await runOrphanSweep(
      deps,
      { scope: { ...scope, soleSyncOfLocalType: () => true }, clock: systemClock, ready: () => true },
      new AbortController().signal,
    );
    expect(local.objects.size, 'copies once it is the only one').to.equal(0);
  });
});
