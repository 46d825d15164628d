import { isAlreadyExists, isConflict, isNotFound } from '../kube/errors.ts';
import type { KubeObject } from '../kube/object.ts';
import { errorChain, type Logger } from '../log/logger.ts';
import type { Clock } from './clock.ts';

/**
 * The three Lease calls the elector makes; a RestClient is one. Kept this
 * narrow so unit tests can hand in a lease store instead of a server.
 */
export interface LeaseClient {
  get(path: string): Promise<KubeObject>;
  create(collectionPath: string, obj: unknown): Promise<KubeObject>;
  replace(path: string, obj: unknown): Promise<KubeObject>;
}

export interface LeaderElectionOptions {
  readonly client: LeaseClient;
  readonly namespace: string;
  /** Lease name; upstream uses `syncagent.<agent name>`. */
  readonly name: string;
  /** Unique per process (host name + random suffix). */
  readonly identity: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Wall-clock time for the Lease's timestamps. */
  readonly now: () => Date;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Told the moment the lease is found lost, before the work is stopped. */
  readonly onLost?: () => void;
}

/**
 * The agent's Lease timings, for the leader lease and the per-URL leases of
 * --split-endpoints: another replica takes over at most ~13 s after a holder
 * dies (lease + retry + one observation interval); a holder that cannot
 * renew for 6 s stops acting.
 */
export const AGENT_LEASE_TIMINGS = { leaseDurationSeconds: 10, renewDeadlineMs: 6_000, retryPeriodMs: 1_500 } as const;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/**
 * Lease-based leader election in the coordination.k8s.io format client-go
 * uses, so `kubectl get lease` reads as for any controller. Another holder's
 * lease counts as expired only after it has stayed unchanged, as observed on
 * our own clock, for its full duration: clock skew between replicas cannot
 * shorten it. A leader that cannot renew within the renew deadline gives up
 * (the caller then exits, so two replicas never both act for long).
 */
export class LeaderElector {
  private readonly opts: LeaderElectionOptions;
  private observed: { record: string; at: number } | undefined;
  private leading = false;
  /** When the last successful acquire or renewal was sent (our clock). */
  private renewedAt = Number.NEGATIVE_INFINITY;

  constructor(opts: LeaderElectionOptions) {
    this.opts = opts;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * True while this replica may write: it leads, and its last renewal was
   * sent less than the renew deadline ago. A process that was frozen (or
   * starved) past its lease finds this false at once when it wakes, before
   * its renewal loop has run: the other replica may already lead, and
   * timers queued while frozen would otherwise write next to it.
   */
  holdsLease(): boolean {
    return this.leading && this.opts.clock.now() - this.renewedAt < (this.opts.renewDeadlineMs ?? 10_000);
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases/${this.opts.name}`;
  }

  /**
   * Waits for leadership, runs `lead` with a signal that aborts when
   * leadership is lost or `signal` aborts, and resolves with whether
   * leadership was lost (true) rather than given up (false). Leadership is
   * given up, and the lease released, on shutdown and when `lead` settles on
   * its own; when `lead` fails, run rejects with its error as the cause once
   * the lease is released, so the caller's shutdown path sees the failure.
   */
  async run(signal: AbortSignal, lead: (leaderSignal: AbortSignal) => Promise<void>): Promise<boolean> {
    const retry = this.opts.retryPeriodMs ?? 2_000;
    while (!signal.aborted && !(await this.attempt())) {
      await this.opts.clock.sleep(retry, signal).catch(() => undefined);
    }
    if (signal.aborted) return false;
    this.leading = true;
    this.opts.logger.info('Became the leader', { lease: this.opts.name, identity: this.opts.identity });
    const leader = new AbortController();
    const stopLeading = (): void => {
      leader.abort();
    };
    signal.addEventListener('abort', stopLeading, { once: true });
    // Observed from the start: the work ending (or failing) ends the
    // renewals at once instead of waiting until the lease is lost.
    let failure: { error: unknown } | undefined;
    const work = (async () => lead(leader.signal))()
      .catch((err: unknown) => {
        failure = { error: err };
      })
      .finally(stopLeading);
    const lost = await this.renewUntilLost(leader.signal);
    leader.abort();
    await work;
    signal.removeEventListener('abort', stopLeading);
    this.leading = false;
    if (!lost) await this.release();
    if (failure !== undefined) throw new Error('failed while leading', { cause: failure.error });
    return lost;
  }

  private async renewUntilLost(signal: AbortSignal): Promise<boolean> {
    const retry = this.opts.retryPeriodMs ?? 2_000;
    const deadline = this.opts.renewDeadlineMs ?? 10_000;
    while (!signal.aborted) {
      await this.opts.clock.sleep(retry, signal).catch(() => undefined);
      if (signal.aborted) return false;
      if (!(await this.attempt()) && this.opts.clock.now() - this.renewedAt > deadline) {
        this.opts.logger.error('Lost the leader lease', { lease: this.opts.name });
        this.opts.onLost?.();
        return true;
      }
    }
    return false;
  }

  /**
   * Reads the lease and notes its holder's record without contending, so
   * that a later run() can take over a lease that has been stale all along
   * without first watching it for a full duration. Never throws.
   */
  async observe(): Promise<void> {
    try {
      const lease = await this.opts.client.get(this.path);
      this.expired(lease['spec'] ?? {});
    } catch {
      // Missing or unreachable: nothing to note.
    }
  }

  /** tryAcquireOrRenew, noting when a successful one was sent: the lease runs from then on the others' clocks at the earliest. */
  private async attempt(): Promise<boolean> {
    const sentAt = this.opts.clock.now();
    const held = await this.tryAcquireOrRenew();
    if (held) this.renewedAt = sentAt;
    return held;
  }

  /** One attempt; true when we hold the lease afterwards. Never throws. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    try {
      const lease = await this.opts.client.get(this.path).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      if (lease === undefined) return await this.create();
      const spec = (lease['spec'] ?? {}) as LeaseSpec;
      if (spec.holderIdentity !== this.opts.identity && !this.expired(spec)) return false;
      return await this.update(lease, spec);
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) {
        this.opts.logger.warn('Leader election attempt failed', { lease: this.opts.name, error: errorChain(err) });
      }
      return false;
    }
  }

  private expired(spec: LeaseSpec): boolean {
    if (spec.holderIdentity === undefined || spec.holderIdentity === '') return true;
    const record = `${spec.holderIdentity}|${spec.renewTime ?? ''}`;
    const now = this.opts.clock.now();
    if (this.observed?.record !== record) this.observed = { record, at: now };
    return now - this.observed.at > (spec.leaseDurationSeconds ?? 15) * 1000;
  }

  private async create(): Promise<boolean> {
    const time = microTime(this.opts.now());
    await this.opts.client.create(this.path.replace(/\/[^/]+$/, ''), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.opts.name, namespace: this.opts.namespace },
      spec: this.spec({ acquireTime: time, renewTime: time, leaseTransitions: 0 }),
    });
    return true;
  }

  private async update(lease: KubeObject, spec: LeaseSpec): Promise<boolean> {
    const time = microTime(this.opts.now());
    const takingOver = spec.holderIdentity !== this.opts.identity;
    await this.opts.client.replace(this.path, {
      ...lease,
      spec: this.spec({
        acquireTime: takingOver ? time : (spec.acquireTime ?? time),
        renewTime: time,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
      }),
    });
    return true;
  }

  private spec(times: { acquireTime: string; renewTime: string; leaseTransitions: number }): LeaseSpec {
    return { holderIdentity: this.opts.identity, leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 15, ...times };
  }

  /** On a clean shutdown, hands the lease over at once instead of letting it expire. */
  private async release(): Promise<void> {
    try {
      const lease = await this.opts.client.get(this.path);
      const spec = (lease['spec'] ?? {}) as LeaseSpec;
      if (spec.holderIdentity !== this.opts.identity) return;
      await this.opts.client.replace(this.path, {
        ...lease,
        spec: { ...spec, holderIdentity: '', leaseDurationSeconds: 1 },
      });
    } catch (err) {
      this.opts.logger.debug('Failed to release the leader lease', { error: errorChain(err) });
    }
  }
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
