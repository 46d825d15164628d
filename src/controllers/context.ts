import type { CustomResourceDefinition } from '../apis/apiextensions.ts';
import type { PublishedResource } from '../apis/v1alpha1/published-resource.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { RestClient } from '../kube/rest-client.ts';
import type { Logger } from '../log/logger.ts';
import type { Options } from '../options.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ControllerObserver } from '../runtime/controller.ts';
import type { Informer } from '../runtime/informer.ts';
import type { Manager } from '../runtime/manager.ts';
import type { Requirement } from '../translate/label-selector.ts';
import type { SyncObserver } from './sync/controller.ts';

/** What the agent's metrics learn from its controllers. Implementations must not throw. */
export interface AgentObserver extends Required<ControllerObserver>, SyncObserver {
  /** Hands over a reader of how many PublishedResources the agent manages, read at scrape time. */
  trackPublishedResources(count: () => number): void;
}

/**
 * What every controller is wired with: clients for both sides, the shared
 * informers, and the manager that runs them. Built once in agent.ts.
 */
export interface AgentContext {
  readonly options: Options;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The service cluster. */
  readonly service: RestClient;
  /** The kcp workspace of the APIExport. */
  readonly kcp: RestClient;
  readonly events: EventRecorder;
  readonly manager: Manager;
  readonly selector: readonly Requirement[];
  readonly publishedResources: Informer;
  readonly crds: Informer;
  readonly apiExports: Informer;
  readonly endpointSlices: Informer;
  readonly observer?: AgentObserver | undefined;
  /** Wall-clock time for conditions. */
  now(): string;
  getPublishedResource(name: string): PublishedResource | undefined;
  listPublishedResources(): PublishedResource[];
  /** The CRD (or a CRD-like definition for a built-in type) of a group and kind. */
  findSource(group: string, kind: string): Promise<CustomResourceDefinition | undefined>;
}
