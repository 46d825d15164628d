import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import type { PublishedResource } from '../../../src/apis/v1alpha1/published-resource.ts';
import type { ConditionInput } from '../../../src/controllers/shared/published-resources.ts';
import { type ManagedSync, SyncManager, type SyncPlan } from '../../../src/controllers/syncmanager/controller.ts';
import { nopLogger } from '../../../src/log/logger.ts';
import type { InformerOutage } from '../../../src/runtime/informer.ts';
import { FakeClock } from '../../utils/fake-clock.ts';
import { CRONTAB_CRD, publishedCronTabs, SCHEMA_READY } from '../../utils/published-resources.ts';
import { advanceSettling } from '../../utils/settle.ts';

/** A PublishedResource of CronTabs published in kcp under a resource of its own name (no two conflict). */
const published = (name: string, spec: Partial<PublishedResource['spec']> = {}): PublishedResource =>
  publishedCronTabs(name, spec, { resourceSchemaName: `vabc.${name}.example.com`, conditions: [SCHEMA_READY] });

/** A sync that runs until its signal aborts and records what it was given. */
class FakeSync implements ManagedSync {
  readonly name: string;
  readonly plan: SyncPlan;
  loaded = true;
  endpoints: readonly string[] = [];
  running = false;
  stopped = false;
  /** Set to make run() fail at once, as a sync whose watches cannot start. */
  failWith: Error | undefined;

  constructor(name: string, plan: SyncPlan) {
    this.name = name;
    this.plan = plan;
  }

  hasSynced(): boolean {
    return this.loaded;
  }

  hasCopiesIn(): boolean {
    return false;
  }

  setEndpoints(urls: readonly string[]): void {
    this.endpoints = urls;
  }

  /** Set by a test to stand for watches that fail. */
  outages = new Map<string, InformerOutage>();

  endpointOutages(): Map<string, InformerOutage> {
    return this.outages;
  }

  watches(url: string): boolean {
    return this.endpoints.includes(url);
  }

  run(signal: AbortSignal): Promise<void> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    this.running = true;
    return new Promise((resolve) => {
      signal.addEventListener(
        'abort',
        () => {
          this.running = false;
          this.stopped = true;
          resolve();
        },
        { once: true },
      );
    });
  }
}

/** The service cluster as the manager sees it, and every sync it created, oldest first. */
interface World {
  prs: Map<string, PublishedResource>;
  urls: string[];
  syncs: FakeSync[];
  syncing: Map<string, ConditionInput>;
  /** Applied to each new sync before it runs. */
  prepare?: (sync: FakeSync) => void;
}

function start(prs: PublishedResource[]): {
  world: World;
  manager: SyncManager;
  clock: FakeClock;
  shutdown: AbortController;
  done: Promise<void>;
} {
  const world: World = {
    prs: new Map(prs.map((p) => [p.metadata.name ?? '', p])),
    urls: ['https://kcp/services/apiexport/one'],
    syncs: [],
    syncing: new Map(),
  };
  const clock = new FakeClock();
  const manager = new SyncManager({
    clock,
    logger: nopLogger,
    reconcile: {
      agentName: 'example-agent',
      selector: [],
      getPublishedResource: (name) => structuredClone(world.prs.get(name)),
      listPublishedResources: () => structuredClone([...world.prs.values()]),
      findSource: () => Promise.resolve(structuredClone(CRONTAB_CRD)),
      writeStatus: (p, change) => {
        for (const c of change.conditions) world.syncing.set(p.metadata.name ?? '', c);
        return Promise.resolve(true);
      },
    },
    endpointUrls: () => [...world.urls],
    newSync: (name, plan) => {
      const sync = new FakeSync(name, plan);
      world.prepare?.(sync);
      world.syncs.push(sync);
      return sync;
    },
  });
  const shutdown = new AbortController();
  const done = manager.run(shutdown.signal);
  return { world, manager, clock, shutdown, done };
}

/** Lets the workers reconcile what is queued (including 250 ms polls and retry backoff). */
const reconcileQueued = (clock: FakeClock): Promise<void> => advanceSettling(clock, 1_000, 50);

/** Starts the manager and has it reconcile every PublishedResource once. */
async function startSynced(prs: PublishedResource[]): Promise<ReturnType<typeof start>> {
  const env = start(prs);
  env.manager.enqueueAll();
  await reconcileQueued(env.clock);
  return env;
}

describe('SyncManager', function () {
  it("starts one sync per published resource, with the endpoint slice's URLs, and reports Syncing", async function () {
    const { world, manager, clock, shutdown, done } = start([
      published('crontabs'),
      published('others', { synchronization: { enabled: false } }),
    ]);

    manager.enqueueAll();
    await reconcileQueued(clock);

    expect(manager.runningSyncs()).to.deep.equal(['crontabs']);
    expect(world.syncs.map((s) => [s.name, s.running, s.endpoints])).to.deep.equal([['crontabs', true, world.urls]]);
    expect(world.syncing.get('crontabs')).to.include({ status: 'True', reason: 'Syncing' });
    shutdown.abort();
    await done;
  });

  it("reports Starting until the sync's caches load, then Syncing", async function () {
    const { world, manager, clock, shutdown, done } = start([published('crontabs')]);
    world.prepare = (sync) => {
      sync.loaded = false;
    };

    manager.enqueue('crontabs');
    await reconcileQueued(clock);
    expect(world.syncing.get('crontabs')).to.include({ status: 'False', reason: 'Starting' });

    const [sync] = world.syncs;
    if (sync !== undefined) sync.loaded = true;
    await reconcileQueued(clock);

    expect(world.syncing.get('crontabs')).to.include({ status: 'True', reason: 'Syncing' });
    expect(world.syncs).to.have.length(1);
    shutdown.abort();
    await done;
  });

  it('replaces the sync of an edited published resource: the old one stops before the new one runs', async function () {
    const { world, manager, clock, shutdown, done } = await startSynced([published('crontabs')]);
    let oldStoppedBeforeNewStarted = false;
    world.prepare = () => {
      oldStoppedBeforeNewStarted = world.syncs[0]?.stopped === true;
    };

    world.prs.set('crontabs', published('crontabs', { filter: { resource: { matchLabels: { tier: 'gold' } } } }));
    manager.enqueue('crontabs');
    await reconcileQueued(clock);

    expect(world.syncs.map((s) => s.running)).to.deep.equal([false, true]);
    expect(oldStoppedBeforeNewStarted).to.equal(true);
    expect(world.syncs[1]?.plan.target.resourceFilter).to.deep.equal([
      { key: 'tier', operator: 'In', values: ['gold'] },
    ]);
    shutdown.abort();
    await done;
  });

  it('keeps the running sync when nothing it syncs changed, and hands it new endpoint URLs', async function () {
    const { world, manager, clock, shutdown, done } = await startSynced([published('crontabs')]);

    world.urls = ['https://kcp/services/apiexport/one', 'https://kcp/services/apiexport/two'];
    manager.enqueueAll();
    await reconcileQueued(clock);

    expect(world.syncs).to.have.length(1);
    expect(world.syncs[0]?.endpoints).to.deep.equal(world.urls);
    shutdown.abort();
    await done;
  });

  it('stops the sync of a deleted published resource', async function () {
    const { world, manager, clock, shutdown, done } = await startSynced([published('crontabs')]);

    world.prs.delete('crontabs');
    manager.enqueue('crontabs');
    await reconcileQueued(clock);

    expect(manager.runningSyncs()).to.deep.equal([]);
    expect(world.syncs[0]?.stopped).to.equal(true);
    shutdown.abort();
    await done;
  });

  it('starts a sync again after it failed', async function () {
    const { world, manager, clock, shutdown, done } = start([published('crontabs')]);
    world.prepare = (sync) => {
      if (world.syncs.length === 0) sync.failWith = new Error('watch failed');
    };

    manager.enqueue('crontabs');
    await reconcileQueued(clock);

    expect(world.syncs.map((s) => s.running)).to.deep.equal([false, true]);
    expect(manager.runningSyncs()).to.deep.equal(['crontabs']);
    shutdown.abort();
    await done;
  });

  it('on shutdown stops every sync, and restarts leave no listener on the shutdown signal', async function () {
    const { world, manager, clock, shutdown, done } = await startSynced([published('a'), published('b')]);
    const listeners = getEventListeners(shutdown.signal, 'abort').length;
    for (let i = 0; i < 5; i++) {
      world.prs.set('a', published('a', { naming: { namespace: `edit-${i}` } }));
      manager.enqueue('a');
      await reconcileQueued(clock);
    }
    expect(getEventListeners(shutdown.signal, 'abort')).to.have.length(listeners);

    shutdown.abort();
    await done;

    expect(world.syncs.map((s) => s.name)).to.deep.equal(['a', 'b', 'a', 'a', 'a', 'a', 'a']);
    expect(world.syncs.every((s) => s.stopped)).to.equal(true);
    expect(manager.runningSyncs()).to.deep.equal([]);
  });
});
