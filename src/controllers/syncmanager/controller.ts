import type { KubeObject } from '../../kube/object.ts';
import { Controller } from '../../runtime/controller.ts';
import { WorkQueue } from '../../runtime/workqueue.ts';
import type { SyncTarget } from '../../translate/sync-target.ts';
import type { SyncBehaviour } from '../../sync/behaviour.ts';
import type { AgentContext } from '../context.ts';
import { statusWriter } from '../shared/status-writer.ts';
import { SyncController } from '../sync/controller.ts';
import { CONTROLLER_NAME, reconcileSyncManager } from './reconciler.ts';

interface RunningSync {
  readonly fingerprint: string;
  readonly sync: SyncController;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/** The URLs an APIExportEndpointSlice lists (empty until a workspace binds). */
export function endpointUrls(slice: KubeObject | undefined): string[] {
  const status = slice?.['status'] as { endpoints?: { url?: unknown }[] } | undefined;
  return (status?.endpoints ?? []).flatMap((e) => (typeof e.url === 'string' ? [e.url] : []));
}

/**
 * Runs one SyncController per PublishedResource, keyed by its name: an edit
 * that changes what is synced stops the old sync before the new one starts;
 * a deleted or disabled PublishedResource stops its sync. Every running sync
 * follows the endpoint slice's URLs as they appear and change.
 */
export function registerSyncManager(ctx: AgentContext): void {
  const queue = new WorkQueue({ clock: ctx.clock, name: CONTROLLER_NAME });
  const running = new Map<string, RunningSync>();
  const knownNamespaces = new Set<string>();
  const logger = ctx.logger.child({ controller: CONTROLLER_NAME });
  let urls: string[] = [];
  let rootSignal: AbortSignal | undefined;

  // Every PublishedResource is looked at again on any change: whether one may
  // sync depends on the others (two must not publish the same kcp resource).
  ctx.publishedResources.onChange((obj) => {
    queue.add(obj.metadata.name ?? '');
    for (const pr of ctx.listPublishedResources()) queue.add(pr.metadata.name ?? '');
  });
  ctx.crds.onChange(() => {
    for (const pr of ctx.listPublishedResources()) queue.add(pr.metadata.name ?? '');
  });
  ctx.endpointSlices.onChange((slice, _old, deleted) => {
    if (slice.metadata.name !== ctx.options.apiExportEndpointSliceRef) return;
    urls = deleted ? [] : endpointUrls(slice);
    logger.info('Virtual workspace endpoints changed', { urls });
    for (const r of running.values()) r.sync.setEndpoints(urls, r.abort.signal);
  });

  const stopSync = async (name: string): Promise<void> => {
    const r = running.get(name);
    if (r === undefined) return;
    running.delete(name);
    logger.info('Stopping sync…', { publishedResource: name });
    r.abort.abort();
    await r.done;
  };
  const ensureSync = async (name: string, plan: { target: SyncTarget; behaviour: SyncBehaviour }, fingerprint: string): Promise<boolean> => {
    const { target, behaviour } = plan;
    const current = running.get(name);
    if (current?.fingerprint === fingerprint) return current.sync.hasSynced();
    await stopSync(name);
    if (rootSignal === undefined || rootSignal.aborted) return false;
    logger.info('Starting sync…', { publishedResource: name, remote: target.remote, local: target.local });
    const abort = new AbortController();
    rootSignal.addEventListener('abort', () => { abort.abort(); }, { once: true });
    const sync = new SyncController({
      target, behaviour, kcp: ctx.kcp, local: ctx.service, events: ctx.events, clock: ctx.clock,
      logger: ctx.logger.child({ controller: 'sync', publishedResource: name }),
      workers: ctx.options.syncWorkers, observer: ctx.observer, knownNamespaces,
    });
    sync.setEndpoints(urls, abort.signal);
    const done = sync.run(abort.signal).catch((err: unknown) => {
      logger.error('Sync stopped with an error', { publishedResource: name, error: err instanceof Error ? err.message : String(err) });
    });
    running.set(name, { fingerprint, sync, abort, done });
    return false;
  };

  const controller = new Controller({
    name: CONTROLLER_NAME,
    queue,
    workers: 2,
    logger,
    observer: ctx.observer,
    reconcile: (name) => reconcileSyncManager(name, {
      agentName: ctx.options.agentName,
      selector: ctx.selector,
      getPublishedResource: (n) => ctx.getPublishedResource(n),
      listPublishedResources: () => ctx.listPublishedResources(),
      findSource: (g, k) => ctx.findSource(g, k),
      ensureSync,
      stopSync,
      writeStatus: statusWriter(ctx, CONTROLLER_NAME),
    }),
  });
  ctx.manager.add(CONTROLLER_NAME, async (signal) => {
    rootSignal = signal;
    await controller.start(signal);
    await Promise.all([...running.keys()].map(stopSync));
  });
}
