import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { APIResourceSchema, PermissionClaim } from '../../src/apis/kcp.ts';
import { isAlreadyExists } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import type { KcpServer } from './kcp-server.ts';
import { REPO_ROOT } from './tools.ts';
import { waitFor } from './wait.ts';

const TENANCY = '/apis/tenancy.kcp.io/v1alpha1';
const APIS_V1A1 = '/apis/apis.kcp.io/v1alpha1';
const APIS_V1A2 = '/apis/apis.kcp.io/v1alpha2';

export interface Workspace {
  readonly name: string;
  /** Path such as `root:e2e-abc`. */
  readonly path: string;
  /** The logical cluster name kcp assigned (spec.cluster). */
  readonly cluster: string;
}

let counter = 0;

/** A workspace name unique within this run. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/**
 * Creates a workspace under parentPath (as kcp admin) and waits until it is
 * Ready. `shardLabels` pins it to the shard with these labels (the
 * Workspace's spec.location.selector); kcp picks a shard otherwise.
 */
export async function createWorkspace(
  kcp: KcpServer,
  parentPath: string,
  name: string,
  shardLabels?: Record<string, string>,
): Promise<Workspace> {
  const parent = await kcp.client('admin', parentPath);
  const spec = shardLabels === undefined ? {} : { spec: { location: { selector: { matchLabels: shardLabels } } } };
  await parent.create(`${TENANCY}/workspaces`, {
    apiVersion: 'tenancy.kcp.io/v1alpha1',
    kind: 'Workspace',
    metadata: { name },
    ...spec,
  });
  const ws = await waitFor(
    `workspace ${parentPath}:${name} to be Ready`,
    async () => {
      const obj = await parent.get(`${TENANCY}/workspaces/${name}`);
      const status = obj['status'] as { phase?: string } | undefined;
      const spec = obj['spec'] as { cluster?: string } | undefined;
      return status?.phase === 'Ready' && spec?.cluster !== undefined ? spec.cluster : undefined;
    },
    { timeoutMs: 60_000 },
  );
  return { name, path: `${parentPath}:${name}`, cluster: ws };
}

/** Creates or replaces every object of a YAML stream. */
export async function applyYaml(client: RestClient, text: string): Promise<void> {
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as KubeObject | null;
    if (obj === null) continue;
    await applyObject(client, obj);
  }
}

/** Creates an object, or replaces it when it already exists. */
export async function applyObject(client: RestClient, obj: KubeObject): Promise<KubeObject> {
  const path = collectionPath(obj);
  try {
    return await client.create(path, obj);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const current = await client.get(`${path}/${obj.metadata.name ?? ''}`);
    return client.replace(`${path}/${obj.metadata.name ?? ''}`, {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion },
    });
  }
}

/** The REST collection path of the few kinds the fixtures apply. */
export function collectionPath(obj: KubeObject): string {
  const [group, version] = (obj.apiVersion ?? '').includes('/')
    ? (obj.apiVersion ?? '').split('/')
    : ['', obj.apiVersion];
  const resource = `${(obj.kind ?? '').toLowerCase()}s`.replace(/ys$/, 'ies').replace(/sss$/, 'sses');
  const base = group === '' ? `/api/${version ?? 'v1'}` : `/apis/${group}/${version ?? ''}`;
  const ns = obj.metadata.namespace;
  return ns !== undefined && ns !== '' ? `${base}/namespaces/${ns}/${resource}` : `${base}/${resource}`;
}

/** The repository's kcp RBAC manifest for the agent, filled in. */
export function agentRbacYaml(exportName: string, agentUser: string): string {
  return readFileSync(join(REPO_ROOT, 'deploy/kcp/agent-rbac.yaml'), 'utf8')
    .replaceAll('__AGENT_USER__', agentUser)
    .replaceAll('__APIEXPORT_NAME__', exportName);
}

/**
 * Applies the agent's kcp RBAC in the provider workspace (as kcp admin);
 * `moreUsers` (e.g. one per replica) are bound to the same role.
 */
export async function grantAgentAccess(
  kcp: KcpServer,
  providerPath: string,
  exportName: string,
  moreUsers: readonly string[] = [],
): Promise<void> {
  const admin = await kcp.client('admin', providerPath);
  await applyYaml(admin, agentRbacYaml(exportName, kcp.agentUser));
  if (moreUsers.length === 0) return;
  const rbac = 'rbac.authorization.k8s.io';
  await applyObject(admin, {
    apiVersion: `${rbac}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: `api-syncagent:${exportName}:more-users` },
    roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: `api-syncagent:${exportName}` },
    subjects: moreUsers.map((name) => ({ apiGroup: rbac, kind: 'User', name })),
  });
}

/** Creates APIResourceSchemas and an APIExport (v1alpha2) for them in a workspace. */
export async function createExport(
  client: RestClient,
  name: string,
  schemas: APIResourceSchema[],
  claims: PermissionClaim[] = [{ group: '', resource: 'events', verbs: ['*'] }],
): Promise<void> {
  for (const schema of schemas) await applyObject(client, schema as unknown as KubeObject);
  await client.create(`${APIS_V1A2}/apiexports`, {
    apiVersion: 'apis.kcp.io/v1alpha2',
    kind: 'APIExport',
    metadata: { name },
    spec: {
      resources: schemas.map((s) => ({
        name: s.spec.names.plural,
        group: s.spec.group,
        schema: s.metadata.name,
        storage: { crd: {} },
      })),
      permissionClaims: claims,
    },
  });
}

/**
 * Binds an export into a consumer workspace (as kcp admin), accepting the
 * given claims for all objects, and waits for the binding's Ready condition.
 */
export async function bindExport(
  kcp: KcpServer,
  consumerPath: string,
  exportRef: { path: string; name: string },
  claims: PermissionClaim[] = [{ group: '', resource: 'events', verbs: ['*'] }],
): Promise<KubeObject> {
  return bindWithClaims(await kcp.client('admin', consumerPath), exportRef, claims);
}

/** Whether a consumer accepts a claim of the export. */
export type ClaimDecision = (claim: PermissionClaim) => 'Accepted' | 'Rejected';

/** Binds an export with the given claims, each accepted (default) or rejected for all objects, and waits for the binding to be Ready. */
export async function bindWithClaims(
  client: RestClient,
  exportRef: { path: string; name: string },
  claims: readonly PermissionClaim[],
  decide: ClaimDecision = () => 'Accepted',
): Promise<KubeObject> {
  await client.create(`${APIS_V1A2}/apibindings`, {
    apiVersion: 'apis.kcp.io/v1alpha2',
    kind: 'APIBinding',
    metadata: { name: exportRef.name },
    spec: {
      reference: { export: exportRef },
      permissionClaims: claims.map((c) => ({ ...c, selector: { matchAll: true }, state: decide(c) })),
    },
  });
  return waitFor(
    `APIBinding ${exportRef.name} to be Ready`,
    async () => {
      const binding = await client.get(`${APIS_V1A2}/apibindings/${exportRef.name}`);
      return conditionTrue(binding, 'Ready') ? binding : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

/** The URLs an APIExportEndpointSlice lists (empty until something binds). */
export async function endpointUrls(client: RestClient, sliceName: string): Promise<string[]> {
  const slice = await client.get(`${APIS_V1A1}/apiexportendpointslices/${sliceName}`);
  const status = slice['status'] as { endpoints?: { url?: string }[] } | undefined;
  return (status?.endpoints ?? []).flatMap((e) => (e.url === undefined ? [] : [e.url]));
}

export function conditionTrue(obj: KubeObject, type: string): boolean {
  const status = obj['status'] as { conditions?: { type: string; status: string }[] } | undefined;
  return status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}
