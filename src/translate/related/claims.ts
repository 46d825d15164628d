import type { PermissionClaim } from '../../apis/kcp.ts';
import type { RelatedResourceSpec } from '../../apis/v1alpha1/zz_generated.types.ts';

/**
 * The permission claims a PublishedResource's related resources need: one
 * per type the agent reads or writes in consumer workspaces (the origin type
 * for `kcp`-origin objects, the projected type for `service`-origin ones),
 * with the identity hash of a foreign export. Core types such as Secrets
 * need a claim too. Types of the agent's own export need none; the export
 * merge drops those. Rules that do not name a type are skipped (the sync
 * reports them).
 */
export function relatedClaims(related: readonly RelatedResourceSpec[] | undefined): PermissionClaim[] {
  return (related ?? []).flatMap((r): PermissionClaim[] => {
    const origin = r.kind !== undefined ? { group: '', resource: r.kind === 'Secret' ? 'secrets' : 'configmaps' } : { group: r.group ?? '', resource: r.resource ?? '' };
    const kcpSide = r.origin === 'kcp' ? origin : { group: r.projection?.group ?? origin.group, resource: r.projection?.resource ?? origin.resource };
    if (kcpSide.resource === '') return [];
    const hash = r.identityHash ?? '';
    return [{ group: kcpSide.group, resource: kcpSide.resource, verbs: ['*'], ...(hash === '' ? {} : { identityHash: hash }) }];
  });
}
