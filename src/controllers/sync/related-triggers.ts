import type { KubeObject } from '../../kube/object.ts';
import { matchesSelector, type Requirement } from '../../translate/label-selector.ts';
import { remoteRefFromLocal } from '../../translate/sync-metadata.ts';
import { apiVersionOf, localKeyString, remoteKeyOfRef, type SyncTarget } from '../../translate/sync-target.ts';

/**
 * `byOwner` on the service cluster: the consumer objects whose copies own a
 * related object. Each owner reference is looked up by name (in the related
 * object's namespace, or cluster-scoped when the copies are), so a change
 * costs a lookup per reference, not a pass over every copy. An owner counts
 * when its uid matches, or its kind, version and namespace do.
 */
export function ownersOfRelated(
  obj: KubeObject,
  target: SyncTarget,
  copy: (localKey: string) => KubeObject | undefined,
): string[] {
  // Copies of one target are all namespaced or all cluster-scoped.
  const namespace = target.local.namespaced ? obj.metadata.namespace : undefined;
  const keys: string[] = [];
  for (const r of obj.metadata.ownerReferences ?? []) {
    const owner = copy(localKeyString(namespace, r.name));
    if (owner === undefined) continue;
    const owned =
      r.uid === owner.metadata.uid ||
      (r.kind === target.local.kind &&
        r.apiVersion === apiVersionOf(target.local) &&
        owner.metadata.namespace === obj.metadata.namespace);
    const ref = owned ? remoteRefFromLocal(owner, target.agentName) : undefined;
    if (ref !== undefined) keys.push(remoteKeyOfRef(ref));
  }
  return keys;
}

/**
 * `bySelector` on the service cluster: the labels of every copy with the
 * consumer object it copies, kept as the copies change, so a change of a
 * related object is matched without decoding every cached copy.
 */
export class CopyLabels {
  private readonly agentName: string;
  private readonly byCopy = new Map<string, { labels: Readonly<Record<string, string>>; key: string }>();

  constructor(agentName: string) {
    this.agentName = agentName;
  }

  changed(copy: KubeObject, deleted: boolean): void {
    const localKey = localKeyString(copy.metadata.namespace, copy.metadata.name);
    const ref = remoteRefFromLocal(copy, this.agentName);
    if (deleted || ref === undefined) this.byCopy.delete(localKey);
    else this.byCopy.set(localKey, { labels: copy.metadata.labels ?? {}, key: remoteKeyOfRef(ref) });
  }

  /** The queue keys of the consumer objects whose copies' labels match. */
  matching(selector: readonly Requirement[]): string[] {
    const keys: string[] = [];
    for (const { labels, key } of this.byCopy.values()) {
      if (matchesSelector(selector, labels)) keys.push(key);
    }
    return keys;
  }
}
