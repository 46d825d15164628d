// The benchmark's world: one kcp, one service cluster, and per agent its own
// provider workspace, APIExport, API group and PublishedResource, so agents
// never see each other's objects.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CustomResourceDefinition } from '../src/apis/apiextensions.ts';
import type { KubeObject } from '../src/kube/object.ts';
import type { RestClient } from '../src/kube/rest-client.ts';
import { crdToAPIResourceSchema } from '../src/translate/crd-to-schema.ts';
import type { Artifacts } from '../test/utils/artifacts.ts';
import { applyObject, createExport, grantAgentAccess } from '../test/utils/kcp-fixtures.ts';
import { type KcpServer, startKcp } from '../test/utils/kcp-server.ts';
import { installCrd, readCrd } from '../test/utils/service-fixtures.ts';
import { type ShardedKcp, startShardedKcp } from '../test/utils/sharded-kcp.ts';
import { type ServiceCluster, startServiceCluster } from '../test/utils/service-cluster.ts';
import { REPO_ROOT } from '../test/utils/tools.ts';
import { grantUpstreamExtras } from '../test/utils/upstream-agent.ts';
import type { AgentKind } from './options.ts';
import { ServerWatch, type WatchedProcess } from './servers.ts';
import { createWorkspaces, type BenchWorkspace } from './workspaces.ts';

/** One published API: its group on both sides, and the export that serves it. */
export interface BenchApi {
  /** `upstream`, `ours`, `ours-limited` or `limit`. */
  readonly id: string;
  readonly group: string;
  readonly plural: 'crontabs';
  readonly exportName: string;
  readonly provider: BenchWorkspace;
}

export interface BenchEnv {
  readonly artifacts: Artifacts;
  readonly kcp: KcpServer;
  readonly service: ServiceCluster;
  /** Admin on the service cluster. */
  readonly local: RestClient;
  /** kcp admin at the server root (paths start with /clusters/…); one pool for all requests. */
  readonly kcpAdmin: RestClient;
  readonly apis: Map<string, BenchApi>;
  /** Memory of kcp and the service cluster's servers, and whether one died. */
  readonly servers: ServerWatch;
  /** The shards' names on a sharded kcp (`root`, `shard-1`); empty on the one-shard kcp. */
  readonly shardNames: readonly string[];
}

const SERVICE_HOST = 'service';

export async function startServers(artifacts: Artifacts, shards: 1 | 2): Promise<BenchEnv> {
  const [kcp, service] = await Promise.all([
    shards === 2 ? startShardedKcp(artifacts) : startKcp(artifacts),
    startServiceCluster(artifacts, SERVICE_HOST),
  ]);
  const sharded = 'shards' in kcp ? kcp : undefined;
  const kcpProcesses = sharded === undefined ? [kcp.process] : shardedProcesses(sharded);
  const servers = new ServerWatch([...kcpProcesses, ...service.processes]);
  servers.start();
  const local = await service.client();
  const kcpAdmin = (await kcp.client('admin', 'root')).forServer(kcp.baseUrl);
  await installCrd(local, readCrd(join(REPO_ROOT, 'crds/syncagent.kcp.io_publishedresources.yaml')));
  const shardNames = sharded?.shards.map((sh) => sh.name) ?? [];
  return { artifacts, kcp, service, local, kcpAdmin, apis: new Map(), servers, shardNames };
}

/**
 * The sharded kcp's servers, each on its own: the ones kcp's launcher started
 * (cache server, root shard, front-proxy: its children, found by parent pid
 * and named by their program) and the second shard the harness started.
 */
function shardedProcesses(kcp: ShardedKcp): WatchedProcess[] {
  const launcher = kcp.process;
  const children: WatchedProcess[] = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .flatMap((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== launcher.pid) return [];
        // The cached binaries are named `<program>-v<version>-<hash>` (and comm cuts at 15 characters).
        const program = readFileSync(`/proc/${e}/comm`, 'utf8')
          .trim()
          .replace(/-v\d.*$/, '');
        return [{ name: program === 'kcp' ? 'kcp root' : program, pid: Number(e) }];
      } catch {
        return []; // gone meanwhile
      }
    })
    .map(({ name, pid }) => ({
      name,
      pid,
      logFile: launcher.logFile,
      exited: () => !existsSync(`/proc/${pid}`),
      logTail: (lines?: number) => launcher.logTail(lines),
    }));
  const second = kcp.shards.flatMap((sh) => sh.process() ?? []);
  return [...children, ...second];
}

/** The CronTab CRD of the tests, moved to another API group. */
export function benchCrd(group: string): CustomResourceDefinition {
  const crd = readCrd(join(REPO_ROOT, 'test/fixtures/crds/crontab.yaml'));
  return { ...crd, metadata: { name: `crontabs.${group}` }, spec: { ...crd.spec, group } };
}

/** Provider workspaces (one per API), the CRDs on the service cluster and the agents' kcp RBAC. */
export async function createProviders(env: BenchEnv, ids: readonly string[]): Promise<void> {
  const providers = await createWorkspaces(
    env.kcpAdmin,
    'root',
    ids.map((id) => `bench-${id}`),
    { concurrency: 8 },
  );
  for (const [i, id] of ids.entries()) {
    const group = `bench-${id}.example.com`;
    const api: BenchApi = { id, group, plural: 'crontabs', exportName: `crontabs.${group}`, provider: providers[i]! };
    env.apis.set(id, api);
    await installCrd(env.local, benchCrd(group));
  }
}

/**
 * What an agent needs before it starts: its namespace, its PublishedResource
 * (selected by label, with copies in `<agent>-<cluster>` namespaces so agents
 * never share namespaces), kcp RBAC and an empty APIExport (upstream exits
 * when the export or its endpoint slice is missing; kcp makes the slice).
 */
export async function prepareAgentApi(env: BenchEnv, kind: AgentKind): Promise<BenchApi> {
  const api = env.apis.get(kind)!;
  await applyObject(env.local, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${kind}` } });
  await applyObject(env.local, {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name: `bench-${kind}`, labels: { 'bench.kcp.io/agent': kind } },
    spec: {
      resource: { apiGroup: api.group, kind: 'CronTab', versions: ['v1'] },
      naming: { namespace: `${kind}-$remoteClusterName` },
    },
  });
  await grantAgentAccess(env.kcp, api.provider.path, api.exportName);
  const provider = providerClient(env, api);
  if (kind === 'upstream') await grantUpstreamExtras(provider, 'bench:upstream-extras');
  await provider.create('/apis/apis.kcp.io/v1alpha2/apiexports', {
    apiVersion: 'apis.kcp.io/v1alpha2',
    kind: 'APIExport',
    metadata: { name: api.exportName },
    spec: {},
  });
  return api;
}

/** The bare-client limit's API: the schema and export made directly, no agent. */
export async function prepareLimitApi(env: BenchEnv): Promise<BenchApi> {
  const api = env.apis.get('limit')!;
  const schema = crdToAPIResourceSchema(benchCrd(api.group).spec);
  await createExport(providerClient(env, api), api.exportName, [schema], []);
  return api;
}

export function providerClient(env: BenchEnv, api: BenchApi): RestClient {
  return env.kcpAdmin.forServer(`${env.kcp.baseUrl}/clusters/${api.provider.path}`);
}

/** The export as kcp has it now. */
export async function getExport(env: BenchEnv, api: BenchApi): Promise<KubeObject> {
  return providerClient(env, api).get(`/apis/apis.kcp.io/v1alpha2/apiexports/${api.exportName}`);
}

/** The first URL of the export's endpoint slice (there is one once something is bound). */
export async function sliceUrl(env: BenchEnv, api: BenchApi): Promise<string | undefined> {
  return (await sliceUrls(env, api))[0];
}

/** Every URL of the export's endpoint slice: one per shard that serves a bound workspace. */
export async function sliceUrls(env: BenchEnv, api: BenchApi): Promise<string[]> {
  const slice = await providerClient(env, api).get(
    `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${api.exportName}`,
  );
  const endpoints = (slice['status'] as { endpoints?: { url?: string }[] } | undefined)?.endpoints ?? [];
  return endpoints.flatMap((e) => (e.url === undefined ? [] : [e.url]));
}
