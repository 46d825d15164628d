// The setup every fault test shares: a service cluster with the CronTab CRD,
// a provider workspace, a few consumer workspaces bound to the export, and the
// agent as a real process. Tests inject faults into it from outside.
import { join } from 'node:path';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type AgentSetup, type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import type { Artifacts } from '../utils/artifacts.ts';
import { applyObject, bindExport, createWorkspace, grantAgentAccess, uniqueName } from '../utils/kcp-fixtures.ts';
import type { KcpServer } from '../utils/kcp-server.ts';
import { installCrd, readCrd } from '../utils/service-fixtures.ts';
import { type ServiceCluster, type ServiceClusterOptions, startServiceCluster } from '../utils/service-cluster.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import { waitFor } from '../utils/wait.ts';
import { type InvariantScope, TENANT_LABEL, type Tenant } from './invariants.ts';

export const EXPORT = 'crontabs.example.com';
export const CRONTABS = '/apis/example.com/v1/crontabs';
export const nsCronTabs = (ns: string): string => `/apis/example.com/v1/namespaces/${ns}/crontabs`;

export interface WorldOptions {
  readonly name: string;
  readonly kcp: KcpServer;
  readonly artifacts: Artifacts;
  readonly tenants?: number;
  readonly service?: ServiceClusterOptions;
  /** kcp users besides its agent user that get the agent's access (e.g. one per replica). */
  readonly moreAgentUsers?: readonly string[];
}

export interface FaultWorld {
  readonly kcp: KcpServer;
  readonly artifacts: Artifacts;
  readonly service: ServiceCluster;
  readonly local: RestClient;
  /** Also the scope's tenants; refreshTenantClients() replaces the entries. */
  readonly tenants: Tenant[];
  readonly scope: InvariantScope;
  /** What startAgent needs, minus per-replica details. */
  readonly agentSetup: AgentSetup;
}

export async function buildWorld(opts: WorldOptions): Promise<FaultWorld> {
  const service = await startServiceCluster(opts.artifacts, uniqueName(`svc-${opts.name}`), opts.service);
  const local = await service.client();
  await installCrd(local, readCrd(join(REPO_ROOT, 'crds/syncagent.kcp.io_publishedresources.yaml')));
  await installCrd(local, readCrd(join(REPO_ROOT, 'test/fixtures/crds/crontab.yaml')));
  await local.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'api-syncagent' },
  });
  const org = await createWorkspace(opts.kcp, 'root', uniqueName(opts.name));
  const provider = await createWorkspace(opts.kcp, org.path, 'provider');
  await grantAgentAccess(opts.kcp, provider.path, EXPORT, opts.moreAgentUsers);
  const tenants: Tenant[] = [];
  for (let i = 0; i < (opts.tenants ?? 2); i++) {
    const workspace = await createWorkspace(opts.kcp, org.path, `tenant-${i}`);
    tenants.push({ workspace, client: await opts.kcp.client('admin', workspace.path) });
  }
  const agentName = `faults-${opts.name}`;
  await applyObject(local, {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name: 'crontabs' },
    spec: { resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v1'] } },
  });
  return {
    kcp: opts.kcp,
    artifacts: opts.artifacts,
    service,
    local,
    tenants,
    scope: { local, agentName, tenants, resource: { group: 'example.com', version: 'v1', plural: 'crontabs' } },
    agentSetup: {
      name: agentName,
      kcp: opts.kcp,
      providerPath: provider.path,
      exportName: EXPORT,
      service,
      namespace: 'api-syncagent',
    },
  };
}

/** New admin clients for the tenants (kcp's admin token changes when it restarts). */
export async function refreshTenantClients(world: FaultWorld): Promise<void> {
  for (const [i, t] of world.tenants.entries())
    world.tenants[i] = { ...t, client: await world.kcp.client('admin', t.workspace.path) };
}

/** Starts the agent (one replica unless told) and waits until it is ready. */
export async function startWorldAgent(world: FaultWorld, extra: Partial<AgentSetup> = {}): Promise<RunningAgent> {
  const agent = await startAgent(world.artifacts, { ...world.agentSetup, ...extra });
  if (extra.extraArgs?.includes('--enable-leader-election') !== true) await waitAgentReady(agent);
  return agent;
}

/** Binds the export into every tenant (the agent must have created it) and waits until it is served. */
export async function bindTenants(world: FaultWorld): Promise<void> {
  const provider = await world.kcp.client('admin', world.agentSetup.providerPath);
  await waitFor('the APIExport', () => provider.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`), {
    timeoutMs: 60_000,
  });
  for (const t of world.tenants) {
    await bindExport(world.kcp, t.workspace.path, { path: world.agentSetup.providerPath, name: EXPORT });
    await waitFor('the API in the tenant workspace', () => t.client.list(nsCronTabs('default')), { timeoutMs: 60_000 });
  }
}

/** Runs fn over items, at most `limit` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A consumer CronTab marked with its tenant. */
export function cronTab(
  tenant: Tenant,
  name: string,
  spec: Record<string, unknown> = { cronSpec: '* * * * *', image: `${name}:1` },
): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'CronTab',
    metadata: { name, namespace: 'default', labels: { [TENANT_LABEL]: tenant.workspace.cluster } },
    spec,
  };
}

/** Creates `names` in every tenant's default namespace. */
export async function createInTenants(world: FaultWorld, names: readonly string[], concurrency = 8): Promise<void> {
  const work = world.tenants.flatMap((t) => names.map((n) => ({ t, n })));
  await inParallel(work, concurrency, ({ t, n }) => t.client.create(nsCronTabs('default'), cronTab(t, n)));
}

/** Deletes `names` in every tenant (ignores ones already gone). */
export async function deleteInTenants(world: FaultWorld, names: readonly string[], concurrency = 8): Promise<void> {
  const work = world.tenants.flatMap((t) => names.map((n) => ({ t, n })));
  await inParallel(work, concurrency, ({ t, n }) =>
    t.client.delete(`${nsCronTabs('default')}/${n}`).catch(() => undefined),
  );
}

/** Every copy on the service cluster. */
export async function copies(world: FaultWorld): Promise<KubeObject[]> {
  return (await world.local.list(CRONTABS)).items;
}

export const copyPath = (copy: KubeObject): string =>
  `${nsCronTabs(copy.metadata.namespace ?? '')}/${copy.metadata.name ?? ''}`;

/** Plays the operator: writes a Ready condition (with a marker) into a copy's status. */
export async function writeStatus(world: FaultWorld, copy: KubeObject, marker: string): Promise<void> {
  const status = {
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Faults', message: marker, lastTransitionTime: '2026-01-01T00:00:00Z' },
    ],
  };
  await world.local.patch(`${copyPath(copy)}/status`, { status }, 'merge');
}

/** A promise that resolves after ms. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
