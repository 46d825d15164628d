import type { EventRecorder } from '../kube/events.ts';
import type { KubeObject } from '../kube/object.ts';
import type { RestClient } from '../kube/rest-client.ts';
import type { ServedResource } from '../kube/discovery.ts';
import type { Logger } from '../log/logger.ts';
import type { RelatedType, Side } from '../translate/related/rule.ts';
import type { SyncBehaviour } from './behaviour.ts';

/**
 * What the sync engine reads and writes through. The controller binds these
 * to informer caches and real clients; nothing here knows about queues.
 */
export interface SyncIO {
  /** The consumer object from the kcp cache, or undefined when it is gone. */
  remoteObject(key: string): KubeObject | undefined;
  /** A client for one consumer workspace, through the virtual workspace. */
  remoteClient(cluster: string): RestClient | undefined;
  /** The service-cluster copy of a consumer object (found by its labels), if any. */
  localObject(key: string): KubeObject | undefined;
  readonly local: RestClient;
  /**
   * Hands the answer to our write of a consumer object (made against
   * resourceVersion `basedOn`) to the cache, so the next pass starts from it
   * at once instead of waiting for the watch's echo. `settled`: the write
   * was the last one the object needs, and a pass after it would only find
   * that out again, so none is queued (the cache still takes the answer).
   */
  wroteRemote(key: string, basedOn: string | undefined, written: KubeObject, settled?: boolean): void;
  /** The same for a copy; `basedOn` is undefined for a create. */
  wroteLocal(basedOn: string | undefined, written: KubeObject, settled?: boolean): void;
  /** Creates the namespace on the service cluster unless it is known to exist. */
  ensureNamespace(name: string): Promise<void>;
  /** Drops a namespace from the known-to-exist set (it turned out to be gone). */
  forgetNamespace(name: string): void;
  readonly events: EventRecorder;
  readonly logger: Logger;
  /** The PublishedResource's compiled mutations and templates. */
  readonly behaviour: SyncBehaviour;
  /**
   * The workspace path (`root:org:team`) of a logical cluster, read once from
   * its LogicalCluster through the virtual workspace (needs the
   * core.kcp.io/logicalclusters claim); paths of a logical cluster never change.
   */
  workspacePath(cluster: string): Promise<string>;
  /** The labels of a consumer's namespace (needs the namespaces claim); undefined when it is gone. */
  namespaceLabels(cluster: string, namespace: string): Promise<Record<string, string> | undefined>;
  /** Milestone for latency metrics: a copy of `consumer` was just created. Must not throw. */
  copyCreated(consumer: KubeObject): void;
  /**
   * Milestone for latency metrics: the consumer object `key` carries `copy`'s
   * status, written by this pass when `wrote`. Must not throw.
   */
  statusInSync(key: string, copy: KubeObject, wrote: boolean): void;
  /** The client for related objects on one side (kcp: the consumer's workspace through the virtual workspace). */
  relatedClient(side: Side, cluster: string): RestClient | undefined;
  /** Discovery of a related type on one side (cached); undefined when that side does not serve it. */
  servedResource(side: Side, cluster: string, type: RelatedType): Promise<ServedResource | undefined>;
  /** True when a service namespace holds copies (of this PublishedResource) of another consumer cluster's objects. */
  hasCopiesOfOtherClusters(namespace: string, cluster: string): boolean;
}
