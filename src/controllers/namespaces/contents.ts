import { isForbidden } from '../../kube/errors.ts';
import { isRecord, type KubeObject } from '../../kube/object.ts';
import type { RestClient } from '../../kube/rest-client.ts';
import { errorChain } from '../../log/logger.ts';
import type { Clock } from '../../runtime/clock.ts';
import { namespaceEntry, type NamespaceContents, type NamespaceEntry } from '../../translate/namespace-cleanup.ts';

/** Objects looked at per type: more than this of one type is not an empty namespace anyway. */
const LIST_LIMIT = 20;

/** How long discovery's list of types is reused: namespaces empty in bursts (a workspace leaving). */
const TYPES_TTL_MS = 60_000;

interface ListableType {
  /** `/api/v1` or `/apis/<group>/<version>`. */
  readonly base: string;
  readonly plural: string;
  /** `<plural>` for the core group, `<plural>.<group>` otherwise. */
  readonly resource: string;
}

/**
 * Everything in a namespace, type by type, from the server (not a cache):
 * every namespaced type discovery lists with the `list` verb, in each group's
 * preferred version. Any failure (a type the agent may not list, an
 * unavailable aggregated API) makes the contents unknown; all but a 403 may
 * pass, as may a type with more objects than one short list holds.
 */
export async function namespaceContents(
  client: RestClient,
  namespace: string,
  types: readonly ListableType[] | Error,
): Promise<NamespaceContents> {
  if (types instanceof Error) return { complete: false, why: errorChain(types), mayPass: true };
  try {
    const entries: NamespaceEntry[] = [];
    for (const type of types) {
      const list = await client.list(`${type.base}/namespaces/${namespace}/${type.plural}`, { limit: LIST_LIMIT });
      if (list.metadata?.continue !== undefined && list.metadata.continue !== '')
        return { complete: false, why: `more than ${LIST_LIMIT} ${type.resource}`, mayPass: true };
      entries.push(...list.items.map((o: KubeObject) => namespaceEntry(type.resource, o)));
    }
    return { complete: true, entries };
  } catch (err) {
    return { complete: false, why: errorChain(err), mayPass: !isForbidden(err) };
  }
}

/** Discovery's namespaced, listable types, fetched at most once a minute; a failure is handed on as an Error. */
export class ListableTypes {
  private readonly client: RestClient;
  private readonly clock: Clock;
  private cached: { readonly at: number; readonly types: ListableType[] } | undefined;

  constructor(client: RestClient, clock: Clock) {
    this.client = client;
    this.clock = clock;
  }

  async get(): Promise<ListableType[] | Error> {
    const now = this.clock.now();
    if (this.cached !== undefined && now - this.cached.at < TYPES_TTL_MS) return this.cached.types;
    try {
      this.cached = { at: now, types: await listableTypes(this.client) };
      return this.cached.types;
    } catch (err) {
      return new Error('failed to discover the namespaced types', { cause: err });
    }
  }
}

async function listableTypes(client: RestClient): Promise<ListableType[]> {
  const bases = ['/api/v1'];
  // Discovery documents are not objects: read them as plain JSON.
  const groups = await client.send('GET', '/apis');
  for (const g of asArray(isRecord(groups) ? groups['groups'] : undefined)) {
    const preferred =
      isRecord(g) && isRecord(g['preferredVersion']) ? g['preferredVersion']['groupVersion'] : undefined;
    if (typeof preferred === 'string') bases.push(`/apis/${preferred}`);
  }
  const types: ListableType[] = [];
  for (const base of bases) {
    const doc = await client.send('GET', base);
    const group = base === '/api/v1' ? '' : (base.split('/')[2] ?? '');
    types.push(...asArray(isRecord(doc) ? doc['resources'] : undefined).flatMap((r) => listableType(base, group, r)));
  }
  return types;
}

/** A discovery entry as a type to list in a namespace, or none (cluster-scoped, a subresource, not listable). */
function listableType(base: string, group: string, r: unknown): ListableType[] {
  if (!isRecord(r) || r['namespaced'] !== true || typeof r['name'] !== 'string') return [];
  if (r['name'].includes('/') || !asArray(r['verbs']).includes('list')) return [];
  return [{ base, plural: r['name'], resource: group === '' ? r['name'] : `${r['name']}.${group}` }];
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
