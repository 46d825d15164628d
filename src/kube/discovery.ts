/**
 * API discovery for types that no CustomResourceDefinition describes
 * (built-in and aggregated APIs): where a kind is served, under which names,
 * with which subresources, and the OpenAPI v3 document of its group version.
 */
import { isNotFound } from './errors.ts';
import { isRecord } from './object.ts';
import type { RestClient } from './rest-client.ts';

/** A served resource as discovery describes it. */
export interface DiscoveredResource {
  readonly group: string;
  /** The version looked at: the requested one, or else the preferred one. */
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: string[];
  readonly categories: string[];
  readonly subresources: { readonly status: boolean; readonly scale: boolean };
  /** The group's preferred version (the one a CRD would store). */
  readonly preferredVersion: string;
}

interface GroupVersions {
  readonly versions: string[];
  readonly preferred: string;
}

interface ApiResource {
  readonly name: string;
  readonly singularName?: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly shortNames?: string[];
  readonly categories?: string[];
}

/**
 * Finds a kind in a group through the discovery endpoints (`/api`,
 * `/api/v1` for the core group; `/apis`, `/apis/<group>/<version>`
 * otherwise). Without a version, the preferred version is tried first, then
 * the others in the server's order. Read-only. Throws "failed to discover …"
 * when the group, version or kind is not served.
 */
export async function discoverResource(
  client: RestClient,
  group: string,
  kind: string,
  version?: string,
): Promise<DiscoveredResource> {
  const [first] = await discover(client, group, kind, { version, all: false });
  return first;
}

/**
 * Every version of the group that serves the kind: the preferred one first
 * (when it serves the kind), then the others in the server's order. Throws
 * like discoverResource when none does.
 */
export async function discoverVersions(client: RestClient, group: string, kind: string): Promise<DiscoveredResource[]> {
  return discover(client, group, kind, { version: undefined, all: true });
}

type Found = [DiscoveredResource, ...DiscoveredResource[]];

async function discover(
  client: RestClient,
  group: string,
  kind: string,
  search: { version: string | undefined; all: boolean },
): Promise<Found> {
  try {
    const gv = await groupVersions(client, group);
    const candidates = candidateVersions(gv, search.version);
    const found: DiscoveredResource[] = [];
    for (const v of candidates) {
      if (found.length > 0 && !search.all) break;
      const resources = await resourceList(client, group, v);
      const resource = findResource(resources, kind);
      if (resource !== undefined)
        found.push(toDiscovered(resource, resources, { group, version: v, preferred: gv.preferred }));
    }
    const [first, ...rest] = found;
    if (first === undefined) throw new Error(`no version of ${candidates.join(', ')} serves the kind`);
    return [first, ...rest];
  } catch (err) {
    throw new Error(`failed to discover ${kind} in API group "${group}"`, { cause: err });
  }
}

/** What one group version says about a resource, by its plural name. */
export interface ServedResource {
  readonly kind: string;
  readonly namespaced: boolean;
  readonly hasStatus: boolean;
}

/**
 * Looks a resource up by group, version and plural in that group version's
 * discovery document. Returns undefined when the server does not serve it
 * (the group version is unknown, or lists no such resource). Read-only.
 */
export async function servedResource(
  client: RestClient,
  group: string,
  version: string,
  resource: string,
): Promise<ServedResource | undefined> {
  let resources: ApiResource[];
  try {
    resources = await resourceList(client, group, version);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(`failed to discover ${resource} in ${group === '' ? version : `${group}/${version}`}`, {
      cause: err,
    });
  }
  const found = resources.find((r) => r.name === resource);
  if (found === undefined) return undefined;
  return {
    kind: found.kind,
    namespaced: found.namespaced,
    hasStatus: resources.some((r) => r.name === `${resource}/status`),
  };
}

/**
 * The OpenAPI v3 document of one group version (`/openapi/v3/api/v1` or
 * `/openapi/v3/apis/<group>/<version>`), as parsed JSON. Read-only.
 */
export async function fetchOpenAPI(client: RestClient, group: string, version: string): Promise<unknown> {
  const path = group === '' ? `/openapi/v3/api/${version}` : `/openapi/v3/apis/${group}/${version}`;
  try {
    return await client.send('GET', path);
  } catch (err) {
    throw new Error(`failed to discover the OpenAPI schema of ${group === '' ? version : `${group}/${version}`}`, {
      cause: err,
    });
  }
}

function candidateVersions(gv: GroupVersions, version: string | undefined): string[] {
  if (version !== undefined && version !== '') {
    if (!gv.versions.includes(version)) throw new Error(`version ${version} is not served`);
    return [version];
  }
  return [gv.preferred, ...gv.versions.filter((v) => v !== gv.preferred)];
}

async function groupVersions(client: RestClient, group: string): Promise<GroupVersions> {
  if (group === '') {
    const body = await client.send('GET', '/api');
    const versions = isRecord(body) ? stringList(body['versions']) : [];
    const [preferred] = versions;
    if (preferred === undefined) throw new Error('/api lists no versions');
    return { versions, preferred };
  }
  const body = await client.send('GET', '/apis');
  const groups = isRecord(body) ? arrayOf(body['groups']) : [];
  const entry = groups.find((g) => isRecord(g) && g['name'] === group);
  if (!isRecord(entry)) throw new Error('the group is not served');
  return parseGroup(entry);
}

function parseGroup(entry: Record<string, unknown>): GroupVersions {
  const list = arrayOf(entry['versions']);
  const versions = list.flatMap((v) => (isRecord(v) && typeof v['version'] === 'string' ? [v['version']] : []));
  const pref = entry['preferredVersion'];
  const preferred = isRecord(pref) && typeof pref['version'] === 'string' ? pref['version'] : versions[0];
  if (preferred === undefined) throw new Error('the group lists no versions');
  return { versions, preferred };
}

async function resourceList(client: RestClient, group: string, version: string): Promise<ApiResource[]> {
  const body = await client.send('GET', group === '' ? `/api/${version}` : `/apis/${group}/${version}`);
  const list = isRecord(body) ? arrayOf(body['resources']) : [];
  return list.filter(isApiResource);
}

function isApiResource(v: unknown): v is ApiResource {
  return (
    isRecord(v) &&
    typeof v['name'] === 'string' &&
    typeof v['kind'] === 'string' &&
    typeof v['namespaced'] === 'boolean'
  );
}

/** The resource itself (not a subresource such as `pods/status`) of the kind. */
function findResource(resources: readonly ApiResource[], kind: string): ApiResource | undefined {
  return resources.find((r) => r.kind === kind && !r.name.includes('/'));
}

function toDiscovered(
  r: ApiResource,
  all: readonly ApiResource[],
  where: { group: string; version: string; preferred: string },
): DiscoveredResource {
  const has = (sub: string): boolean => all.some((x) => x.name === `${r.name}/${sub}`);
  return {
    group: where.group,
    version: where.version,
    kind: r.kind,
    plural: r.name,
    singular: r.singularName !== undefined && r.singularName !== '' ? r.singularName : r.kind.toLowerCase(),
    namespaced: r.namespaced,
    shortNames: stringList(r.shortNames),
    categories: stringList(r.categories),
    subresources: { status: has('status'), scale: has('scale') },
    preferredVersion: where.preferred,
  };
}

function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

function stringList(v: unknown): string[] {
  return arrayOf(v).filter((x): x is string => typeof x === 'string');
}
