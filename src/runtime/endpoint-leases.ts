import { createHash } from 'node:crypto';
import type { KubeList } from '../kube/object.ts';
import { errorChain, type Logger } from '../log/logger.ts';
import type { Clock } from './clock.ts';
import { assignEndpoints, MemberTracker, type MemberRecord } from './endpoint-shares.ts';
import { LeaderElector, type LeaseClient } from './leader-election.ts';

export interface EndpointLeasesOptions {
  /** Lease calls plus a list of the namespace's Leases (to see the other replicas). */
  readonly client: LeaseClient & { list(path: string): Promise<KubeList> };
  readonly namespace: string;
  readonly agentName: string;
  /** Unique per process. */
  readonly identity: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly now: () => Date;
  /** The endpoint slice's URLs now. */
  urls(): readonly string[];
  /** Called whenever this replica starts or stops owning a URL. */
  onOwnedChange(): void;
  /**
   * Whether the syncs still watch a URL. A URL given up is released only
   * once they have stopped (or after the renew deadline at the latest), so
   * the next owner cannot start while this replica still acts on it.
   */
  stillWatching(url: string): boolean;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

/**
 * Splits the endpoint slice's virtual-workspace URLs (one per kcp shard)
 * between replicas with one Lease per URL. Each replica keeps a membership
 * Lease; from the live members every replica computes the same assignment
 * (assignEndpoints) and contends only for its own URLs, through the same
 * LeaderElector the single-leader mode uses. A URL is synced only while its
 * Lease is held, so two replicas never sync one URL: a replica that cannot
 * renew stops watching it after the renew deadline, before the Lease can
 * expire for anyone else. When a replica dies, its membership Lease goes
 * stale; after the lease duration the others see it gone, the assignment
 * moves its URLs, and their Leases (just as stale) are taken over.
 */
export class EndpointLeases {
  private readonly opts: EndpointLeasesOptions;
  private readonly owned = new Set<string>();
  private readonly contending = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly members: MemberTracker;
  /** One elector per URL for the life of the replica: it remembers how long the Lease has looked stale. */
  private readonly electors = new Map<string, LeaderElector>();
  private readonly prefix: string;

  constructor(opts: EndpointLeasesOptions) {
    this.opts = opts;
    this.members = new MemberTracker((opts.leaseDurationSeconds ?? 15) * 1000);
    this.prefix = `syncagent.${opts.agentName}`;
  }

  /** The URLs this replica holds the Lease of, so syncs; sorted. */
  ownedUrls(): string[] {
    return [...this.owned].sort();
  }

  /** Keeps the membership Lease and the URL Leases until signal aborts; then releases them all. */
  async run(signal: AbortSignal): Promise<void> {
    const retry = this.opts.retryPeriodMs ?? 2_000;
    const membership = this.elector(this.memberLease(this.opts.identity))
      .run(signal, waitForAbort)
      .catch((err: unknown) => {
        this.opts.logger.error('Membership lease failed', { error: errorChain(err) });
      });
    while (!signal.aborted) {
      await this.rebalance(signal);
      await this.opts.clock.sleep(retry, signal).catch(() => undefined);
    }
    for (const c of this.contending.values()) c.abort.abort();
    await Promise.all([...this.contending.values()].map((c) => c.done));
    await membership;
  }

  /** Reads who is alive and who holds what, and contends for exactly the URLs assigned to us. */
  private async rebalance(signal: AbortSignal): Promise<void> {
    const urls = this.opts.urls();
    const view = await this.readLeases(urls);
    if (view === undefined) return;
    const mine = new Set(
      assignEndpoints(urls, [...view.live, this.opts.identity], view.holders).get(this.opts.identity) ?? [],
    );
    for (const url of mine) if (!this.contending.has(url)) this.contend(url, signal);
    for (const [url, c] of this.contending) {
      if (!mine.has(url)) {
        this.opts.logger.info('Handing over a virtual workspace URL', { url });
        c.abort.abort();
      }
    }
    // Watching the others' Leases too means a dead replica's URL is taken
    // as soon as its Lease has been stale for the lease duration, not a
    // full duration after the assignment moved it here.
    await Promise.all(urls.filter((url) => !this.contending.has(url)).map((url) => this.urlElector(url).observe()));
  }

  /** The live replicas (membership Leases) and the current holder of each URL's Lease; undefined when the list fails. */
  private async readLeases(
    urls: readonly string[],
  ): Promise<{ live: string[]; holders: Map<string, string> } | undefined> {
    const memberPrefix = `${this.prefix}.replica.`;
    const urlOfLease = new Map(urls.map((url) => [this.urlLease(url), url]));
    try {
      const list = await this.opts.client.list(`/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases`);
      const members: MemberRecord[] = [];
      const holders = new Map<string, string>();
      for (const l of list.items) {
        const name = l.metadata.name ?? '';
        const spec = (l['spec'] ?? {}) as { holderIdentity?: string; renewTime?: string };
        if (spec.holderIdentity === undefined || spec.holderIdentity === '') continue;
        if (name.startsWith(memberPrefix))
          members.push({ identity: spec.holderIdentity, renewTime: spec.renewTime ?? '' });
        const url = urlOfLease.get(name);
        if (url !== undefined) holders.set(url, spec.holderIdentity);
      }
      return { live: this.members.observe(members, this.opts.clock.now()), holders };
    } catch (err) {
      this.opts.logger.warn("Failed to list the replicas' leases; keeping the current split", {
        error: errorChain(err),
      });
      return undefined;
    }
  }

  private contend(url: string, signal: AbortSignal): void {
    const abort = new AbortController();
    const stop = (): void => {
      abort.abort();
    };
    signal.addEventListener('abort', stop, { once: true });
    const done = this.urlElector(url)
      .run(abort.signal, async (held) => {
        this.opts.logger.info('Syncing a virtual workspace URL', { url });
        this.owned.add(url);
        this.opts.onOwnedChange();
        await waitForAbort(held);
        this.owned.delete(url);
        this.opts.onOwnedChange();
        await this.drained(url);
      })
      .then(
        (lost) => {
          if (lost) this.opts.logger.warn('Lost the lease of a virtual workspace URL', { url });
        },
        (err: unknown) => {
          this.opts.logger.error('Lease of a virtual workspace URL failed', { url, error: errorChain(err) });
        },
      )
      .finally(() => {
        signal.removeEventListener('abort', stop);
        if (this.contending.get(url)?.abort === abort) this.contending.delete(url);
      });
    this.contending.set(url, { abort, done });
  }

  /** Waits (briefly, bounded by the renew deadline) until the syncs have let go of a URL. */
  private async drained(url: string): Promise<void> {
    const deadline = this.opts.clock.now() + (this.opts.renewDeadlineMs ?? 10_000);
    while (this.opts.stillWatching(url) && this.opts.clock.now() < deadline) await this.opts.clock.sleep(50);
  }

  private urlElector(url: string): LeaderElector {
    let e = this.electors.get(url);
    if (e === undefined) {
      e = this.elector(this.urlLease(url));
      this.electors.set(url, e);
    }
    return e;
  }

  private elector(name: string): LeaderElector {
    const { client, namespace, identity, clock, logger, now, leaseDurationSeconds, renewDeadlineMs, retryPeriodMs } =
      this.opts;
    return new LeaderElector({
      client,
      namespace,
      name,
      identity,
      clock,
      logger,
      now,
      ...(leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds }),
      ...(renewDeadlineMs === undefined ? {} : { renewDeadlineMs }),
      ...(retryPeriodMs === undefined ? {} : { retryPeriodMs }),
    });
  }

  /** `syncagent.<agent>.replica.<hash>`: identities hold characters a name may not. */
  private memberLease(identity: string): string {
    return `${this.prefix}.replica.${shortHash(identity)}`;
  }

  /** `syncagent.<agent>.endpoint.<hash of the URL>`. */
  private urlLease(url: string): string {
    return `${this.prefix}.endpoint.${shortHash(url)}`;
  }
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}
