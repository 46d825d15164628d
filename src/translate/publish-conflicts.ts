import type { PublishedResource } from '../apis/v1alpha1/published-resource.ts';
import { schemaResource } from './export-spec.ts';

/**
 * PublishedResources that would publish the same resource in kcp (the same
 * plural and group, read from their schema names) as an older one. Only the
 * oldest (by creation time, then name) is exported and synced; two syncs of
 * one kcp resource would fight over the same consumer objects. Returns each
 * loser's name with a message naming the winner.
 */
export function publishConflicts(prs: readonly PublishedResource[]): Map<string, string> {
  const owners = new Map<string, string>();
  const conflicts = new Map<string, string>();
  for (const pr of [...prs].sort(olderFirst)) {
    const schema = pr.status?.resourceSchemaName;
    const res = schema === undefined || schema === '' ? undefined : schemaResource(schema);
    if (res === undefined) continue;
    const resource = res.group === '' ? res.resource : `${res.resource}.${res.group}`;
    const name = pr.metadata.name ?? '';
    const owner = owners.get(resource);
    if (owner === undefined) owners.set(resource, name);
    else
      conflicts.set(
        name,
        `spec: PublishedResource "${owner}" already publishes ${resource} in kcp; give this one another group or name with spec.projection`,
      );
  }
  return conflicts;
}

function olderFirst(a: PublishedResource, b: PublishedResource): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
