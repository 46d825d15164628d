import { RELATED_OWNER_ANNOTATION } from '../../apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../kube/object.ts';

/**
 * Whether a service-side object chosen by consumer-controlled values may be
 * used for one consumer object (its copy `copy`, owner value `owner`).
 * Returns why not, or undefined when it may. The reasons are written into
 * the consumer's workspace: they never name the object, namespace or the
 * other tenant.
 */
export function exclusiveUseRefusal(
  obj: KubeObject,
  copy: KubeObject,
  owner: string,
  sharedNamespace: boolean,
): string | undefined {
  const recorded = obj.metadata.annotations?.[RELATED_OWNER_ANNOTATION];
  if (recorded !== undefined && recorded !== owner) return 'the related object already belongs to another object';
  const refs = obj.metadata.ownerReferences ?? [];
  const ownedByCopy = refs.some((r) => r.uid !== '' && r.uid === copy.metadata.uid);
  if (ownedByCopy || recorded === owner) return undefined;
  if (refs.some((r) => r.kind === copy.kind && r.apiVersion === copy.apiVersion)) {
    return 'the related object is owned by another object';
  }
  // In a namespace that holds other consumers' objects, an object older than
  // this copy cannot have been made for it: it is someone else's, or the
  // provider's own.
  if (sharedNamespace && olderThan(obj, copy))
    return 'the related object existed before this object and was not made for it';
  return undefined;
}

function olderThan(a: KubeObject, b: KubeObject): boolean {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '');
  const tb = Date.parse(b.metadata.creationTimestamp ?? '');
  return Number.isFinite(ta) && Number.isFinite(tb) && ta < tb;
}
