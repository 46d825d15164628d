import { parseRemoteKey } from '../../translate/sync-target.ts';

/**
 * Which copy on the service cluster belongs to which consumer object, and
 * which consumer clusters have copies in each service namespace. Kept from the
 * local informer's events, so questions about a namespace never decode the
 * cached copies (a related rule asks on every pass whether a namespace is
 * shared with other tenants).
 */
export class CopyIndex {
  /** Remote key → the local informer's key (`namespace/name`) of its copy. */
  private readonly copies = new Map<string, string>();
  /** Service namespace → consumer cluster → how many copies it has there. */
  private readonly clusters = new Map<string, Map<string, number>>();

  /** The local key of a consumer object's copy, if the cache has one. */
  get(remoteKey: string): string | undefined {
    return this.copies.get(remoteKey);
  }

  set(remoteKey: string, localKey: string): void {
    const previous = this.copies.get(remoteKey);
    if (previous === localKey) return;
    if (previous !== undefined) this.forget(remoteKey, previous);
    this.copies.set(remoteKey, localKey);
    const perCluster = this.clusters.get(namespaceOf(localKey)) ?? new Map<string, number>();
    const cluster = parseRemoteKey(remoteKey).cluster;
    perCluster.set(cluster, (perCluster.get(cluster) ?? 0) + 1);
    this.clusters.set(namespaceOf(localKey), perCluster);
  }

  /** Drops the link, unless the consumer object is linked to another copy by now. */
  deleteIf(remoteKey: string, localKey: string): void {
    if (this.copies.get(remoteKey) === localKey) this.forget(remoteKey, localKey);
  }

  /** True when a service namespace holds any copy. */
  holdsCopiesIn(namespace: string): boolean {
    return this.clusters.has(namespace);
  }

  /** True when a service namespace holds copies of consumer objects from a cluster other than `cluster`. */
  hasOtherClusters(namespace: string, cluster: string): boolean {
    const perCluster = this.clusters.get(namespace);
    if (perCluster === undefined) return false;
    return perCluster.size > (perCluster.has(cluster) ? 1 : 0);
  }

  private forget(remoteKey: string, localKey: string): void {
    this.copies.delete(remoteKey);
    const namespace = namespaceOf(localKey);
    const perCluster = this.clusters.get(namespace);
    if (perCluster === undefined) return;
    const cluster = parseRemoteKey(remoteKey).cluster;
    const left = (perCluster.get(cluster) ?? 0) - 1;
    if (left > 0) perCluster.set(cluster, left);
    else perCluster.delete(cluster);
    if (perCluster.size === 0) this.clusters.delete(namespace);
  }
}

function namespaceOf(localKey: string): string {
  return localKey.slice(0, Math.max(0, localKey.indexOf('/')));
}
