// What the related-resources stories look at: Secrets and ConfigMaps by
// name on either side, the agent's events and the RelatedResourcesSynced
// condition on a consumer's object, and PublishedResources built in code.
import { isNotFound } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { waitFor } from './wait.ts';
import { writeStatus } from './write-status.ts';

export const RELATED_CONDITION = 'RelatedResourcesSynced';
export const RELATED_ANNOTATION_PREFIX = 'related-resources.syncagent.kcp.io/';

/** A Secret whose data is given as plain text. */
export function secret(
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name, namespace, ...(labels === undefined ? {} : { labels }) },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

export function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(labels === undefined ? {} : { labels }) },
    data,
  };
}

/** A Secret's data as plain text. */
export function plain(obj: KubeObject | undefined): Record<string, string> | undefined {
  const data = obj?.['data'] as Record<string, string> | undefined;
  return data === undefined
    ? undefined
    : Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

export const secretPath = (namespace: string, name = ''): string =>
  `/api/v1/namespaces/${namespace}/secrets${name === '' ? '' : `/${name}`}`;
export const configMapPath = (namespace: string, name = ''): string =>
  `/api/v1/namespaces/${namespace}/configmaps${name === '' ? '' : `/${name}`}`;

/** The object, or undefined when the server says 404. */
export async function tryGet(client: RestClient, path: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Waits until an object exists (and passes `ok`), and returns it. */
export function waitObject(
  client: RestClient,
  path: string,
  what: string,
  ok: (o: KubeObject) => boolean = () => true,
): Promise<KubeObject> {
  return waitFor(
    what,
    async () => {
      const obj = await tryGet(client, path);
      return obj !== undefined && ok(obj) ? obj : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

export async function waitGone(client: RestClient, path: string, what: string): Promise<void> {
  await waitFor(what, async () => ((await tryGet(client, path)) === undefined ? true : undefined), {
    timeoutMs: 60_000,
  });
}

/** Creates a namespace unless it exists. */
export async function ensureNamespace(client: RestClient, name: string): Promise<void> {
  if ((await tryGet(client, `/api/v1/namespaces/${name}`)) !== undefined) return;
  await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export interface RecordedEvent {
  readonly reason: string;
  readonly type: string;
  readonly message: string;
}

/** The events recorded on one object in a namespace. */
export async function eventsOn(client: RestClient, namespace: string, name: string): Promise<RecordedEvent[]> {
  const list = await client.list(`/api/v1/namespaces/${namespace}/events`);
  return list.items
    .filter((e) => (e['involvedObject'] as { name?: string } | undefined)?.name === name)
    .map((e) => ({ reason: text(e['reason']), type: text(e['type']), message: text(e['message']) }));
}

/** Waits for an event with this reason on the object. */
export function waitEvent(client: RestClient, namespace: string, name: string, reason: string): Promise<RecordedEvent> {
  return waitFor(
    `a ${reason} event on ${namespace}/${name}`,
    async () => (await eventsOn(client, namespace, name)).find((e) => e.reason === reason),
    { timeoutMs: 60_000 },
  );
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

function conditionOf(obj: KubeObject, type: string): Condition | undefined {
  return (obj['status'] as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === type);
}

/** Waits until the consumer's object carries RelatedResourcesSynced with this status and reason. */
export async function waitRelatedCondition(
  client: RestClient,
  path: string,
  status: 'True' | 'False',
  reason?: string,
): Promise<Condition> {
  return waitFor(
    `${RELATED_CONDITION}=${status}${reason === undefined ? '' : ` (${reason})`} on ${path}`,
    async () => {
      const c = conditionOf(await client.get(path), RELATED_CONDITION);
      return c?.status === status && (reason === undefined || c.reason === reason) ? c : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

/** The agent's related-resources annotations on a primary, parsed. */
export function relatedAnnotations(obj: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(obj.metadata.annotations ?? {})
      .filter(([k]) => k.startsWith(RELATED_ANNOTATION_PREFIX))
      .map(([k, v]) => [k.slice(RELATED_ANNOTATION_PREFIX.length), JSON.parse(v) as unknown]),
  );
}

/** A PublishedResource for the test types, with the naming the stories use: the consumer's name in the consumer's cluster namespace. */
export function publishedResource(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name },
    spec: { naming: { name: '{{ .Object.metadata.name }}' }, ...spec },
  };
}

export const CRONTABS = { apiGroup: 'example.com', kind: 'CronTab', versions: ['v1'] };
export const CERTIFICATES = { apiGroup: 'certs.example.com', kind: 'Certificate', versions: ['v1'] };
export const BACKUPS = { apiGroup: 'backups.example.com', kind: 'Backup', versions: ['v1'] };

export const crontab = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'CronTab',
  metadata: { name, namespace: 'default' },
  spec: { cronSpec: '* * *', image: 'ubuntu:latest' },
  ...extra,
});
export const certificate = (
  name: string,
  spec: Record<string, unknown>,
  meta: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'certs.example.com/v1',
  kind: 'Certificate',
  metadata: { name, namespace: 'default', ...meta },
  spec,
});

export const CRONTABS_PATH = '/apis/example.com/v1/namespaces/default/crontabs';
export const CERTIFICATES_PATH = '/apis/certs.example.com/v1/namespaces/default/certificates';
/** The service-side copy of a consumer's object under the stories' naming. */
export const localCrontab = (cluster: string, name: string): string =>
  `/apis/example.com/v1/namespaces/${cluster}/crontabs/${name}`;
export const localCertificate = (namespace: string, name: string): string =>
  `/apis/certs.example.com/v1/namespaces/${namespace}/certificates/${name}`;

/**
 * Plays the operator finishing its work on a copy: writes `status.phase`.
 * The status change also makes the agent look at the primary again, as an
 * operator's status write does in production.
 */
export async function markCopy(local: RestClient, path: string, phase = 'Ready'): Promise<void> {
  await writeStatus(local, path, (obj) => ({ ...(obj['status'] as object | undefined), phase }));
}

/** The service-side copy of a consumer's object in a collection, found by the agent's labels (for namings that hash). */
export async function waitCopyOf(
  local: RestClient,
  collection: string,
  cluster: string,
  name: string,
): Promise<KubeObject> {
  return waitFor(
    `the copy of ${cluster}'s ${name} in ${collection}`,
    async () => {
      const list = await local.list(collection, { labelSelector: `syncagent.kcp.io/remote-object-cluster=${cluster}` });
      return list.items.find((o) => o.metadata.annotations?.['syncagent.kcp.io/remote-object-name'] === name);
    },
    { timeoutMs: 60_000 },
  );
}

/** The path of an object read from a list. */
export const pathOf = (collection: string, obj: KubeObject): string => `${collection}/${obj.metadata.name ?? ''}`;
