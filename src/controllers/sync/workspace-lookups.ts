import { PATH_ANNOTATION } from '../../apis/kcp.ts';
import { NAMESPACE_CREATED_BY_LABEL } from '../../apis/v1alpha1/constants.ts';
import { servedResource, type ServedResource } from '../../kube/discovery.ts';
import { isAlreadyExists, isNotFound } from '../../kube/errors.ts';
import type { RestClient } from '../../kube/rest-client.ts';
import type { RelatedType, Side } from '../../translate/related/rule.ts';

export interface WorkspaceLookupsDeps {
  /** The client for a consumer workspace, once a virtual workspace serves it. */
  readonly remoteClient: (cluster: string) => RestClient | undefined;
  readonly local: RestClient;
  /** Service namespaces known to exist; shared with namespace cleanup, which forgets them. */
  readonly knownNamespaces: Set<string>;
  readonly agentName: string;
}

/**
 * What reconciles look up beside the objects, with the caches that keep the
 * answers which rarely or never change: a workspace's path, the related
 * types each side serves, the service namespaces that exist.
 */
export class WorkspaceLookups {
  private readonly deps: WorkspaceLookupsDeps;
  /** Logical cluster → workspace path (immutable for a logical cluster). */
  private readonly paths = new Map<string, string>();
  /** Related types found by discovery, per side (and cluster for kcp). */
  private readonly served = new Map<string, ServedResource>();

  constructor(deps: WorkspaceLookupsDeps) {
    this.deps = deps;
  }

  /**
   * Discovery of a related type, cached when served (what a server serves
   * rarely changes; a type that is missing, e.g. until a claim is accepted,
   * is asked for again on the next pass).
   */
  async servedResource(side: Side, cluster: string, type: RelatedType): Promise<ServedResource | undefined> {
    const cacheKey = `${side === 'service' ? '' : cluster}|${type.group}|${type.version}|${type.resource}`;
    const known = this.served.get(cacheKey);
    if (known !== undefined) return known;
    const client = side === 'service' ? this.deps.local : this.remote(cluster);
    const found = await servedResource(client, type.group, type.version, type.resource);
    if (found !== undefined) this.served.set(cacheKey, found);
    return found;
  }

  async workspacePath(cluster: string): Promise<string> {
    const known = this.paths.get(cluster);
    if (known !== undefined) return known;
    const lc = await this.remote(cluster).get('/apis/core.kcp.io/v1alpha1/logicalclusters/cluster');
    const path = lc.metadata.annotations?.[PATH_ANNOTATION] ?? '';
    if (path === '') throw new Error(`LogicalCluster of ${cluster} has no ${PATH_ANNOTATION} annotation`);
    this.paths.set(cluster, path);
    return path;
  }

  async namespaceLabels(cluster: string, namespace: string): Promise<Record<string, string> | undefined> {
    const ns = await this.remote(cluster)
      .get(`/api/v1/namespaces/${namespace}`)
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    return ns === undefined ? undefined : (ns.metadata.labels ?? {});
  }

  async ensureNamespace(name: string): Promise<void> {
    if (this.deps.knownNamespaces.has(name)) return;
    await this.deps.local
      .create('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        // Marks it as ours: only a namespace this create made may be cleaned up.
        metadata: { name, labels: { [NAMESPACE_CREATED_BY_LABEL]: this.deps.agentName } },
      })
      .catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
    this.deps.knownNamespaces.add(name);
  }

  private remote(cluster: string): RestClient {
    const client = this.deps.remoteClient(cluster);
    if (client === undefined) throw new Error(`no virtual workspace serves cluster ${cluster} yet`);
    return client;
  }
}
