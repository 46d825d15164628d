import type { APIExport, ExportResource, PermissionClaim } from '../apis/kcp.ts';

/** What the export needs from one PublishedResource. */
export interface PublishedSchema {
  /** The APIResourceSchema name, `v<hash>.<plural>.<group>`, once published. */
  readonly schemaName: string | undefined;
  readonly needsNamespaces: boolean;
  readonly needsLogicalClusters: boolean;
  /** Claims for related resources (another export's types carry its identityHash). */
  readonly relatedClaims: readonly PermissionClaim[];
}

/** The group and plural encoded in a schema name (`v<hash>.<plural>.<group>`). */
export function schemaResource(schemaName: string): { group: string; resource: string } | undefined {
  const parts = schemaName.split('.');
  if (parts.length < 3) return undefined;
  const group = parts.slice(2).join('.');
  return { resource: parts[1] ?? '', group: group === 'core' ? '' : group };
}

/**
 * The APIExport spec the agent wants, merged into the current one:
 * - each published schema replaces any entry for the same group/resource;
 * - entries the agent does not manage (other resources) are kept, as are
 *   entries of deleted PublishedResources (removing them would cut consumers
 *   off their data);
 * - permission claims are only ever added (events always; namespaces and
 *   logical clusters when a PublishedResource needs them); existing claims are
 *   kept. Both lists are sorted, so the result is stable.
 */
export function mergeExportSpec(current: APIExport['spec'], published: readonly PublishedSchema[]): APIExport['spec'] {
  const resources = new Map<string, ExportResource>();
  for (const r of current.resources ?? []) resources.set(`${r.name}.${r.group}`, r);
  for (const p of published) {
    const res = p.schemaName === undefined ? undefined : schemaResource(p.schemaName);
    if (res === undefined || p.schemaName === undefined) continue;
    resources.set(`${res.resource}.${res.group}`, {
      name: res.resource,
      group: res.group,
      schema: p.schemaName,
      storage: { crd: {} },
    });
  }
  const claims = mergeClaims(
    current.permissionClaims ?? [],
    published,
    new Set([...resources.values()].map((r) => `${r.group}/${r.name}`)),
  );
  return {
    ...current,
    resources: [...resources.values()].sort((a, b) => compare(`${a.name}.${a.group}`, `${b.name}.${b.group}`)),
    permissionClaims: [...claims.values()].sort((a, b) => compare(claimKey(a), claimKey(b))),
  };
}

/** Existing claims plus the ones the PublishedResources need; never removes one. */
function mergeClaims(
  current: readonly PermissionClaim[],
  published: readonly PublishedSchema[],
  own: ReadonlySet<string>,
): Map<string, PermissionClaim> {
  const claims = new Map<string, PermissionClaim>();
  for (const c of current) claims.set(claimKey(c), c);
  const add = (c: PermissionClaim): void => {
    if (!claims.has(claimKey(c))) claims.set(claimKey(c), c);
  };
  add({ group: '', resource: 'events', verbs: ['*'] });
  if (published.some((p) => p.needsNamespaces)) add({ group: '', resource: 'namespaces', verbs: ['*'] });
  if (published.some((p) => p.needsLogicalClusters))
    add({ group: 'core.kcp.io', resource: 'logicalclusters', verbs: ['*'] });
  for (const c of published.flatMap((p) => p.relatedClaims)) {
    if (!own.has(`${c.group}/${c.resource}`)) add(c);
  }
  return claims;
}

function claimKey(c: PermissionClaim): string {
  return `${c.group}/${c.resource}/${c.identityHash ?? ''}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
