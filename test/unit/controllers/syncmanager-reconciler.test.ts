import { expect } from 'chai';
import type { CustomResourceDefinition } from '../../../src/apis/apiextensions.ts';
import type { PublishedResource } from '../../../src/apis/v1alpha1/published-resource.ts';
import type { ConditionInput } from '../../../src/controllers/shared/published-resources.ts';
import { reconcileSyncManager, type SyncManagerDeps } from '../../../src/controllers/syncmanager/reconciler.ts';
import type { Result } from '../../../src/runtime/controller.ts';
import { parseSelector, type Requirement } from '../../../src/translate/label-selector.ts';
import { CRONTAB_CRD, publishedCronTabs, SCHEMA_READY } from '../../utils/published-resources.ts';
import type { SyncTarget } from '../../../src/translate/sync-target.ts';

const AGENT = 'example-agent';
const NAME = 'publish-crontabs';

/** A PublishedResource whose schema is published, unless the overrides say otherwise. */
const pr = (spec: Partial<PublishedResource['spec']> = {}, status?: PublishedResource['status']): PublishedResource =>
  publishedCronTabs(NAME, spec, status);

interface RunningSync {
  target: SyncTarget;
  fingerprint: string;
}

/** The sync manager's view: which syncs run, and the Syncing condition of each PublishedResource. */
interface World {
  pr: PublishedResource | undefined;
  /** Other PublishedResources the agent handles. */
  others?: PublishedResource[];
  crds: CustomResourceDefinition[];
  running: Map<string, RunningSync>;
  /** Whether a sync's caches have loaded once it runs. */
  loaded: boolean;
  syncing: Map<string, ConditionInput>;
}

function depsFor(w: World, selector = ''): SyncManagerDeps {
  return {
    agentName: AGENT,
    selector: parseSelector(selector),
    getPublishedResource: (name) => (name === NAME ? structuredClone(w.pr) : undefined),
    listPublishedResources: () => structuredClone([...(w.pr === undefined ? [] : [w.pr]), ...(w.others ?? [])]),
    findSource: (group, kind) =>
      Promise.resolve(structuredClone(w.crds.find((c) => c.spec.group === group && c.spec.names.kind === kind))),
    // Honours the contract: a sync with another fingerprint is replaced, never duplicated.
    ensureSync: (name, plan, fingerprint) => {
      if (w.running.get(name)?.fingerprint !== fingerprint) w.running.set(name, { target: plan.target, fingerprint });
      return Promise.resolve(w.loaded);
    },
    stopSync: (name) => {
      w.running.delete(name);
      return Promise.resolve();
    },
    writeStatus: (p, change) => {
      for (const c of change.conditions) if (c.type === 'Syncing') w.syncing.set(p.metadata.name ?? '', c);
      return Promise.resolve(true);
    },
  };
}

const newWorld = (p: PublishedResource | undefined, running: [string, RunningSync][] = []): World => ({
  pr: p,
  crds: [CRONTAB_CRD],
  running: new Map(running),
  loaded: true,
  syncing: new Map(),
});

/** A sync started for an older version of the PublishedResource. */
const STALE: [string, RunningSync] = [NAME, { target: {} as SyncTarget, fingerprint: 'stale' }];

interface Case {
  name: string;
  world: () => World;
  selector?: string;
  expected: {
    result: Result | undefined;
    /** Whether a sync runs for the PublishedResource afterwards. */
    running: boolean;
    /** Syncing as [status, reason], or undefined when none was written. */
    syncing?: [string, string | undefined];
    resourceFilter?: Requirement[];
  };
}

const cases: Case[] = [
  {
    name: 'a published resource with its schema ready starts syncing',
    world: () => newWorld(pr()),
    expected: { result: undefined, running: true, syncing: ['True', 'Syncing'], resourceFilter: [] },
  },
  {
    name: 'a sync whose caches are still loading reports Starting and is polled',
    world: () => ({ ...newWorld(pr()), loaded: false }),
    expected: { result: { requeueAfterMs: 250 }, running: true, syncing: ['False', 'Starting'] },
  },
  {
    name: 'disabled synchronization stops a running sync and reports Disabled',
    world: () => newWorld(pr({ synchronization: { enabled: false } }), [STALE]),
    expected: { result: undefined, running: false, syncing: ['False', 'Disabled'] },
  },
  {
    name: 'without a schema name the sync waits for the schema',
    world: () => newWorld(pr({}, {})),
    expected: { result: undefined, running: false, syncing: ['False', 'WaitingForSchema'] },
  },
  {
    name: 'a schema name without SchemaReady True still waits for the schema',
    world: () =>
      newWorld(
        pr({}, { resourceSchemaName: 'vabc.crontabs.example.com', conditions: [{ ...SCHEMA_READY, status: 'False' }] }),
      ),
    expected: { result: undefined, running: false, syncing: ['False', 'WaitingForSchema'] },
  },
  {
    name: 'an invalid related rule stops the sync and is reported',
    world: () =>
      newWorld(pr({ related: [{ identifier: 'creds', origin: 'service', kind: 'Secret', object: {} }] }), [STALE]),
    expected: { result: undefined, running: false, syncing: ['False', 'InvalidSpec'] },
  },
  {
    name: 'a missing source CRD stops the sync',
    world: () => ({ ...newWorld(pr(), [STALE]), crds: [] }),
    expected: { result: undefined, running: false },
  },
  {
    name: 'an invalid version selection stops the sync and reports InvalidSpec',
    world: () => newWorld(pr({ resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v9'] } }), [STALE]),
    expected: { result: undefined, running: false, syncing: ['False', 'InvalidSpec'] },
  },
  {
    name: 'an edited PublishedResource replaces its running sync with one for the new spec',
    world: () => newWorld(pr({ filter: { resource: { matchLabels: { tier: 'gold' } } } }), [STALE]),
    expected: {
      result: undefined,
      running: true,
      syncing: ['True', 'Syncing'],
      resourceFilter: [{ key: 'tier', operator: 'In', values: ['gold'] }],
    },
  },
  {
    name: 'a PublishedResource publishing the same kcp resource as an older one does not sync',
    world: () => ({
      ...newWorld({ ...pr(), metadata: { name: NAME, creationTimestamp: '2025-02-01T00:00:00Z' } }, [STALE]),
      others: [{ ...pr(), metadata: { name: 'first', creationTimestamp: '2025-01-01T00:00:00Z' } }],
    }),
    expected: { result: undefined, running: false, syncing: ['False', 'Conflict'] },
  },
  {
    name: 'the older of two PublishedResources publishing the same kcp resource syncs',
    world: () => ({
      ...newWorld({ ...pr(), metadata: { name: NAME, creationTimestamp: '2025-01-01T00:00:00Z' } }),
      others: [{ ...pr(), metadata: { name: 'second', creationTimestamp: '2025-02-01T00:00:00Z' } }],
    }),
    expected: { result: undefined, running: true, syncing: ['True', 'Syncing'] },
  },
  {
    name: 'a deleted PublishedResource stops its sync',
    world: () => newWorld(undefined, [STALE]),
    expected: { result: undefined, running: false },
  },
  {
    name: 'a PublishedResource being deleted stops its sync',
    world: () =>
      newWorld({ ...pr(), metadata: { name: NAME, deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['x'] } }, [
        STALE,
      ]),
    expected: { result: undefined, running: false },
  },
  {
    name: "a PublishedResource that no longer matches the agent's selector stops its sync",
    world: () => newWorld(pr(), [STALE]),
    selector: 'team=a',
    expected: { result: undefined, running: false },
  },
];

describe('reconcileSyncManager', function () {
  for (const c of cases) {
    it(c.name, async function () {
      const w = c.world();

      const result = await reconcileSyncManager(NAME, depsFor(w, c.selector));

      expect(result).to.deep.equal(c.expected.result);
      expect([...w.running.keys()]).to.deep.equal(c.expected.running ? [NAME] : []);
      const syncing = w.syncing.get(NAME);
      if (c.expected.syncing === undefined) expect(syncing).to.equal(undefined);
      else expect([syncing?.status, syncing?.reason]).to.deep.equal(c.expected.syncing);
      if (c.expected.resourceFilter !== undefined)
        expect(w.running.get(NAME)?.target.resourceFilter).to.deep.equal(c.expected.resourceFilter);
    });
  }

  it('an edit of the PublishedResource leaves exactly one sync, running with the new fingerprint', async function () {
    const w = newWorld(pr());
    await reconcileSyncManager(NAME, depsFor(w));
    const before = w.running.get(NAME)?.fingerprint;

    w.pr = pr({ naming: { namespace: 'synced-$remoteClusterName' } });
    await reconcileSyncManager(NAME, depsFor(w));

    expect([...w.running.keys()]).to.deep.equal([NAME]);
    const after = w.running.get(NAME);
    expect(after?.fingerprint).to.be.a('string').and.not.equal(before);
    expect(after?.target.naming).to.deep.equal({ name: undefined, namespace: 'synced-$remoteClusterName' });
  });

  it('reconciling an unchanged PublishedResource again keeps the same sync', async function () {
    const w = newWorld(pr());
    await reconcileSyncManager(NAME, depsFor(w));
    const first = w.running.get(NAME);

    await reconcileSyncManager(NAME, depsFor(w));

    expect(w.running.get(NAME)).to.equal(first);
  });
});
