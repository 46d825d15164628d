// Two replicas, one lease: only the holder syncs; when it dies, the other
// takes over well within 15 s and syncing goes on.
import { expect } from 'chai';
import { join } from 'node:path';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import {
  applyObject,
  bindExport,
  createWorkspace,
  grantAgentAccess,
  uniqueName,
  type Workspace,
} from '../utils/kcp-fixtures.ts';
import { installCrd, readCrd } from '../utils/service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import { waitFor } from '../utils/wait.ts';

const EXPORT = 'crontabs.example.com';
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/api-syncagent/leases/syncagent.ha-agent';

describe('two agent replicas with leader election', function () {
  let service: ServiceCluster;
  let local: RestClient;
  let provider: Workspace;
  let consumer: Workspace;
  let replicas: RunningAgent[];

  const holder = async (): Promise<string | undefined> => {
    const lease = await local.get(LEASE).catch(() => undefined);
    const id = (lease?.['spec'] as { holderIdentity?: string } | undefined)?.holderIdentity;
    return id === undefined || id === '' ? undefined : id;
  };
  const hasCopy = async (name: string): Promise<true | undefined> => {
    const copies = (
      await local.list(`/apis/example.com/v1/namespaces/${consumer.cluster}/crontabs`).catch(() => ({ items: [] }))
    ).items;
    return copies.some((c) => c.metadata.annotations?.['syncagent.kcp.io/remote-object-name'] === name)
      ? true
      : undefined;
  };
  /** Creates a CronTab in the consumer workspace once the API is served there. */
  const createCronTab = async (name: string): Promise<void> => {
    const tenant = await suite().kcp.client('admin', consumer.path);
    await waitFor('the API in the consumer workspace', () =>
      tenant.list('/apis/example.com/v1/namespaces/default/crontabs'),
    );
    await tenant.create('/apis/example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'example.com/v1',
      kind: 'CronTab',
      metadata: { name },
      spec: { cronSpec: '* * * * *' },
    });
  };

  before(async function () {
    const { kcp, artifacts } = suite();
    service = await startServiceCluster(artifacts, uniqueName('svc-ha'));
    local = await service.client();
    await installCrd(local, readCrd(join(REPO_ROOT, 'crds/syncagent.kcp.io_publishedresources.yaml')));
    await installCrd(local, readCrd(join(REPO_ROOT, 'test/fixtures/crds/crontab.yaml')));
    await local.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'api-syncagent' },
    });
    const org = await createWorkspace(kcp, 'root', uniqueName('ha'));
    provider = await createWorkspace(kcp, org.path, 'provider');
    consumer = await createWorkspace(kcp, org.path, 'consumer');
    await grantAgentAccess(kcp, provider.path, EXPORT);
    const start = (n: number): Promise<RunningAgent> =>
      startAgent(artifacts, {
        name: 'ha-agent',
        instance: `replica-${n}`,
        kcp,
        providerPath: provider.path,
        exportName: EXPORT,
        service,
        namespace: 'api-syncagent',
        extraArgs: ['--enable-leader-election'],
      });
    replicas = [await start(1), await start(2)];
    await Promise.all(replicas.map((r) => waitAgentReady(r)));
    await applyObject(local, {
      apiVersion: 'syncagent.kcp.io/v1alpha1',
      kind: 'PublishedResource',
      metadata: { name: 'crontabs' },
      spec: { resource: { apiGroup: 'example.com', kind: 'CronTab' } },
    });
    await waitFor('the export', async () =>
      (await kcp.client('admin', provider.path)).get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`),
    );
    await bindExport(kcp, consumer.path, { path: provider.path, name: EXPORT });
  });

  after(async function () {
    await Promise.all(replicas.map((r) => r.process.stop()));
    await service.stop();
  });

  it('lets exactly one replica hold the lease and sync', async function () {
    const id = await waitFor('a lease holder', holder);
    await createCronTab('one');
    await waitFor('the copy', () => hasCopy('one'));
    expect(await holder()).to.equal(id);
    const leaders = replicas.filter((r) => r.process.logTail(100_000).includes('Became the leader'));
    expect(leaders, 'replicas that became the leader').to.have.length(1);
  });

  it('hands over to the other replica within 15 s when the leader is killed', async function () {
    const before = await waitFor('a lease holder', holder);
    const leader = await waitFor("the leader's log", () =>
      Promise.resolve(replicas.find((r) => r.process.logTail(100_000).includes('Became the leader'))),
    );
    const killed = Date.now();
    await leader.process.kill();
    const after = await waitFor(
      'another lease holder',
      async () => {
        const id = await holder();
        return id !== undefined && id !== before ? id : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const takeover = Date.now() - killed;
    console.log(`      takeover after ${takeover} ms`);
    expect(after).to.not.equal(before);
    expect(takeover).to.be.below(15_000);

    await createCronTab('two');
    await waitFor('the new leader to sync', () => hasCopy('two'), { timeoutMs: 30_000 });
  });
});
