import { compileBehaviour, type SyncBehaviour } from '../../../src/sync/behaviour.ts';
import type { PublishedResource } from '../../../src/apis/v1alpha1/published-resource.ts';
import { IDENTITY_MUTATOR } from '../../../src/translate/mutation/index.ts';
import { goTemplates } from '../../../src/gotemplate/index.ts';
import { expect } from 'chai';
import type { CrdSpec } from '../../../src/apis/apiextensions.ts';
import { CLUSTER_ANNOTATION } from '../../../src/apis/kcp.ts';
import {
  AGENT_NAME_LABEL,
  CLEANUP_FINALIZER as LEGACY_FINALIZER,
  LAST_KNOWN_STATE_ANNOTATION,
  REMOTE_OBJECT_CLUSTER_LABEL,
  REMOTE_OBJECT_NAME_ANNOTATION,
  REMOTE_OBJECT_NAME_HASH_LABEL,
  REMOTE_OBJECT_NAMESPACE_ANNOTATION,
  REMOTE_OBJECT_NAMESPACE_HASH_LABEL,
} from '../../../src/apis/v1alpha1/constants.ts';
import type { EventRecorder } from '../../../src/kube/events.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import { nopLogger } from '../../../src/log/logger.ts';
import type { SyncIO } from '../../../src/sync/io.ts';
import { syncObject } from '../../../src/sync/object-syncer.ts';
import { FakeApi, asRestClient } from './fake-api.ts';
import { cleanupFinalizerFor } from '../../../src/translate/cleanup-finalizer.ts';
import { sha1Hex, sha3Short } from '../../../src/translate/hashes.ts';
import { parseSelector } from '../../../src/translate/label-selector.ts';
import { remoteRefFromLocal } from '../../../src/translate/sync-metadata.ts';
import { objectPath, parseRemoteKey, type SyncTarget, syncTargetFor } from '../../../src/translate/sync-target.ts';

const AGENT = 'test-agent';
const OWN_FINALIZER = cleanupFinalizerFor(AGENT);
const OTHER_AGENT_FINALIZER = cleanupFinalizerFor('other-agent');
const CLUSTER = 'c1';
const NAMESPACE = 'default';
const NAME = 'my-cron';
const KEY = `${CLUSTER}|${NAMESPACE}|${NAME}`;
const COPY_NAME = `${sha3Short(NAMESPACE)}-${sha3Short(NAME)}`;
const MAX_PASSES = 10;

const CRONTAB_CRD: CrdSpec = {
  group: 'example.com',
  names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab' },
  scope: 'Namespaced',
  versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }],
};

const targetWith = (filter = ''): SyncTarget =>
  syncTargetFor({
    publishedResource: 'publish-crontabs',
    agentName: AGENT,
    crd: CRONTAB_CRD,
    resourceFilter: parseSelector(filter),
  });

const REMOTE_PATH = objectPath(targetWith().remote, NAME, NAMESPACE);
const COPY_PATH = objectPath(targetWith().local, COPY_NAME, CLUSTER);

const SYNC_LABELS = {
  [REMOTE_OBJECT_CLUSTER_LABEL]: CLUSTER,
  [REMOTE_OBJECT_NAME_HASH_LABEL]: sha1Hex(NAME),
  [REMOTE_OBJECT_NAMESPACE_HASH_LABEL]: sha1Hex(NAMESPACE),
  [AGENT_NAME_LABEL]: AGENT,
};
const SYNC_ANNOTATIONS = { [REMOTE_OBJECT_NAME_ANNOTATION]: NAME, [REMOTE_OBJECT_NAMESPACE_ANNOTATION]: NAMESPACE };

interface World {
  /** The consumer workspace `c1` in kcp. */
  readonly remote: FakeApi;
  /** The service cluster. */
  readonly local: FakeApi;
  readonly namespaces: Set<string>;
  /** Reasons of the events recorded on consumer objects, in order. */
  readonly events: string[];
  /** The latency milestones reported, in order. */
  readonly milestones: string[];
  /** For each write of a copy handed to the cache: whether the syncer said no pass need follow it. */
  readonly settledLocalWrites: boolean[];
  /** Compiled mutations and templates (none by default). */
  behaviour?: SyncBehaviour;
  /** Labels of consumer namespaces, for the namespace filter. */
  namespaceLabels?: Record<string, Record<string, string>>;
}

function newWorld(): World {
  return {
    remote: new FakeApi(),
    local: new FakeApi(),
    namespaces: new Set(),
    events: [],
    milestones: [],
    settledLocalWrites: [],
  };
}

/** The SyncIO the sync controller would build, with its caches read from the fake stores. */
const NO_BEHAVIOUR: SyncBehaviour = {
  specMutator: IDENTITY_MUTATOR,
  statusMutator: IDENTITY_MUTATOR,
  templates: goTemplates,
  related: [],
};

function ioFor(w: World, target: SyncTarget): SyncIO {
  const events: EventRecorder = {
    record: (_client, _obj, event) => {
      w.events.push(event.reason);
    },
    flush: () => Promise.resolve(0),
  };
  return {
    remoteObject: (key) => {
      const ref = parseRemoteKey(key);
      const obj = w.remote.objects.get(objectPath(target.remote, ref.name, ref.namespace));
      return obj === undefined ? undefined : structuredClone(obj);
    },
    remoteClient: (cluster) => (cluster === CLUSTER ? asRestClient(w.remote) : undefined),
    workspacePath: (cluster) => Promise.resolve(`root:${cluster}`),
    behaviour: w.behaviour ?? NO_BEHAVIOUR,
    forgetNamespace: (name) => {
      w.namespaces.delete(name);
    },
    namespaceLabels: (_cluster, namespace) => Promise.resolve(w.namespaceLabels?.[namespace]),
    // Like the local informer: copies are found by their labels, not by name.
    localObject: (key) => {
      const found = [...w.local.objects.values()].find((o) => {
        const ref = remoteRefFromLocal(o, target.agentName);
        return ref !== undefined && key === `${ref.cluster}|${ref.namespace ?? ''}|${ref.name}`;
      });
      return found === undefined ? undefined : structuredClone(found);
    },
    local: asRestClient(w.local),
    // The caches above read the fake stores, which hold every write already.
    wroteRemote: () => undefined,
    wroteLocal: (_basedOn, _written, settled) => {
      w.settledLocalWrites.push(settled === true);
    },
    copyCreated: (consumer) => {
      w.milestones.push(`copy created for ${consumer.metadata.name ?? ''}`);
    },
    statusInSync: (_key, _copy, wrote) => {
      w.milestones.push(wrote ? 'status written' : 'status in sync');
    },
    ensureNamespace: (name) => {
      w.namespaces.add(name);
      return Promise.resolve();
    },
    events,
    logger: nopLogger,
    relatedClient: (side, cluster) =>
      side === 'service' ? asRestClient(w.local) : cluster === CLUSTER ? asRestClient(w.remote) : undefined,
    servedResource: (_side, _cluster, type) =>
      Promise.resolve(
        SERVED[type.resource] === undefined
          ? undefined
          : { kind: SERVED[type.resource] ?? '', namespaced: true, hasStatus: false },
      ),
    hasCopiesOfOtherClusters: (namespace, cluster) =>
      [...w.local.objects.values()].some(
        (o) =>
          o.metadata.namespace === namespace &&
          o.kind === target.local.kind &&
          o.metadata.labels?.[REMOTE_OBJECT_CLUSTER_LABEL] !== cluster,
      ),
  };
}

/** The related types the fake servers serve, by resource. */
const SERVED: Readonly<Record<string, string>> = { secrets: 'Secret', configmaps: 'ConfigMap' };

interface Outcome {
  settled: boolean;
  error?: unknown;
}

/**
 * Runs passes as the queue would (each one from fresh state) until a pass
 * returns undefined and writes nothing, at most MAX_PASSES times.
 */
async function converge(w: World, target: SyncTarget): Promise<Outcome> {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const before = w.remote.writes + w.local.writes;
    try {
      const result = await syncObject(KEY, target, ioFor(w, target));
      if (result === undefined && w.remote.writes + w.local.writes === before) return { settled: true };
    } catch (err) {
      return { settled: false, error: err };
    }
  }
  return { settled: false };
}

function consumerObject(): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'CronTab',
    metadata: {
      name: NAME,
      namespace: NAMESPACE,
      labels: { app: 'backup' },
      annotations: { [CLUSTER_ANNOTATION]: CLUSTER, note: 'nightly' },
    },
    spec: { cronSpec: '0 3 * * *', image: 'backup:1' },
  };
}

/** The copy's content as the last-known state records it, for a consumer object with `spec`. */
function stateFor(spec: Record<string, unknown>, labels: Record<string, string> = { app: 'backup' }): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'CronTab',
    metadata: { name: COPY_NAME, namespace: CLUSTER, labels, annotations: { note: 'nightly' } },
    spec,
  };
}

interface CopyView {
  namespace: string | undefined;
  name: string | undefined;
  labels: Record<string, string> | undefined;
  /** Without the last-known state, which is `state`, parsed. */
  annotations: Record<string, string> | undefined;
  spec: unknown;
  status: unknown;
  beingDeleted: boolean;
  state: unknown;
}

function copyView(obj: KubeObject | undefined): CopyView | undefined {
  if (obj === undefined) return undefined;
  const { [LAST_KNOWN_STATE_ANNOTATION]: state, ...annotations } = obj.metadata.annotations ?? {};
  return {
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    labels: obj.metadata.labels,
    annotations,
    spec: obj['spec'],
    status: obj['status'],
    beingDeleted: obj.metadata.deletionTimestamp !== undefined,
    state: state === undefined ? undefined : JSON.parse(state),
  };
}

interface RemoteView {
  finalizers: string[] | undefined;
  spec: unknown;
  status: unknown;
}

function remoteView(obj: KubeObject | undefined): RemoteView | undefined {
  return obj === undefined
    ? undefined
    : { finalizers: obj.metadata.finalizers, spec: obj['spec'], status: obj['status'] };
}

interface Case {
  name: string;
  /** The consumer object before the first pass (default: consumerObject()). */
  remote?: KubeObject;
  /** Objects already on the service cluster, by path. */
  local?: Record<string, KubeObject>;
  /** `filter.resource` of the PublishedResource, as a selector string. */
  filter?: string;
  /** Changes made by users or other controllers after the first sync settled; the sync settles again after each. */
  changes?: ((w: World) => void)[];
  expected: {
    /** Fields of the copy at COPY_PATH (null: there is none). */
    copy: Partial<CopyView> | null;
    /** Fields of the consumer object (null: it is gone). */
    remote: Partial<RemoteView> | null;
    /** Every event recorded, in order. */
    events: string[];
    /** The last run ends waiting (a requeue) instead of settling. */
    waiting?: boolean;
    /** The last run fails with an error matching this. */
    error?: RegExp;
    /** Total writes to both sides, when it matters. */
    writes?: number;
  };
}

const editCopy =
  (change: (obj: KubeObject) => void) =>
  (w: World): void => {
    w.local.edit(COPY_PATH, change);
  };
const editConsumer =
  (change: (obj: KubeObject) => void) =>
  (w: World): void => {
    w.remote.edit(REMOTE_PATH, change);
  };
const specOf = (obj: KubeObject): Record<string, unknown> => obj['spec'] as Record<string, unknown>;
const deleteConsumer = editConsumer((o) => {
  o.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
});

const cases: Case[] = [
  {
    name: 'a new consumer object gets the finalizer, then a labelled copy in the namespace named after its cluster, without status',
    expected: {
      remote: { finalizers: [OWN_FINALIZER], status: undefined },
      copy: {
        namespace: CLUSTER,
        name: COPY_NAME,
        labels: { app: 'backup', ...SYNC_LABELS },
        annotations: { note: 'nightly', ...SYNC_ANNOTATIONS },
        spec: { cronSpec: '0 3 * * *', image: 'backup:1' },
        status: undefined,
        beingDeleted: false,
        state: stateFor({ cronSpec: '0 3 * * *', image: 'backup:1' }),
      },
      events: ['ObjectAccepted', 'ObjectPlaced'],
    },
  },
  {
    name: 'a status on the consumer object is not copied down',
    remote: { ...consumerObject(), status: { phase: 'Forged' } },
    expected: {
      remote: { finalizers: [OWN_FINALIZER] },
      copy: { status: undefined, spec: { cronSpec: '0 3 * * *', image: 'backup:1' } },
      events: ['ObjectAccepted', 'ObjectPlaced'],
    },
  },
  {
    name: 'a spec change flows down while a field set only on the copy (a service-side default) survives',
    changes: [
      editCopy((o) => {
        specOf(o)['concurrencyPolicy'] = 'Allow';
      }),
      editConsumer((o) => {
        specOf(o)['image'] = 'backup:2';
      }),
    ],
    expected: {
      remote: { spec: { cronSpec: '0 3 * * *', image: 'backup:2' } },
      copy: {
        spec: { cronSpec: '0 3 * * *', image: 'backup:2', concurrencyPolicy: 'Allow' },
        state: stateFor({ cronSpec: '0 3 * * *', image: 'backup:2' }),
      },
      events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectSynced'],
    },
  },
  {
    name: 'a label removed from the consumer object is removed from the copy, the sync labels stay',
    changes: [
      editConsumer((o) => {
        o.metadata.labels = { tier: 'gold' };
      }),
    ],
    expected: {
      remote: { finalizers: [OWN_FINALIZER] },
      copy: {
        labels: { tier: 'gold', ...SYNC_LABELS },
        state: stateFor({ cronSpec: '0 3 * * *', image: 'backup:1' }, { tier: 'gold' }),
      },
      events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectSynced'],
    },
  },
  {
    name: 'a local edit of a synced field is kept until the consumer changes that field (upstream behaviour)',
    changes: [
      editCopy((o) => {
        specOf(o)['image'] = 'backup:patched';
      }),
    ],
    expected: {
      remote: { spec: { cronSpec: '0 3 * * *', image: 'backup:1' } },
      copy: { spec: { cronSpec: '0 3 * * *', image: 'backup:patched' } },
      events: ['ObjectAccepted', 'ObjectPlaced'],
    },
  },
  {
    name: 'a sync label removed from the copy is restored',
    changes: [
      editCopy((o) => {
        Reflect.deleteProperty(o.metadata.labels ?? {}, REMOTE_OBJECT_NAME_HASH_LABEL);
      }),
    ],
    expected: {
      remote: { finalizers: [OWN_FINALIZER] },
      copy: {
        labels: { app: 'backup', ...SYNC_LABELS },
        state: stateFor({ cronSpec: '0 3 * * *', image: 'backup:1' }),
      },
      events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectSynced'],
    },
  },
  {
    name: 'the status of the copy goes up to the consumer object',
    changes: [
      editCopy((o) => {
        o['status'] = { phase: 'Scheduled' };
      }),
    ],
    expected: {
      remote: { finalizers: [OWN_FINALIZER], status: { phase: 'Scheduled' } },
      copy: { status: { phase: 'Scheduled' } },
      events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectStatusSynced'],
    },
  },
  {
    name: 'a consumer object being deleted gets its copy deleted, then loses the finalizer and is gone',
    changes: [deleteConsumer],
    expected: { remote: null, copy: null, events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectCleanup'] },
  },
  {
    name: 'a consumer object being deleted keeps its finalizer while the copy is held by its own finalizer',
    changes: [
      editCopy((o) => {
        o.metadata.finalizers = ['example.com/protect'];
      }),
      deleteConsumer,
    ],
    expected: {
      remote: { finalizers: [OWN_FINALIZER] },
      copy: { beingDeleted: true },
      events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectCleanup'],
      waiting: true,
    },
  },
  {
    name: "once the copy's own finalizer is gone, the consumer object is released",
    changes: [
      editCopy((o) => {
        o.metadata.finalizers = ['example.com/protect'];
      }),
      deleteConsumer,
      editCopy((o) => {
        o.metadata.finalizers = [];
      }),
    ],
    expected: { remote: null, copy: null, events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectCleanup'] },
  },
  {
    name: 'an object not matching the resource filter is left alone',
    filter: 'sync=true',
    expected: { remote: { finalizers: undefined }, copy: null, events: [], writes: 0 },
  },
  {
    name: 'an object matching the resource filter is synced',
    filter: 'app in (backup,cleanup)',
    expected: {
      remote: { finalizers: [OWN_FINALIZER] },
      copy: { name: COPY_NAME },
      events: ['ObjectAccepted', 'ObjectPlaced'],
    },
  },
  {
    name: "an existing unlabelled object with the copy's name is adopted: it gets the sync labels and annotations",
    local: {
      [COPY_PATH]: {
        apiVersion: 'example.com/v1',
        kind: 'CronTab',
        metadata: { name: COPY_NAME, namespace: CLUSTER, labels: { 'made-by': 'hand' } },
        spec: { cronSpec: '0 3 * * *', image: 'backup:1', concurrencyPolicy: 'Forbid' },
      },
    },
    expected: {
      remote: { finalizers: [OWN_FINALIZER] },
      copy: {
        labels: { 'made-by': 'hand', app: 'backup', ...SYNC_LABELS },
        annotations: { note: 'nightly', ...SYNC_ANNOTATIONS },
        spec: { cronSpec: '0 3 * * *', image: 'backup:1', concurrencyPolicy: 'Forbid' },
      },
      // Adoption links the object; the next pass brings the consumer's content over once.
      events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectSynced'],
    },
  },
  {
    name: "an object with the copy's name that belongs to another consumer object is not touched; the sync fails",
    remote: { ...consumerObject(), metadata: { ...consumerObject().metadata, finalizers: [OWN_FINALIZER] } },
    local: {
      [COPY_PATH]: {
        apiVersion: 'example.com/v1',
        kind: 'CronTab',
        metadata: {
          name: COPY_NAME,
          namespace: CLUSTER,
          labels: { ...SYNC_LABELS, [REMOTE_OBJECT_NAME_HASH_LABEL]: sha1Hex('other-cron') },
          annotations: { ...SYNC_ANNOTATIONS, [REMOTE_OBJECT_NAME_ANNOTATION]: 'other-cron' },
        },
        spec: { cronSpec: '* * * * *', image: 'other:1' },
      },
    },
    expected: {
      remote: { finalizers: [OWN_FINALIZER] },
      copy: {
        annotations: { ...SYNC_ANNOTATIONS, [REMOTE_OBJECT_NAME_ANNOTATION]: 'other-cron' },
        spec: { cronSpec: '* * * * *', image: 'other:1' },
      },
      events: [],
      error: /already belongs to another object/,
      writes: 0,
    },
  },
  {
    name: "an adopted object gets the consumer object's spec, and fields only it has survive",
    // Adoption links the object without a last-known state, so the next pass
    // writes the whole desired spec once (additively). Upstream stores the
    // state at adoption, which leaves an adopted object's old spec in place
    // until the consumer edits those fields.
    local: {
      [COPY_PATH]: {
        apiVersion: 'example.com/v1',
        kind: 'CronTab',
        metadata: { name: COPY_NAME, namespace: CLUSTER },
        spec: { cronSpec: '* * * * *', image: 'stale:0', concurrencyPolicy: 'Forbid' },
      },
    },
    expected: {
      remote: { finalizers: [OWN_FINALIZER] },
      copy: { spec: { cronSpec: '0 3 * * *', image: 'backup:1', concurrencyPolicy: 'Forbid' } },
      events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectSynced'],
    },
  },
  {
    name: 'a synced object that stops matching the resource filter and is then deleted still gets cleaned up',
    // Deletion is handled before the filters: an object that stopped
    // matching still carries our finalizer and must not hang in Terminating
    // (upstream filters first and leaves it stuck).
    filter: 'sync=true',
    remote: {
      ...consumerObject(),
      metadata: { ...consumerObject().metadata, labels: { app: 'backup', sync: 'true' } },
    },
    changes: [
      editConsumer((o) => {
        o.metadata.labels = { app: 'backup' };
      }),
      deleteConsumer,
    ],
    expected: { remote: null, copy: null, events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectCleanup'] },
  },
  {
    name: "a consumer object with upstream's shared finalizer (a takeover) gets the agent's own next to it",
    remote: { ...consumerObject(), metadata: { ...consumerObject().metadata, finalizers: [LEGACY_FINALIZER] } },
    expected: {
      remote: { finalizers: [LEGACY_FINALIZER, OWN_FINALIZER] },
      copy: { name: COPY_NAME },
      events: ['ObjectAccepted', 'ObjectPlaced'],
    },
  },
  {
    name: "a deleted consumer object held by upstream's shared finalizer only: the copy goes, then the shared finalizer",
    remote: {
      ...consumerObject(),
      metadata: {
        ...consumerObject().metadata,
        finalizers: [LEGACY_FINALIZER],
        deletionTimestamp: '2025-01-01T00:00:00Z',
      },
    },
    local: {
      [COPY_PATH]: {
        apiVersion: 'example.com/v1',
        kind: 'CronTab',
        metadata: { name: COPY_NAME, namespace: CLUSTER, labels: SYNC_LABELS, annotations: SYNC_ANNOTATIONS },
        spec: { cronSpec: '0 3 * * *', image: 'backup:1' },
      },
    },
    expected: { remote: null, copy: null, events: ['ObjectCleanup'] },
  },
  {
    name: "another agent's finalizer is left alone: this agent releases only its own, the object stays for the other",
    remote: { ...consumerObject(), metadata: { ...consumerObject().metadata, finalizers: [OTHER_AGENT_FINALIZER] } },
    changes: [deleteConsumer],
    expected: {
      remote: { finalizers: [OTHER_AGENT_FINALIZER] },
      copy: null,
      events: ['ObjectAccepted', 'ObjectPlaced', 'ObjectCleanup'],
    },
  },
  {
    name: "a deleted consumer object that only another agent holds is not this agent's to clean up",
    remote: {
      ...consumerObject(),
      metadata: {
        ...consumerObject().metadata,
        finalizers: [OTHER_AGENT_FINALIZER],
        deletionTimestamp: '2025-01-01T00:00:00Z',
      },
    },
    expected: { remote: { finalizers: [OTHER_AGENT_FINALIZER] }, copy: null, events: [], writes: 0 },
  },
];

describe('syncObject', function () {
  for (const c of cases) {
    it(c.name, async function () {
      const w = newWorld();
      const target = targetWith(c.filter);
      w.remote.put(REMOTE_PATH, c.remote ?? consumerObject());
      for (const [path, obj] of Object.entries(c.local ?? {})) w.local.put(path, obj);

      let outcome = await converge(w, target);
      for (const change of c.changes ?? []) {
        expect(outcome.error, 'the sync before the change fails').to.equal(undefined);
        change(w);
        outcome = await converge(w, target);
      }

      if (c.expected.error === undefined) expect(outcome.error).to.equal(undefined);
      else expect(outcome.error).to.be.an('error').with.property('message').that.matches(c.expected.error);
      if (c.expected.error === undefined) expect(outcome.settled, 'settled').to.equal(c.expected.waiting !== true);
      const remote = remoteView(w.remote.objects.get(REMOTE_PATH));
      if (c.expected.remote === null) expect(remote).to.equal(undefined);
      else expect(remote).to.deep.include(c.expected.remote);
      const copy = copyView(w.local.objects.get(COPY_PATH));
      if (c.expected.copy === null) expect(copy).to.equal(undefined);
      else expect(copy).to.deep.include(c.expected.copy);
      expect(w.events).to.deep.equal(c.expected.events);
      if (c.expected.writes !== undefined)
        expect(w.remote.writes + w.local.writes, 'writes').to.equal(c.expected.writes);
    });
  }

  const milestoneCases: {
    name: string;
    local?: Record<string, KubeObject>;
    changes?: ((w: World) => void)[];
    created: number;
    statusWritten: number;
  }[] = [
    { name: 'reports a created copy once, for the create→copy latency', created: 1, statusWritten: 0 },
    {
      name: 'reports an adopted copy as not created: its consumer object did not just wait for it',
      local: {
        [COPY_PATH]: {
          apiVersion: 'example.com/v1',
          kind: 'CronTab',
          metadata: { name: COPY_NAME, namespace: CLUSTER },
          spec: {},
        },
      },
      created: 0,
      statusWritten: 0,
    },
    {
      name: 'reports the status written up once per change, for the status latency',
      changes: [
        editCopy((o) => {
          o['status'] = { phase: 'Scheduled' };
        }),
        editCopy((o) => {
          o['status'] = { phase: 'Done' };
        }),
      ],
      created: 1,
      statusWritten: 2,
    },
  ];
  for (const c of milestoneCases) {
    it(c.name, async function () {
      const w = newWorld();
      w.remote.put(REMOTE_PATH, consumerObject());
      for (const [path, obj] of Object.entries(c.local ?? {})) w.local.put(path, obj);
      await converge(w, targetWith());
      for (const change of c.changes ?? []) {
        change(w);
        await converge(w, targetWith());
      }
      expect(w.milestones.filter((m) => m === `copy created for ${NAME}`)).to.have.length(c.created);
      expect(w.milestones.filter((m) => m === 'status written')).to.have.length(c.statusWritten);
      expect(w.milestones.at(-1), 'a settled pass finds the status in sync').to.equal('status in sync');
    });
  }

  const createCases: { name: string; behaviour?: Partial<SyncBehaviour>; settled: boolean }[] = [
    { name: 'a created copy with nothing to follow needs no pass after its create', settled: true },
    {
      name: 'a created copy whose status goes up at once (a status mutation) needs the pass that writes it',
      behaviour: { statusMutator: { isIdentity: false, apply: (obj) => ({ ...obj, status: { phase: 'Pending' } }) } },
      settled: false,
    },
    {
      name: 'a created copy whose status mutation fails is placed, and the pass after reports the failure',
      behaviour: {
        statusMutator: {
          isIdentity: false,
          apply: () => {
            throw new Error('status mutation failed');
          },
        },
      },
      settled: false,
    },
    {
      name: 'a created copy with related objects to sync needs the pass that syncs them',
      behaviour: { related: compileBehaviour(publishedWithRelated()).related },
      settled: false,
    },
  ];
  for (const c of createCases) {
    it(c.name, async function () {
      const w = newWorld();
      w.behaviour = { ...NO_BEHAVIOUR, ...c.behaviour };
      w.remote.put(REMOTE_PATH, consumerObject());
      await converge(w, targetWith());
      expect(w.local.objects.get(COPY_PATH), 'the copy').to.not.equal(undefined);
      expect(w.settledLocalWrites[0], 'the create').to.equal(c.settled);
      if (c.settled) expect(w.milestones, 'its status found in sync').to.include('status in sync');
    });
  }

  it('places the copy in a namespace it makes sure exists', async function () {
    const w = newWorld();
    w.remote.put(REMOTE_PATH, consumerObject());
    await converge(w, targetWith());
    expect([...w.namespaces]).to.deep.equal([CLUSTER]);
  });
});

/** A PublishedResource with one related Secret, for the behaviour it compiles to. */
function publishedWithRelated(): PublishedResource {
  return {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name: 'publish-crontabs' },
    spec: {
      resource: { apiGroup: 'example.com', kind: 'CronTab' },
      related: [
        {
          identifier: 'credentials',
          origin: 'service',
          kind: 'Secret',
          object: { reference: { path: 'spec.secretName' } },
        },
      ],
    },
  };
}
