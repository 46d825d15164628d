import { expect } from 'chai';
import { ApiError } from '../../../src/kube/errors.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import { nopLogger } from '../../../src/log/logger.ts';
import { LeaderElector, type LeaseClient } from '../../../src/runtime/leader-election.ts';
import { FakeClock } from '../../utils/fake-clock.ts';
import { advanceSettling, settle } from '../../utils/settle.ts';

const ME = 'replica-a';
const OTHER = 'replica-b';
const RETRY_MS = 1_500;
const RENEW_DEADLINE_MS = 6_000;
const LEASE_SECONDS = 10;

interface LeaseSpec {
  holderIdentity?: string;
  renewTime?: string;
  acquireTime?: string;
  leaseTransitions?: number;
  leaseDurationSeconds?: number;
}

/**
 * One Lease with the API server's optimistic concurrency: a replace must
 * carry the stored resourceVersion, a create fails when the Lease exists.
 */
class LeaseStore implements LeaseClient {
  private lease: KubeObject | undefined;
  private version = 0;
  /** While set, every call fails as an unreachable server would. */
  unreachable = false;

  get(path: string): Promise<KubeObject> {
    if (this.unreachable) return Promise.reject(unavailable(path));
    if (this.lease === undefined)
      return Promise.reject(new ApiError({ code: 404, reason: 'NotFound', message: 'not found', method: 'GET', path }));
    return Promise.resolve(structuredClone(this.lease));
  }

  create(path: string, obj: unknown): Promise<KubeObject> {
    if (this.unreachable) return Promise.reject(unavailable(path));
    if (this.lease !== undefined)
      return Promise.reject(
        new ApiError({ code: 409, reason: 'AlreadyExists', message: 'exists', method: 'POST', path }),
      );
    return Promise.resolve(this.store(obj));
  }

  replace(path: string, obj: unknown): Promise<KubeObject> {
    if (this.unreachable) return Promise.reject(unavailable(path));
    if ((obj as KubeObject).metadata.resourceVersion !== this.lease?.metadata.resourceVersion) {
      return Promise.reject(new ApiError({ code: 409, reason: 'Conflict', message: 'modified', method: 'PUT', path }));
    }
    return Promise.resolve(this.store(obj));
  }

  spec(): LeaseSpec | undefined {
    return this.lease?.['spec'] as LeaseSpec | undefined;
  }

  /** Another replica writes the Lease as its own (as after it took over). */
  holdAs(holderIdentity: string, renewTime: string): void {
    this.store({
      ...this.lease,
      metadata: { name: 'syncagent.test' },
      spec: { ...this.spec(), holderIdentity, renewTime, leaseDurationSeconds: LEASE_SECONDS },
    });
  }

  private store(obj: unknown): KubeObject {
    const lease = structuredClone(obj) as KubeObject;
    lease.metadata.resourceVersion = String(++this.version);
    this.lease = lease;
    return structuredClone(lease);
  }
}

function unavailable(path: string): ApiError {
  return new ApiError({ code: 503, reason: 'ServiceUnavailable', message: 'down', method: 'GET', path });
}

/** Work that runs until its leader signal aborts, recording that it did. */
class LedWork {
  started = false;
  stopped = false;
  readonly lead = (signal: AbortSignal): Promise<void> => {
    this.started = true;
    return new Promise((resolve) => {
      signal.addEventListener(
        'abort',
        () => {
          this.stopped = true;
          resolve();
        },
        { once: true },
      );
    });
  };
}

function setup(onLost?: () => void): {
  clock: FakeClock;
  store: LeaseStore;
  elector: LeaderElector;
  shutdown: AbortController;
} {
  const clock = new FakeClock();
  const store = new LeaseStore();
  const elector = new LeaderElector({
    ...(onLost === undefined ? {} : { onLost }),
    client: store,
    namespace: 'agents',
    name: 'syncagent.test',
    identity: ME,
    clock,
    logger: nopLogger,
    now: () => new Date(Date.UTC(2026, 0, 1) + clock.now()),
    leaseDurationSeconds: LEASE_SECONDS,
    renewDeadlineMs: RENEW_DEADLINE_MS,
    retryPeriodMs: RETRY_MS,
  });
  return { clock, store, elector, shutdown: new AbortController() };
}

describe('LeaderElector', function () {
  it('acquires a free lease at once and runs the work as the leader', async function () {
    const { store, elector, shutdown } = setup();
    const work = new LedWork();

    const run = elector.run(shutdown.signal, work.lead);
    await settle();

    expect(work.started).to.equal(true);
    expect(elector.isLeader()).to.equal(true);
    expect(store.spec()).to.include({ holderIdentity: ME, leaseTransitions: 0, leaseDurationSeconds: LEASE_SECONDS });
    shutdown.abort();
    await run;
  });

  it('waits while another replica renews its lease, and takes it over once it stays unrenewed for the lease duration', async function () {
    const { clock, store, elector, shutdown } = setup();
    store.holdAs(OTHER, 'renewed-0');
    const work = new LedWork();

    const run = elector.run(shutdown.signal, work.lead);
    for (let i = 1; i <= 10; i++) {
      await advanceSettling(clock, RETRY_MS, 100);
      store.holdAs(OTHER, `renewed-${i}`);
    }
    expect(work.started, 'led while another replica renewed').to.equal(false);

    await advanceSettling(clock, LEASE_SECONDS * 1000 + 2 * RETRY_MS, 100);

    expect(work.started).to.equal(true);
    expect(store.spec()).to.include({ holderIdentity: ME, leaseTransitions: 1 });
    shutdown.abort();
    await run;
  });

  it('stops vouching for writes at once when its clock jumps past the renew deadline (a frozen process), before any renewal runs', async function () {
    const { clock, elector, shutdown } = setup();
    const run = elector.run(shutdown.signal, new LedWork().lead);
    await settle();
    expect(elector.holdsLease(), 'right after acquiring').to.equal(true);

    // A frozen process wakes with its timers all due at once; the check must not need one of them to run first.
    clock.advance(RENEW_DEADLINE_MS);

    expect(elector.isLeader(), 'still in the leading loop').to.equal(true);
    expect(elector.holdsLease(), 'vouches for writes').to.equal(false);
    shutdown.abort();
    await run;
  });

  it('renews the lease every retry period while leading', async function () {
    const { clock, store, elector, shutdown } = setup();
    const run = elector.run(shutdown.signal, new LedWork().lead);
    await settle();
    const acquired = store.spec()?.renewTime;

    await advanceSettling(clock, 3 * LEASE_SECONDS * 1000, 100);

    expect(store.spec()?.holderIdentity).to.equal(ME);
    expect(store.spec()?.acquireTime).to.equal(acquired);
    expect(Date.parse(store.spec()?.renewTime ?? '') - Date.parse(acquired ?? '')).to.be.within(
      3 * LEASE_SECONDS * 1000 - RETRY_MS,
      3 * LEASE_SECONDS * 1000,
    );
    expect(elector.isLeader()).to.equal(true);
    shutdown.abort();
    await run;
  });

  const losses: { name: string; lose: (store: LeaseStore) => void; holderAfter: string }[] = [
    {
      name: 'another replica takes the lease',
      lose: (store) => {
        store.holdAs(OTHER, 'taken');
      },
      holderAfter: OTHER,
    },
    {
      name: 'the lease cannot be renewed within the renew deadline',
      lose: (store) => {
        store.unreachable = true;
      },
      holderAfter: ME,
    },
  ];
  for (const c of losses) {
    it(`stops the work and reports the loss when ${c.name}`, async function () {
      // Told before the work stops: the writes still unanswered then are reported (write-fence.ts).
      let stoppedWhenTold: boolean | undefined;
      const { clock, store, elector, shutdown } = setup(() => {
        stoppedWhenTold = work.stopped;
      });
      const work = new LedWork();
      const run = elector.run(shutdown.signal, work.lead);
      await advanceSettling(clock, 2 * RETRY_MS, 100);

      c.lose(store);
      await advanceSettling(clock, RENEW_DEADLINE_MS - RETRY_MS, 100);
      expect(work.stopped, 'stopped before the renew deadline').to.equal(false);
      await advanceSettling(clock, 2 * RETRY_MS, 100);

      expect(work.stopped).to.equal(true);
      expect(stoppedWhenTold, 'told of the loss before the work stopped').to.equal(false);
      expect(await run).to.equal(true);
      expect(elector.isLeader()).to.equal(false);
      store.unreachable = false;
      expect(store.spec()?.holderIdentity).to.equal(c.holderAfter);
    });
  }

  it('on shutdown stops the work, waits for it and releases the lease', async function () {
    const { store, elector, shutdown } = setup();
    const work = new LedWork();
    const run = elector.run(shutdown.signal, work.lead);
    await settle();

    shutdown.abort();

    expect(await run).to.equal(false);
    expect(work.stopped).to.equal(true);
    expect(store.spec()?.holderIdentity).to.equal('');
  });

  it('gives up without leading when shut down while waiting for the lease', async function () {
    const { clock, store, elector, shutdown } = setup();
    store.holdAs(OTHER, 'fresh');
    const work = new LedWork();
    const run = elector.run(shutdown.signal, work.lead);
    await advanceSettling(clock, RETRY_MS, 100);

    shutdown.abort();

    expect(await run).to.equal(false);
    expect(work.started).to.equal(false);
    expect(store.spec()?.holderIdentity).to.equal(OTHER);
  });

  it('rejects with the failure of the work at once, and releases the lease', async function () {
    const { store, elector, shutdown } = setup();
    const failure = new Error('a component failed');

    // No fake time passes: the failure must end the leadership by itself.
    const error = await elector
      .run(shutdown.signal, () => Promise.reject(failure))
      .then(
        () => undefined,
        (err: unknown) => err,
      );

    expect(error).to.be.instanceOf(Error);
    expect((error as Error).cause).to.equal(failure);
    expect(elector.isLeader()).to.equal(false);
    expect(store.spec()?.holderIdentity).to.equal('');
  });
});
