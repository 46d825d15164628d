import type { KubeObject } from '../../kube/object.ts';
import type { Logger } from '../../log/logger.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { InformerOutage } from '../../runtime/informer.ts';
import { Controller, type ControllerObserver } from '../../runtime/controller.ts';
import { WorkQueue } from '../../runtime/workqueue.ts';
import type { SyncTarget } from '../../translate/sync-target.ts';
import type { SyncBehaviour } from '../../sync/behaviour.ts';
import type { AgentContext } from '../context.ts';
import { statusWriter } from '../shared/status-writer.ts';
import type { NamespaceCleanup } from '../namespaces/controller.ts';
import { SyncController } from '../sync/controller.ts';
import type { OrphanSweepScope } from '../sync/orphan-sweep.ts';
import { CONTROLLER_NAME, reconcileSyncManager, type SyncManagerDeps } from './reconciler.ts';

/** What one PublishedResource syncs, as the reconcile planned it. */
export interface SyncPlan {
  readonly target: SyncTarget;
  readonly behaviour: SyncBehaviour;
}

/** What the manager needs of a running sync; a SyncController is one. */
export interface ManagedSync {
  hasSynced(): boolean;
  /** Points the sync's remote watches at these URLs; safe to call repeatedly. */
  setEndpoints(urls: readonly string[], signal: AbortSignal): void;
  /** Runs until signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** The URLs whose watch fails now. */
  endpointOutages(): Map<string, InformerOutage>;
  /** Whether it still watches this URL. */
  watches(url: string): boolean;
  /** Whether its cache holds a copy in this service namespace. */
  hasCopiesIn(namespace: string): boolean;
}

export interface SyncManagerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer?: ControllerObserver | undefined;
  /** The reconcile's inputs and status writes; starting and stopping syncs is the manager's. */
  readonly reconcile: Omit<SyncManagerDeps, 'ensureSync' | 'stopSync'>;
  /** The virtual-workspace URLs every sync watches now (from the endpoint slice). */
  endpointUrls(): string[];
  newSync(publishedResource: string, plan: SyncPlan): ManagedSync;
}

interface RunningSync {
  readonly fingerprint: string;
  readonly sync: ManagedSync;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/** The URLs an APIExportEndpointSlice lists (empty until a workspace binds). */
export function endpointUrls(slice: KubeObject | undefined): string[] {
  const status = slice?.['status'] as { endpoints?: { url?: unknown }[] } | undefined;
  return (status?.endpoints ?? []).flatMap((e) => (typeof e.url === 'string' ? [e.url] : []));
}

/**
 * Runs one sync per PublishedResource, keyed by its name: an edit that
 * changes what is synced stops the old sync before the new one starts; a
 * deleted or disabled PublishedResource stops its sync. Every reconcile also
 * hands a running sync the endpoint slice's current URLs, so enqueueing all
 * names is how a change of the slice reaches the syncs. Each sync has its own
 * AbortController, aborted only by stopSync; run() stops the remaining syncs
 * when its signal aborts, so nothing listens on the long-lived signal.
 */
export class SyncManager {
  private readonly opts: SyncManagerOptions;
  private readonly queue: WorkQueue;
  private readonly running = new Map<string, RunningSync>();
  /** Set while run() runs and not shutting down; no sync starts without it. */
  private runSignal: AbortSignal | undefined;

  constructor(opts: SyncManagerOptions) {
    this.opts = opts;
    this.queue = new WorkQueue({ clock: opts.clock, name: CONTROLLER_NAME });
  }

  /** Reconciles the PublishedResource of this name soon. */
  enqueue(name: string): void {
    this.queue.add(name);
  }

  /** Reconciles every PublishedResource the agent handles and every running sync soon. */
  enqueueAll(): void {
    for (const pr of this.opts.reconcile.listPublishedResources()) this.queue.add(pr.metadata.name ?? '');
    for (const name of this.running.keys()) this.queue.add(name);
  }

  /**
   * The virtual-workspace URLs some sync cannot watch now, each with the
   * earliest outage among the syncs (they fail together when a shard is down).
   */
  endpointOutages(): Map<string, InformerOutage> {
    const out = new Map<string, InformerOutage>();
    for (const r of this.running.values()) {
      for (const [url, outage] of r.sync.endpointOutages()) {
        const seen = out.get(url);
        if (seen === undefined || outage.since < seen.since) out.set(url, outage);
      }
    }
    return out;
  }

  /** Whether any sync still watches this virtual-workspace URL. */
  /** Whether any sync's cache holds a copy in this service namespace. */
  hasCopiesIn(namespace: string): boolean {
    return [...this.running.values()].some((r) => r.sync.hasCopiesIn(namespace));
  }

  watches(url: string): boolean {
    return [...this.running.values()].some((r) => r.sync.watches(url));
  }

  /** The PublishedResources whose sync runs now. */
  runningSyncs(): string[] {
    return [...this.running.keys()];
  }

  /** Reconciles until signal aborts, then stops every sync and waits for them. */
  async run(signal: AbortSignal): Promise<void> {
    const controller = new Controller({
      name: CONTROLLER_NAME,
      queue: this.queue,
      workers: 2,
      logger: this.opts.logger,
      observer: this.opts.observer,
      reconcile: (name) =>
        reconcileSyncManager(name, {
          ...this.opts.reconcile,
          ensureSync: (n, plan, fingerprint) => this.ensureSync(n, plan, fingerprint),
          stopSync: (n) => this.stopSync(n),
        }),
    });
    this.runSignal = signal;
    try {
      await controller.start(signal);
    } finally {
      await Promise.all([...this.running.keys()].map((name) => this.stopSync(name)));
    }
  }

  private async ensureSync(name: string, plan: SyncPlan, fingerprint: string): Promise<boolean> {
    const current = this.running.get(name);
    if (current?.fingerprint === fingerprint) {
      current.sync.setEndpoints(this.opts.endpointUrls(), current.abort.signal);
      return current.sync.hasSynced();
    }
    await this.stopSync(name);
    if (this.runSignal === undefined || this.runSignal.aborted) return false;
    this.opts.logger.info('Starting sync…', {
      publishedResource: name,
      remote: plan.target.remote,
      local: plan.target.local,
    });
    const abort = new AbortController();
    const sync = this.opts.newSync(name, plan);
    sync.setEndpoints(this.opts.endpointUrls(), abort.signal);
    const done = sync.run(abort.signal).catch((err: unknown) => {
      this.opts.logger.error('Sync stopped with an error', {
        publishedResource: name,
        error: err instanceof Error ? err.message : String(err),
      });
      // Forgotten, so the next reconcile (with backoff) starts it afresh.
      if (this.running.get(name)?.sync === sync) this.running.delete(name);
      if (!abort.signal.aborted) this.queue.addRateLimited(name);
    });
    this.running.set(name, { fingerprint, sync, abort, done });
    return false;
  }

  private async stopSync(name: string): Promise<void> {
    const r = this.running.get(name);
    if (r === undefined) return;
    this.running.delete(name);
    this.opts.logger.info('Stopping sync…', { publishedResource: name });
    r.abort.abort();
    await r.done;
  }
}

/** What the orphan sweep of one sync may assume, from the whole agent's view (see SyncControllerDeps.sweep). */
function orphanSweepScope(ctx: AgentContext, target: SyncTarget): OrphanSweepScope {
  return {
    singleEndpoint: () => endpointUrls(ctx.endpointSlices.get(ctx.options.apiExportEndpointSliceRef)).length === 1,
    soleSyncOfLocalType: () =>
      ctx
        .listPublishedResources()
        .filter((pr) => pr.spec.resource.apiGroup === target.local.group && pr.spec.resource.kind === target.local.kind)
        .length === 1,
  };
}

/** With --split-endpoints: the URLs this replica holds the Lease of. */
export interface EndpointShare {
  owns(url: string): boolean;
}

/**
 * Wires the SyncManager: every PublishedResource is looked at again on any
 * change of one (whether one may sync depends on the others: two must not
 * publish the same kcp resource), of a CRD, or of the endpoint slice. The
 * handlers only enqueue; the reconcile does the work.
 */
export function registerSyncManager(
  ctx: AgentContext,
  share?: EndpointShare,
  namespaces?: NamespaceCleanup,
): SyncManager {
  const logger = ctx.logger.child({ controller: CONTROLLER_NAME });
  /** Namespaces known to exist on the service cluster, shared by all syncs. */
  const knownNamespaces = new Set<string>();
  const manager = new SyncManager({
    clock: ctx.clock,
    logger,
    observer: ctx.observer,
    reconcile: {
      agentName: ctx.options.agentName,
      selector: ctx.selector,
      getPublishedResource: (n) => ctx.getPublishedResource(n),
      listPublishedResources: () => ctx.listPublishedResources(),
      findSource: (g, k) => ctx.findSource(g, k),
      writeStatus: statusWriter(ctx, CONTROLLER_NAME),
    },
    endpointUrls: () => {
      const all = endpointUrls(ctx.endpointSlices.get(ctx.options.apiExportEndpointSliceRef));
      return share === undefined ? all : all.filter((url) => share.owns(url));
    },
    newSync: (name, { target, behaviour }) =>
      new SyncController({
        target,
        behaviour,
        kcp: ctx.kcp,
        local: ctx.service,
        events: ctx.events,
        clock: ctx.clock,
        logger: ctx.logger.child({ controller: 'sync', publishedResource: name }),
        workers: ctx.options.syncWorkers,
        observer: ctx.observer,
        knownNamespaces,
        sweep: orphanSweepScope(ctx, target),
        onCopyGone:
          namespaces === undefined
            ? undefined
            : (ns) => {
                namespaces.copyGone(ns);
              },
      }),
  });
  ctx.publishedResources.onChange((obj) => {
    manager.enqueue(obj.metadata.name ?? '');
    manager.enqueueAll();
  });
  ctx.crds.onChange(() => {
    manager.enqueueAll();
  });
  ctx.endpointSlices.onChange((slice, _old, deleted) => {
    if (slice.metadata.name !== ctx.options.apiExportEndpointSliceRef) return;
    logger.info('Virtual workspace endpoints changed', { urls: deleted ? [] : endpointUrls(slice) });
    manager.enqueueAll();
  });
  ctx.manager.add(CONTROLLER_NAME, (signal) => manager.run(signal));
  return manager;
}
