import { isNotFound } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type Crossplane, startCrossplane } from './crossplane.ts';
import { createWorkspace, type Workspace } from './kcp-fixtures.ts';
import type { KcpServer } from './kcp-server.ts';
import {
  claimsPath,
  createTenants,
  type PlatformAgent,
  installAgents,
  installProvider,
  type PlatformApi,
  type ProjectName,
  PROVIDER_PATH,
  publishApis,
} from './platform.ts';
import { type ServiceCluster, startServiceCluster } from './service-cluster.ts';
import { suite } from './suite.ts';
import { waitFor } from './wait.ts';

/**
 * The platform the e2e stories share (it takes a while to build: a service
 * cluster, Crossplane, three agents, six workspaces): started by the first
 * file that asks, stopped with every other process at the end of the run.
 */
export interface PlatformSuite {
  readonly kcp: KcpServer;
  readonly service: ServiceCluster;
  readonly local: RestClient;
  readonly crossplane: Crossplane;
  readonly provider: Workspace;
  readonly agents: ReadonlyMap<PlatformApi['service'], PlatformAgent>;
  readonly projects: ReadonlyMap<ProjectName, Workspace>;
}

let started: Promise<PlatformSuite> | undefined;

export function platformSuite(): Promise<PlatformSuite> {
  started ??= startPlatformSuite();
  return started;
}

async function startPlatformSuite(): Promise<PlatformSuite> {
  const { kcp, artifacts } = suite();
  const [service, provider] = await Promise.all([
    startServiceCluster(artifacts, 'svc-platform'),
    createWorkspace(kcp, 'root', PROVIDER_PATH.split(':')[1] ?? ''),
  ]);
  const local = await service.client();
  const crossplane = await startCrossplane(artifacts, service);
  await installProvider(local);
  const agents = await installAgents(
    { kcp, artifacts, service, local, scratch: artifacts.scratchDir('platform') },
    provider,
  );
  await publishApis(kcp, local, provider);
  const projects = await createTenants(kcp);
  return { kcp, service, local, crossplane, provider, agents, projects };
}

/** The project workspace of that name (the tree always has it). */
export function project(p: PlatformSuite, name: ProjectName): Workspace {
  const ws = p.projects.get(name);
  if (ws === undefined) throw new Error(`no project workspace ${name}`);
  return ws;
}

/** A client in a project workspace, as the platform's tenants act there. */
export function consumer(p: PlatformSuite, name: ProjectName): Promise<RestClient> {
  return p.kcp.client('admin', project(p, name).path);
}

/** Creates a claim in the consumer's default namespace. */
export async function createClaim(
  client: RestClient,
  api: PlatformApi,
  name: string,
  spec: Record<string, unknown>,
): Promise<KubeObject> {
  return client.create(claimsPath(api, 'default'), {
    apiVersion: `${api.group}/v1alpha1`,
    kind: api.kind,
    metadata: { name },
    spec,
  });
}

/** Waits until the consumer's claim satisfies `accept` (described by `what`); returns it. */
export async function waitForClaim(
  client: RestClient,
  claim: { api: PlatformApi; name: string },
  what: string,
  accept: (o: KubeObject) => boolean,
): Promise<KubeObject> {
  return waitFor(
    `${what} (${claim.api.kind} ${claim.name})`,
    async () => {
      const obj = await client.get(`${claimsPath(claim.api, 'default')}/${claim.name}`);
      return accept(obj) ? obj : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

/** Deletes the consumer's claim and waits until it is gone (our finalizer released). */
export async function deleteClaim(client: RestClient, api: PlatformApi, name: string): Promise<void> {
  await client.delete(`${claimsPath(api, 'default')}/${name}`);
  await waitFor(
    `${api.kind} ${name} to be released and gone`,
    async () => {
      const gone = await client.get(`${claimsPath(api, 'default')}/${name}`).then(
        () => false,
        (err: unknown) => {
          if (isNotFound(err)) return true;
          throw err;
        },
      );
      return gone ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
}
