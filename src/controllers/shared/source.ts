import type { CustomResourceDefinition } from '../../apis/apiextensions.ts';
import { discoverResource, fetchOpenAPI } from '../../kube/discovery.ts';
import type { RestClient } from '../../kube/rest-client.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { Informer } from '../../runtime/informer.ts';
import { crdSpecFromOpenAPI } from '../../translate/openapi-schema.ts';

/** How long a type built from OpenAPI (or its absence) is reused before asking again. */
const DISCOVERY_TTL_MS = 5 * 60_000;
const MISSING_TTL_MS = 30_000;

export type SourceFinder = (group: string, kind: string) => Promise<CustomResourceDefinition | undefined>;

/**
 * Finds the service cluster's definition of a published type: its CRD from
 * the cache, or, for built-in and aggregated types (e.g. core ConfigMap), a
 * CRD-like definition built from discovery and the server's OpenAPI schema.
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
    if (hit !== undefined && clock.now() - hit.at < (hit.crd === undefined ? MISSING_TTL_MS : DISCOVERY_TTL_MS)) return hit.crd;
    const built = await fromOpenAPI(service, group, kind);
    cache.set(key, { crd: built, at: clock.now() });
    return built;
  };
}

async function fromOpenAPI(service: RestClient, group: string, kind: string): Promise<CustomResourceDefinition | undefined> {
  let found;
  try {
    found = await discoverResource(service, group, kind);
  } catch {
    // Not served at all: the caller reports SourceNotFound.
    return undefined;
  }
  const openapi = await fetchOpenAPI(service, group, found.version);
  const spec = crdSpecFromOpenAPI({ ...found, openapi });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${found.plural}.${group === '' ? 'core' : group}` },
    spec,
  };
}
