import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isPublishedResource } from './apis/v1alpha1/published-resource.ts';
import { registerExportController } from './controllers/apiexport/controller.ts';
import { registerSchemaController } from './controllers/apiresourceschema/controller.ts';
import { registerMemoryPressure } from './controllers/memory/controller.ts';
import type { AgentContext, AgentObserver } from './controllers/context.ts';
import { isSelected, PR_PATH } from './controllers/shared/published-resources.ts';
import { endpointUrls, registerSyncManager, type SyncManager } from './controllers/syncmanager/controller.ts';
import { sourceFinder } from './controllers/shared/source.ts';
import { createEventRecorder } from './kube/events.ts';
import type { KubeObject } from './kube/object.ts';
import type { RestClient } from './kube/rest-client.ts';
import type { Logger } from './log/logger.ts';
import type { Options } from './options.ts';
import type { Clock } from './runtime/clock.ts';
import { EndpointLeases, type EndpointLeasesOptions } from './runtime/endpoint-leases.ts';
import { AGENT_LEASE_TIMINGS } from './runtime/leader-election.ts';
import { Informer, type InformerOutage } from './runtime/informer.ts';
import { Manager } from './runtime/manager.ts';
import type { Requirement } from './translate/label-selector.ts';

export interface AgentDeps {
  readonly options: Options;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly service: RestClient;
  readonly kcp: RestClient;
  readonly selector: readonly Requirement[];
  /** Metrics: fed by every controller and sync. */
  readonly observer?: AgentObserver | undefined;
  /** Counts Events that were replaced by a newer one or dropped before being written. */
  readonly onEventDiscarded?: ((why: 'replaced' | 'dropped') => void) | undefined;
}

/** How long shutdown waits for queued Events (well inside a pod's 30 s grace period). */
const EVENT_FLUSH_MS = 5_000;
/**
 * An object's first steps (accepted, placed, status synced) follow each other
 * within a second; waiting that long writes one event for them instead of
 * three, and events are most of the agent's writes to kcp.
 */
const EVENT_COALESCE_MS = 1_000;

/** The wired agent: run it, and ask whether it is ready. */
export interface Agent {
  run(signal: AbortSignal): Promise<void>;
  /** Caches loaded. */
  ready(): boolean;
  /** Every watch it needs follows its server (kcp and the service cluster answer). */
  connected(): boolean;
  /** Virtual-workspace URLs (one per kcp shard) whose watch fails now. */
  endpointOutages(): Map<string, InformerOutage>;
}

/**
 * With --split-endpoints: this replica's share of the virtual-workspace URLs,
 * by Leases in the agent's namespace on the service cluster (timings as for
 * leader election).
 */
function endpointLeases(
  deps: AgentDeps,
  hooks: Pick<EndpointLeasesOptions, 'urls' | 'onOwnedChange' | 'stillWatching'>,
): EndpointLeases {
  return new EndpointLeases({
    client: deps.service,
    namespace: deps.options.namespace,
    agentName: deps.options.agentName,
    identity: `${hostname()}_${randomUUID()}`,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'endpoint-leases' }),
    now: () => new Date(),
    ...hooks,
    ...AGENT_LEASE_TIMINGS,
  });
}

/** Builds the informers and controllers; nothing runs until run(). */
export function createAgent(deps: AgentDeps): Agent {
  const { options, clock, logger } = deps;
  const manager = new Manager(logger);
  const informer = (name: string, client: RestClient, path: string, fieldSelector?: string): Informer => {
    const inf = new Informer({
      name,
      client,
      path,
      clock,
      logger,
      keyOf: (o: KubeObject) => o.metadata.name ?? '',
      ...(fieldSelector === undefined ? {} : { fieldSelector }),
    });
    manager.addInformer(inf);
    return inf;
  };
  const publishedResources = informer('publishedresources', deps.service, PR_PATH);
  const crds = informer('crds', deps.service, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
  const apiExports = informer(
    'apiexports',
    deps.kcp,
    '/apis/apis.kcp.io/v1alpha2/apiexports',
    `metadata.name=${options.apiExportRef}`,
  );
  const endpointSlices = informer(
    'apiexportendpointslices',
    deps.kcp,
    '/apis/apis.kcp.io/v1alpha1/apiexportendpointslices',
    `metadata.name=${options.apiExportEndpointSliceRef}`,
  );
  const ctx: AgentContext = {
    options,
    clock,
    logger,
    manager,
    service: deps.service,
    kcp: deps.kcp,
    selector: deps.selector,
    observer: deps.observer,
    events: createEventRecorder({
      component: 'api-syncagent',
      logger,
      clock,
      qps: options.eventQps,
      burst: options.eventBurst,
      coalesceMs: EVENT_COALESCE_MS,
      onDiscarded: deps.onEventDiscarded,
    }),
    publishedResources,
    crds,
    apiExports,
    endpointSlices,
    now: () => new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    getPublishedResource: (name) => {
      const obj = publishedResources.get(name);
      return isPublishedResource(obj) ? obj : undefined;
    },
    // Only ours: several agents may share a cluster, split by the selector.
    listPublishedResources: () =>
      publishedResources.list().flatMap((o) => (isPublishedResource(o) && isSelected(o, deps.selector) ? [o] : [])),
    findSource: sourceFinder(crds, deps.service, clock),
  };
  deps.observer?.trackPublishedResources(() => ctx.listPublishedResources().length);
  if (!options.disabledControllers.has('apiresourceschema')) registerSchemaController(ctx);
  if (!options.disabledControllers.has('apiexport')) registerExportController(ctx);
  registerMemoryPressure(ctx);
  const leases = !options.splitEndpoints
    ? undefined
    : endpointLeases(deps, {
        urls: () => endpointUrls(endpointSlices.get(options.apiExportEndpointSliceRef)),
        onOwnedChange: () => {
          syncs?.enqueueAll();
        },
        stillWatching: (url): boolean => syncs?.watches(url) ?? false,
      });
  const syncs: SyncManager | undefined = options.disabledControllers.has('sync')
    ? undefined
    : registerSyncManager(ctx, leases === undefined ? undefined : { owns: (url) => leases.ownedUrls().includes(url) });
  if (leases !== undefined) manager.add('endpoint-leases', (signal) => leases.run(signal));
  return {
    ready: () => manager.hasSynced(),
    // Unready while a watch the agent needs is down (kcp or the service
    // cluster unreachable): it cannot see changes then, whatever it has cached.
    connected: () => manager.isConnected(),
    endpointOutages: () => syncs?.endpointOutages() ?? new Map(),
    run: async (signal) => {
      try {
        await manager.run(signal, async (s) => {
          while (!manager.hasSynced() && !s.aborted) await clock.sleep(50, s).catch(() => undefined);
          logger.info('Caches loaded; starting controllers');
        });
      } finally {
        // Also after a failure: the Events explain to consumers what happened.
        const unwritten = await ctx.events.flush(EVENT_FLUSH_MS);
        if (unwritten > 0) logger.info('Shutting down with events not written', { events: unwritten });
      }
    },
  };
}
