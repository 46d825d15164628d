import type { CustomResourceDefinition } from '../../apis/apiextensions.ts';
import { discoverVersions, fetchOpenAPI } from '../../kube/discovery.ts';
import type { RestClient } from '../../kube/rest-client.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { Informer } from '../../runtime/informer.ts';
import { crdSpecFromOpenAPIVersions } from '../../translate/openapi-schema.ts';

/** How long a type built from OpenAPI (or its absence) is reused before asking again. */
const DISCOVERY_TTL_MS = 5 * 60_000;
const MISSING_TTL_MS = 30_000;

export type SourceFinder = (group: string, kind: string) => Promise<CustomResourceDefinition | undefined>;

/**
 * Finds the service cluster's definition of a published type: its CRD from
 * the cache, or, for built-in and aggregated types (e.g. core ConfigMap), a
 * CRD-like definition built from discovery and the server's OpenAPI schemas.
 * Discovery results are cached for a while; a type that exists nowhere is
 * asked for again after half a minute.
 */
export function sourceFinder(crds: Informer, service: RestClient, clock: Clock): SourceFinder {
  const cache = new Map<string, { crd: CustomResourceDefinition | undefined; at: number }>();
  return async (group, kind) => {
    const crd = crds.list().find((c) => {
      const spec = c['spec'] as { group?: string; names?: { kind?: string } } | undefined;
      return spec?.group === group && spec.names?.kind === kind;
    });
    if (crd !== undefined) return crd as unknown as CustomResourceDefinition;
    const key = `${group}/${kind}`;
    const hit = cache.get(key);
    if (hit !== undefined && clock.now() - hit.at < (hit.crd === undefined ? MISSING_TTL_MS : DISCOVERY_TTL_MS))
      return hit.crd;
    const built = await definitionFromDiscovery(service, group, kind);
    cache.set(key, { crd: built, at: clock.now() });
    return built;
  };
}

/**
 * A CRD-like definition of a built-in or aggregated type, with every version
 * the server serves it in (the preferred one is the storage version), or
 * undefined when the service cluster does not serve the kind.
 */
export async function definitionFromDiscovery(
  service: RestClient,
  group: string,
  kind: string,
): Promise<CustomResourceDefinition | undefined> {
  let versions;
  try {
    versions = await discoverVersions(service, group, kind);
  } catch {
    // Not served at all: the caller reports SourceNotFound.
    return undefined;
  }
  const inputs = [];
  for (const found of versions) inputs.push({ ...found, openapi: await fetchOpenAPI(service, group, found.version) });
  const spec = crdSpecFromOpenAPIVersions(inputs);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${spec.names.plural}.${group === '' ? 'core' : group}` },
    spec,
  };
}
