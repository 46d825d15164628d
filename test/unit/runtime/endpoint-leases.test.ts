import { expect } from 'chai';
import { ApiError } from '../../../src/kube/errors.ts';
import type { KubeList, KubeObject } from '../../../src/kube/object.ts';
import { createLogger, nopLogger } from '../../../src/log/logger.ts';
import { EndpointLeases } from '../../../src/runtime/endpoint-leases.ts';
import { FakeClock } from '../../utils/fake-clock.ts';
import { advanceSettling } from '../../utils/settle.ts';

const URLS = ['https://127.0.0.1:6444/services/apiexport/p/e', 'https://127.0.0.1:40001/services/apiexport/p/e'];

/** A namespace of Leases with the API server's optimistic concurrency. */
class LeaseNamespace {
  private readonly leases = new Map<string, KubeObject>();
  private version = 0;

  /** A replica's view of the store; `cut()` makes every later call fail, as for a crashed or partitioned replica. */
  clientFor(): { client: EndpointLeasesClient; cut: () => void } {
    let down = false;
    const guard = <T>(path: string, f: () => T): Promise<T> =>
      new Promise((resolve) => {
        if (down) throw new ApiError({ code: 503, reason: 'ServiceUnavailable', message: 'down', method: 'GET', path });
        resolve(f());
      });
    return {
      cut: () => {
        down = true;
      },
      client: {
        get: (path) =>
          guard(path, () => {
            const l = this.leases.get(path);
            if (l === undefined)
              throw new ApiError({ code: 404, reason: 'NotFound', message: 'not found', method: 'GET', path });
            return structuredClone(l);
          }),
        create: (collection, obj) =>
          guard(collection, () => {
            const path = `${collection}/${(obj as KubeObject).metadata.name ?? ''}`;
            if (this.leases.has(path))
              throw new ApiError({ code: 409, reason: 'AlreadyExists', message: 'exists', method: 'POST', path });
            return this.store(path, obj);
          }),
        replace: (path, obj) =>
          guard(path, () => {
            if ((obj as KubeObject).metadata.resourceVersion !== this.leases.get(path)?.metadata.resourceVersion) {
              throw new ApiError({ code: 409, reason: 'Conflict', message: 'modified', method: 'PUT', path });
            }
            return this.store(path, obj);
          }),
        list: (path) =>
          guard(path, (): KubeList => ({
            metadata: {},
            items: [...this.leases.entries()].filter(([p]) => p.startsWith(path)).map(([, l]) => structuredClone(l)),
          })),
      },
    };
  }

  private store(path: string, obj: unknown): KubeObject {
    const lease = structuredClone(obj) as KubeObject;
    lease.metadata.resourceVersion = String(++this.version);
    this.leases.set(path, lease);
    return structuredClone(lease);
  }
}

type EndpointLeasesClient = ConstructorParameters<typeof EndpointLeases>[0]['client'];

function replica(
  ns: LeaseNamespace,
  clock: FakeClock,
  identity: string,
): { leases: EndpointLeases; cut: () => void; stop: AbortController; done: Promise<void> } {
  const { client, cut } = ns.clientFor();
  const leases = new EndpointLeases({
    client,
    namespace: 'agents',
    agentName: 'split',
    identity,
    clock,
    logger: process.env['DEBUG_LEASES'] === undefined ? nopLogger : createLogger({ format: 'Console', debug: true }),
    now: () => new Date(Date.UTC(2026, 0, 1) + clock.now()),
    urls: () => URLS,
    onOwnedChange: () => undefined,
    stillWatching: () => false,
    leaseDurationSeconds: 10,
    renewDeadlineMs: 6_000,
    retryPeriodMs: 1_500,
  });
  const stop = new AbortController();
  return { leases, cut, stop, done: leases.run(stop.signal) };
}

/** Advances in small steps, checking after each that no URL is owned twice. */
async function runChecked(clock: FakeClock, replicas: { leases: EndpointLeases }[], ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 250) {
    await advanceSettling(clock, 250, 50);
    const owned = replicas.flatMap((r) => r.leases.ownedUrls());
    expect(new Set(owned).size, `URLs owned twice at ${clock.now()} ms: ${owned.join(', ')}`).to.equal(owned.length);
  }
}

/** Shuts the replicas down and waits until they have released their Leases. */
async function stopAll(clock: FakeClock, replicas: { stop: AbortController; done: Promise<void> }[]): Promise<void> {
  for (const r of replicas) r.stop.abort();
  await advanceSettling(clock, 5_000, 50);
  await Promise.all(replicas.map((r) => r.done));
}

describe('EndpointLeases', function () {
  it('splits two URLs between two replicas, one each, never one URL twice', async function () {
    const clock = new FakeClock();
    const ns = new LeaseNamespace();
    const a = replica(ns, clock, 'a');
    const b = replica(ns, clock, 'b');
    await runChecked(clock, [a, b], 30_000);
    expect([...a.leases.ownedUrls(), ...b.leases.ownedUrls()].sort()).to.deep.equal([...URLS].sort());
    expect(a.leases.ownedUrls()).to.have.length(1);
    await stopAll(clock, [a, b]);
  });

  it('a lone replica takes every URL; a second one joining gets its share handed over', async function () {
    const clock = new FakeClock();
    const ns = new LeaseNamespace();
    const a = replica(ns, clock, 'a');
    await runChecked(clock, [a], 10_000);
    expect(a.leases.ownedUrls()).to.have.length(2);
    const b = replica(ns, clock, 'b');
    await runChecked(clock, [a, b], 20_000);
    expect(a.leases.ownedUrls()).to.have.length(1);
    expect(b.leases.ownedUrls()).to.have.length(1);
    await stopAll(clock, [a, b]);
  });

  it('a replica that dies (its calls fail) hands its URL over within the lease time plus a retry or two', async function () {
    const clock = new FakeClock();
    const ns = new LeaseNamespace();
    const a = replica(ns, clock, 'a');
    const b = replica(ns, clock, 'b');
    await runChecked(clock, [a, b], 20_000);
    const lost = b.leases.ownedUrls()[0] ?? '';
    b.cut();
    // b stops syncing after its renew deadline (6 s and a retry at most);
    // runChecked proves a did not take the URL before.
    await runChecked(clock, [a, b], 8_000);
    expect(b.leases.ownedUrls()).to.deep.equal([]);
    await runChecked(clock, [a, b], 8_000);
    expect(a.leases.ownedUrls()).to.include(lost);
    expect(a.leases.ownedUrls().sort()).to.deep.equal([...URLS].sort());
    await stopAll(clock, [a, b]);
  });
});
