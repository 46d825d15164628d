import { CLUSTER_ANNOTATION } from '../../apis/kcp.ts';
import { AGENT_NAME_LABEL } from '../../apis/v1alpha1/constants.ts';
import type { EventRecorder } from '../../kube/events.ts';
import type { KubeObject } from '../../kube/object.ts';
import type { RestClient } from '../../kube/rest-client.ts';
import type { Logger } from '../../log/logger.ts';
import type { Clock } from '../../runtime/clock.ts';
import { Controller, type ControllerObserver } from '../../runtime/controller.ts';
import { Informer, type InformerOutage } from '../../runtime/informer.ts';
import { WorkQueue } from '../../runtime/workqueue.ts';
import { remoteRefFromLocal } from '../../translate/sync-metadata.ts';
import {
  collectionPath,
  localKeyString,
  remoteKeyOfRef,
  remoteKeyString,
  type SyncTarget,
  tenantOfKey,
} from '../../translate/sync-target.ts';
import { CopyIndex } from './copy-index.ts';
import { type OrphanSweepScope, runOrphanSweep } from './orphan-sweep.ts';
import { reconcileObject } from './reconciler.ts';
import { StatusLatency } from './status-latency.ts';
import { TerminatingObjects } from './terminating.ts';
import { RelatedWatches } from './related-watches.ts';
import { WorkspaceLookups } from './workspace-lookups.ts';
import type { SyncBehaviour } from '../../sync/behaviour.ts';

/** Reconciles of one consumer workspace at a time, whatever --sync-workers is. */
const MAX_WORKERS_PER_WORKSPACE = 8;
/** How often consumer objects being deleted are reconciled again, whatever the watch says. */
const TERMINATING_RESYNC_MS = 10_000;

/** What latency metrics learn from a sync. Implementations must not throw. */
export interface SyncObserver {
  /** A copy was created for a consumer object created at `consumerCreated` (its creationTimestamp). */
  onCopyCreated(publishedResource: string, consumerCreated: string | undefined): void;
  /** A copy's status reached its consumer object, `durationMs` after the agent saw it change. */
  onStatusSynced(publishedResource: string, durationMs: number): void;
}

export interface SyncControllerDeps {
  readonly target: SyncTarget;
  readonly behaviour: SyncBehaviour;
  /** A client for the provider workspace; virtual-workspace clients derive from it. */
  readonly kcp: RestClient;
  readonly local: RestClient;
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly workers: number;
  readonly observer?: (ControllerObserver & SyncObserver) | undefined;
  /** Namespaces known to exist on the service cluster (shared by all syncs). */
  readonly knownNamespaces: Set<string>;
  /** Where the orphan sweep may look; without it there is no sweep. */
  readonly sweep?: OrphanSweepScope | undefined;
  /** Told when a copy of ours is gone from a namespace (namespace cleanup); unset with --namespace-cleanup=false. */
  readonly onCopyGone?: ((namespace: string) => void) | undefined;
}

/**
 * The sync of one PublishedResource: watches the published type in every
 * bound workspace (through each virtual-workspace URL) and the copies on the
 * service cluster, and reconciles one consumer object per queue key. Keys are
 * queued fairly per workspace, and one workspace gets at most half the
 * workers (8 at most), so a busy consumer cannot starve a quiet one.
 */
export class SyncController {
  private readonly deps: SyncControllerDeps;
  private readonly queue: WorkQueue;
  private readonly localInformer: Informer;
  private readonly relatedWatches: RelatedWatches;
  /** Remote key → the local informer's key of its copy. */
  private readonly copies = new CopyIndex();
  private readonly remotes = new Map<string, { informer: Informer; abort: AbortController; done: Promise<void> }>();
  /** Logical cluster → the virtual-workspace URL that serves it. */
  private readonly clusterUrls = new Map<string, string>();
  /** Only when both sides have a status, so that every timing it starts can end. */
  private readonly statusLatency: StatusLatency | undefined;
  private readonly lookups: WorkspaceLookups;
  private readonly terminating: TerminatingObjects;
  /** Set while our own write that needs no pass after it goes into the local cache (SyncIO.wroteLocal). */
  private settlingWrite = false;
  /** What reconciles are given, built once: a reconcile runs per consumer object and pass. */
  private ioOnce: Parameters<typeof reconcileObject>[2] | undefined;

  constructor(deps: SyncControllerDeps) {
    this.deps = deps;
    this.terminating = new TerminatingObjects(deps.clock, TERMINATING_RESYNC_MS);
    this.lookups = new WorkspaceLookups({
      remoteClient: (cluster) => this.remoteClient(cluster),
      local: deps.local,
      knownNamespaces: deps.knownNamespaces,
      agentName: deps.target.agentName,
    });
    const { publishedResource } = deps.target;
    this.statusLatency =
      deps.target.local.hasStatus && deps.target.remote.hasStatus
        ? new StatusLatency(deps.clock, (ms) => deps.observer?.onStatusSynced(publishedResource, ms))
        : undefined;
    this.queue = new WorkQueue({
      clock: deps.clock,
      tenantOf: tenantOfKey,
      // Half the workers at most for one workspace, so a workspace with a
      // large backlog leaves the other half for everyone else; and never more
      // than 8: its writes would otherwise fill kcp's queue ahead of theirs
      // (measured: with 32 a quiet tenant's p50 tripled under a noisy one).
      maxInFlightPerTenant: Math.min(MAX_WORKERS_PER_WORKSPACE, Math.max(1, Math.ceil(deps.workers / 2))),
      name: deps.target.publishedResource,
    });
    this.localInformer = new Informer({
      name: `local/${deps.target.publishedResource}`,
      client: deps.local,
      path: collectionPath(deps.target.local),
      labelSelector: `${AGENT_NAME_LABEL}=${deps.target.agentName}`,
      keyOf: localKeyOf,
      // One copy per consumer object: kept as JSON text, decoded per reconcile.
      compact: true,
      clock: deps.clock,
      logger: deps.logger,
    });
    this.localInformer.onChange((obj, old, deleted) => {
      this.onLocalChange(obj, old, deleted);
    });
    this.relatedWatches = new RelatedWatches({
      target: deps.target,
      rules: deps.behaviour.related,
      kcp: deps.kcp,
      local: deps.local,
      clock: deps.clock,
      logger: deps.logger,
      enqueue: (key) => {
        this.queue.add(key);
      },
      copy: (localKey) => this.localInformer.get(localKey),
      primariesIn: (cluster) => this.primariesIn(cluster),
    });
  }

  /** True once the local cache and every remote cache have loaded. */
  hasSynced(): boolean {
    return this.localInformer.hasSynced() && [...this.remotes.values()].every((r) => r.informer.hasSynced());
  }

  /** Whether the local cache holds a copy of this sync in a service namespace. */
  hasCopiesIn(namespace: string): boolean {
    return this.copies.holdsCopiesIn(namespace);
  }

  /** Whether this sync still watches (and so may write for) a virtual-workspace URL. */
  watches(url: string): boolean {
    return this.remotes.has(url);
  }

  /** The virtual-workspace URLs whose watch fails now, with why and since when. */
  endpointOutages(): Map<string, InformerOutage> {
    const out = new Map<string, InformerOutage>();
    for (const [url, r] of this.remotes) {
      const outage = r.informer.outageInfo();
      if (outage !== undefined) out.set(url, outage);
    }
    return out;
  }

  /**
   * Points the remote watches at a new set of virtual-workspace URLs: watches
   * of URLs no longer listed stop, new ones start. Safe to call repeatedly.
   */
  setEndpoints(urls: readonly string[], signal: AbortSignal): void {
    for (const [url, r] of this.remotes) {
      if (!urls.includes(url)) {
        r.abort.abort();
        this.remotes.delete(url);
      }
    }
    for (const url of urls) {
      if (!this.remotes.has(url)) this.startRemote(url, signal);
    }
    this.relatedWatches.setEndpoints(urls, signal);
  }

  /** Runs until signal aborts; resolves when workers and watches have stopped. */
  async run(signal: AbortSignal): Promise<void> {
    const controller = new Controller({
      name: `sync/${this.deps.target.publishedResource}`,
      queue: this.queue,
      workers: this.deps.workers,
      logger: this.deps.logger,
      observer: this.deps.observer,
      reconcile: (key) => reconcileObject(key, this.deps.target, this.io()),
    });
    const local = this.localInformer.run(signal);
    const related = this.relatedWatches.run(signal);
    const sweep = this.sweepOrphansOnceSynced(signal);
    const resync = this.terminating.requeueEvery(
      signal,
      (key) => this.requeueIfCached(key),
      (requeued) => {
        this.deps.logger.debug('Requeued consumer objects being deleted', { requeued });
      },
    );
    await Promise.all([controller.start(signal), sweep, local, related, resync]);
    await Promise.all([...this.remotes.values()].map((r) => r.done));
  }

  private requeueIfCached(key: string): boolean {
    if (this.remoteObject(key) === undefined) return false;
    this.queue.add(key);
    return true;
  }

  /** The orphan sweep, once per start, when every cache has loaded (see runOrphanSweep). */
  private async sweepOrphansOnceSynced(signal: AbortSignal): Promise<void> {
    const scope = this.deps.sweep;
    if (scope === undefined) return;
    await runOrphanSweep(
      {
        target: this.deps.target,
        copies: () => this.localInformer.list(),
        cachedOrigin: (key) => this.remoteObject(key),
        workspaceClient: (cluster) => {
          // Only a virtual workspace known to serve the cluster (or the only one there is) is asked.
          const only = scope.singleEndpoint() && this.remotes.size === 1 ? [...this.remotes.keys()][0] : undefined;
          const url = this.clusterUrls.get(cluster) ?? only;
          return url === undefined ? undefined : this.deps.kcp.forServer(`${url}/clusters/${cluster}`);
        },
        local: this.deps.local,
        events: this.deps.events,
        logger: this.deps.logger,
      },
      { scope, clock: this.deps.clock, ready: () => this.remotes.size > 0 && this.hasSynced() },
      signal,
    );
  }

  private startRemote(url: string, signal: AbortSignal): void {
    const abort = new AbortController();
    const stop = (): void => {
      abort.abort();
    };
    signal.addEventListener('abort', stop, { once: true });
    const informer = new Informer({
      name: `remote/${this.deps.target.publishedResource}`,
      client: this.deps.kcp.forServer(`${url}/clusters/*`),
      path: collectionPath(this.deps.target.remote),
      keyOf: remoteKeyOf,
      compact: true,
      // A virtual workspace serves a newly bound type only moments after the binding.
      notFoundIsTransient: true,
      clock: this.deps.clock,
      logger: this.deps.logger,
    });
    informer.onChange(
      (obj, _old, deleted) => {
        const cluster = obj.metadata.annotations?.[CLUSTER_ANNOTATION];
        if (cluster !== undefined) this.clusterUrls.set(cluster, url);
        const key = remoteKeyOf(obj);
        this.terminating.observe(key, obj, deleted);
        this.deps.logger.debug('Consumer object changed', { key, resourceVersion: obj.metadata.resourceVersion });
        this.queue.add(key);
      },
      { old: false },
    );
    // The listener goes with the watch: URLs come and go for as long as the sync runs.
    const done = informer.run(abort.signal).finally(() => {
      signal.removeEventListener('abort', stop);
    });
    this.remotes.set(url, { informer, abort, done });
  }

  /**
   * The consumer objects of one workspace. Keys start with the cluster, so
   * only that workspace's objects are decoded, not every cached one.
   */
  private primariesIn(cluster: string): KubeObject[] {
    const prefix = `${cluster}|`;
    const primaries: KubeObject[] = [];
    for (const { informer } of this.remotes.values()) {
      for (const key of informer.keys()) {
        const obj = key.startsWith(prefix) ? informer.get(key) : undefined;
        if (obj !== undefined) primaries.push(obj);
      }
    }
    return primaries;
  }

  private onLocalChange(obj: KubeObject, old: KubeObject | undefined, deleted: boolean): void {
    const ref = remoteRefFromLocal(obj, this.deps.target.agentName);
    const oldRef = old === undefined ? undefined : remoteRefFromLocal(old, this.deps.target.agentName);
    const localKey = localKeyOf(obj);
    this.relatedWatches.copyChanged(obj, deleted);
    if (oldRef !== undefined) this.copies.deleteIf(remoteKeyOfRef(oldRef), localKey);
    if (ref === undefined) return;
    const key = remoteKeyOfRef(ref);
    if (deleted) {
      this.copies.deleteIf(key, localKey);
      if (obj.metadata.namespace !== undefined) this.deps.onCopyGone?.(obj.metadata.namespace);
      this.statusLatency?.copyDeleted(key);
    } else {
      this.copies.set(key, localKey);
      this.statusLatency?.copyChanged(key, obj, old);
    }
    // With the consumer side's line, the debug log shows which change of either side queued a pass.
    this.deps.logger.debug('Copy changed', {
      key,
      copy: localKey,
      resourceVersion: obj.metadata.resourceVersion,
      deleted,
    });
    if (!this.settlingWrite) this.queue.add(key);
  }

  private remoteObject(key: string): KubeObject | undefined {
    for (const r of this.remotes.values()) {
      const obj = r.informer.get(key);
      if (obj !== undefined) return obj;
    }
    return undefined;
  }

  /** The client for a consumer workspace, through the virtual workspace known to serve it. */
  private remoteClient(cluster: string): RestClient | undefined {
    const url = this.clusterUrls.get(cluster);
    return url === undefined ? undefined : this.deps.kcp.forServer(`${url}/clusters/${cluster}`);
  }

  private io(): Parameters<typeof reconcileObject>[2] {
    this.ioOnce ??= this.buildIO();
    return this.ioOnce;
  }

  private buildIO(): Parameters<typeof reconcileObject>[2] {
    return {
      remoteObject: (key) => this.remoteObject(key),
      remoteClient: (cluster) => this.remoteClient(cluster),
      localObject: (key) => {
        const localKey = this.copies.get(key);
        return localKey === undefined ? undefined : this.localInformer.get(localKey);
      },
      local: this.deps.local,
      // A consumer object lives in one virtual workspace's cache; the others ignore it.
      wroteRemote: (key, basedOn, written, settled) => {
        for (const r of this.remotes.values()) r.informer.recordWrite(key, basedOn, written, settled !== true);
      },
      wroteLocal: (basedOn, written, settled) => {
        // The handler still indexes the copy; it only leaves the pass out.
        this.settlingWrite = settled === true;
        try {
          this.localInformer.recordWrite(localKeyOf(written), basedOn, written);
        } finally {
          this.settlingWrite = false;
        }
      },
      ensureNamespace: (name) => this.lookups.ensureNamespace(name),
      forgetNamespace: (name) => {
        this.deps.knownNamespaces.delete(name);
      },
      events: this.deps.events,
      logger: this.deps.logger,
      behaviour: this.deps.behaviour,
      workspacePath: (cluster) => this.lookups.workspacePath(cluster),
      namespaceLabels: (cluster, namespace) => this.lookups.namespaceLabels(cluster, namespace),
      copyCreated: (consumer) => {
        this.deps.observer?.onCopyCreated(this.deps.target.publishedResource, consumer.metadata.creationTimestamp);
      },
      statusInSync: (key, copy, wrote) => {
        this.statusLatency?.inSync(key, copy, wrote);
      },
      relatedClient: (side, cluster) => (side === 'service' ? this.deps.local : this.remoteClient(cluster)),
      servedResource: (side, cluster, type) => this.lookups.servedResource(side, cluster, type),
      hasCopiesOfOtherClusters: (namespace, cluster) => this.copies.hasOtherClusters(namespace, cluster),
    };
  }
}

function localKeyOf(obj: KubeObject): string {
  return localKeyString(obj.metadata.namespace, obj.metadata.name);
}

function remoteKeyOf(obj: KubeObject): string {
  return remoteKeyString({
    cluster: obj.metadata.annotations?.[CLUSTER_ANNOTATION] ?? '',
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
  });
}
