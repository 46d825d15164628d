import type { PermissionClaim } from '../../apis/kcp.ts';
import type { RelatedResourceSpec } from '../../apis/v1alpha1/zz_generated.types.ts';

/**
 * API groups whose types every kcp workspace serves itself. A claim on any
 * other type needs the identity hash of the export that provides it; kcp
 * refuses an export whose claim lacks one, which would stop the export for
 * every PublishedResource.
 */
const KCP_BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'rbac.authorization.k8s.io',
  'coordination.k8s.io',
  'events.k8s.io',
  'admissionregistration.k8s.io',
  'certificates.k8s.io',
]);

/** The type a related rule reads or writes in consumer workspaces. */
export function kcpSideResource(r: RelatedResourceSpec): { group: string; resource: string } {
  const legacy = r.kind === 'Secret' ? 'secrets' : r.kind === 'ConfigMap' ? 'configmaps' : undefined;
  const origin =
    legacy !== undefined ? { group: '', resource: legacy } : { group: r.group ?? '', resource: r.resource ?? '' };
  if (r.origin === 'kcp') return origin;
  return { group: r.projection?.group ?? origin.group, resource: r.projection?.resource ?? origin.resource };
}

/**
 * The permission claims a PublishedResource's related resources need: one
 * per type the agent reads or writes in consumer workspaces (the origin type
 * for `kcp`-origin objects, the projected type for `service`-origin ones).
 * Built-in types such as Secrets need a claim too; types of another export
 * carry its identity hash. Types of the agent's own export need none (the
 * export merge drops those), and neither do types kcp cannot serve without
 * an identity hash: the sync reports those on the objects instead.
 */
export function relatedClaims(related: readonly RelatedResourceSpec[] | undefined): PermissionClaim[] {
  return (related ?? []).flatMap((r): PermissionClaim[] => {
    const { group, resource } = kcpSideResource(r);
    const hash = r.identityHash ?? '';
    if (resource === '' || (hash === '' && !KCP_BUILT_IN_GROUPS.has(group))) return [];
    return [{ group, resource, verbs: ['*'], ...(hash === '' ? {} : { identityHash: hash }) }];
  });
}

/** Whether kcp serves a group in every workspace (so a missing type there means an unaccepted claim). */
export const isKcpBuiltInGroup = (group: string): boolean => KCP_BUILT_IN_GROUPS.has(group);
