import { join } from 'node:path';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import type { Artifacts } from './artifacts.ts';
import { createWorkspace, uniqueName, type Workspace } from './kcp-fixtures.ts';
import { installCrd, readCrd } from './service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from './service-cluster.ts';
import { SHARD_LABEL, type ShardedKcp, startShardedKcp } from './sharded-kcp.ts';
import { REPO_ROOT } from './tools.ts';

/**
 * Where the sharded stories start: a two-shard kcp; a service cluster with
 * the PublishedResource and CronTab CRDs and the agent's namespace
 * `api-syncagent`; an organization with the provider workspace on the root
 * shard and one consumer workspace pinned to each shard.
 */
export interface ShardedSetup {
  readonly kcp: ShardedKcp;
  readonly service: ServiceCluster;
  readonly local: RestClient;
  readonly provider: Workspace;
  /** [on the root shard, on shard-1]. */
  readonly consumers: readonly [Workspace, Workspace];
}

export async function startShardedSetup(artifacts: Artifacts, name: string): Promise<ShardedSetup> {
  const kcp = await startShardedKcp(artifacts);
  console.log(`      sharded kcp ready after ${kcp.startupSeconds} s`);
  const service = await startServiceCluster(artifacts, uniqueName(`svc-${name}`));
  const local = await service.client();
  await installCrd(local, readCrd(join(REPO_ROOT, 'crds/syncagent.kcp.io_publishedresources.yaml')));
  await installCrd(local, readCrd(join(REPO_ROOT, 'test/fixtures/crds/crontab.yaml')));
  await local.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'api-syncagent' },
  });
  const onRootShard = { [SHARD_LABEL]: 'root' };
  const org = await createWorkspace(kcp, 'root', uniqueName(name), onRootShard);
  const provider = await createWorkspace(kcp, org.path, 'provider', onRootShard);
  const consumers = [
    await createWorkspace(kcp, org.path, 'on-root', onRootShard),
    await createWorkspace(kcp, org.path, 'on-shard-1', { [SHARD_LABEL]: 'shard-1' }),
  ] as const;
  return { kcp, service, local, provider, consumers };
}

/** The service-cluster copy of a consumer's CronTab, if there is one. */
export async function cronTabCopy(local: RestClient, ws: Workspace, name: string): Promise<KubeObject | undefined> {
  const copies = await local
    .list(`/apis/example.com/v1/namespaces/${ws.cluster}/crontabs`)
    .catch(() => ({ items: [] as KubeObject[] }));
  return copies.items.find((o) => o.metadata.annotations?.['syncagent.kcp.io/remote-object-name'] === name);
}
