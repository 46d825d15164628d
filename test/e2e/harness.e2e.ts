// Pins down the real servers' behaviour that the agent builds on: workspaces,
// an exported schema bound in two workspaces, the endpoint slice, wildcard
// list and watch through the virtual workspace, who may read it, and a
// service cluster whose namespaces really terminate.
import { expect } from 'chai';
import { join } from 'node:path';
import { CLUSTER_ANNOTATION } from '../../src/apis/kcp.ts';
import { isAlreadyExists, isForbidden } from '../../src/kube/errors.ts';
import type { KubeObject, WatchEvent } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { crdToAPIResourceSchema } from '../../src/translate/crd-to-schema.ts';
import {
  type Workspace,
  bindExport,
  createExport,
  createWorkspace,
  endpointUrls,
  grantAgentAccess,
  uniqueName,
} from '../utils/kcp-fixtures.ts';
import { installCrd, readCrd } from '../utils/service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import { waitFor } from '../utils/wait.ts';

const CRONTAB_CRD = join(REPO_ROOT, 'test/fixtures/crds/crontab.yaml');
const CRONTABS = '/apis/example.com/v1/crontabs';

const crontab = (name: string, cronSpec = '* * * * *'): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'CronTab',
  metadata: { name, namespace: 'default' },
  spec: { cronSpec, image: 'busybox' },
});

async function ensureNamespace(client: RestClient, name: string): Promise<void> {
  await client
    .create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
    .catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
}

describe('the real kcp the tests run against', function () {
  const exportName = 'crontabs.example.com';
  let provider: Workspace;
  let consumers: Workspace[];
  let providerAdmin: RestClient;
  /**
   * The export, bound into both consumer workspaces: created once by
   * whichever test needs it first, with the endpoint slice's URLs seen just
   * before the first binding and after it.
   */
  let exported: Promise<{ before: string[]; after: string[] }> | undefined;
  const exportBound = (): Promise<{ before: string[]; after: string[] }> =>
    (exported ??= (async () => {
      await createExport(providerAdmin, exportName, [crdToAPIResourceSchema(readCrd(CRONTAB_CRD).spec)]);
      const before = await waitFor('the endpoint slice kcp creates for the export', () =>
        endpointUrls(providerAdmin, exportName),
      );
      for (const consumer of consumers) {
        await bindExport(suite().kcp, consumer.path, { path: provider.path, name: exportName });
      }
      const after = await waitFor('an endpoint URL', async () => {
        const urls = await endpointUrls(providerAdmin, exportName);
        return urls.length > 0 ? urls : undefined;
      });
      return { before, after };
    })());
  const virtualWorkspaceUrl = async (): Promise<string> => (await exportBound()).after[0] ?? '';

  before(async function () {
    const { kcp } = suite();
    const org = await createWorkspace(kcp, 'root', uniqueName('harness'));
    provider = await createWorkspace(kcp, org.path, 'provider');
    providerAdmin = await kcp.client('admin', provider.path);
    await grantAgentAccess(kcp, provider.path, exportName);
    consumers = [await createWorkspace(kcp, org.path, 'team-a'), await createWorkspace(kcp, org.path, 'team-b')];
  });

  it('gives each consumer its own Ready workspace with a distinct logical cluster', function () {
    expect(consumers).to.have.length(2);
    expect(consumers[0]!.cluster).to.not.equal(consumers[1]!.cluster);
  });

  it("creates the export's endpoint slice, which lists no URL before the first binding and one after", async function () {
    const { before, after } = await exportBound();
    expect(before).to.deep.equal([]);
    expect(after).to.have.length(1);
    expect(after[0]).to.match(new RegExp(`/services/apiexport/${provider.cluster}/${exportName}$`));
  });

  it('lets the agent list objects of all consumers through one URL, each marked with its workspace', async function () {
    const vwUrl = await virtualWorkspaceUrl();
    for (const [i, consumer] of consumers.entries()) {
      const client = await suite().kcp.client('admin', consumer.path);
      await ensureNamespace(client, 'default');
      await client.create('/apis/example.com/v1/namespaces/default/crontabs', crontab(`job-${i}`));
    }
    const agent = (await suite().kcp.client('agent', provider.path)).forServer(`${vwUrl}/clusters/*`);
    const listed = await waitFor('both objects in the wildcard list', async () => {
      const mine = (await agent.list(CRONTABS)).items.filter((o) => o.metadata.name?.startsWith('job-'));
      return mine.length === 2 ? mine : undefined;
    });
    const clusters = listed.map((o) => o.metadata.annotations?.[CLUSTER_ANNOTATION]).sort();
    expect(clusters).to.deep.equal(consumers.map((c) => c.cluster).sort());
  });

  it('delivers a new object and a status update to a wildcard watch', async function () {
    const vwUrl = await virtualWorkspaceUrl();
    const agent = (await suite().kcp.client('agent', provider.path)).forServer(`${vwUrl}/clusters/*`);
    const list = await agent.list(CRONTABS);
    const events: WatchEvent[] = [];
    const abort = new AbortController();
    const watching = agent
      .watch(CRONTABS, { resourceVersion: list.metadata.resourceVersion }, (e) => events.push(e), abort.signal)
      .catch((err: unknown) => {
        if (!abort.signal.aborted) throw err;
      });

    const consumer = await suite().kcp.client('admin', consumers[0]!.path);
    await ensureNamespace(consumer, 'default');
    await consumer.create('/apis/example.com/v1/namespaces/default/crontabs', crontab('watched'));
    await waitFor('ADDED for the new object', () =>
      Promise.resolve(
        events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'watched') ? true : undefined,
      ),
    );

    // The status subresource is written through the virtual workspace, as the agent will.
    const perCluster = agent.forServer(`${vwUrl}/clusters/${consumers[0]!.cluster}`);
    const path = '/apis/example.com/v1/namespaces/default/crontabs/watched';
    const current = await perCluster.get(path);
    await perCluster.replace(`${path}/status`, { ...current, status: { phase: 'Ready' } });
    await waitFor('MODIFIED carrying the status', () =>
      Promise.resolve(
        events.some(
          (e) => e.type === 'MODIFIED' && (e.object['status'] as { phase?: string } | undefined)?.phase === 'Ready',
        )
          ? true
          : undefined,
      ),
    );
    abort.abort();
    await watching;
  });

  it("refuses the export's content to a consumer identity", async function () {
    const vwUrl = await virtualWorkspaceUrl();
    const consumer = (await suite().kcp.client('consumer', provider.path)).forServer(`${vwUrl}/clusters/*`);
    const err = await consumer.list(CRONTABS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isForbidden(err), `expected 403, got ${String(err)}`).to.equal(true);
  });
});

describe('the service cluster the tests run against', function () {
  let cluster: ServiceCluster;
  let admin: RestClient;

  before(async function () {
    cluster = await startServiceCluster(suite().artifacts, uniqueName('service'));
    admin = await cluster.client();
  });

  after(async function () {
    await cluster.stop();
  });

  it('serves a CRD and its objects', async function () {
    await installCrd(admin, readCrd(CRONTAB_CRD));
    await admin.create('/apis/example.com/v1/namespaces/default/crontabs', crontab('local'));
    const obj = await admin.get('/apis/example.com/v1/namespaces/default/crontabs/local');
    // The CRD's default was applied by the real apiserver.
    expect(obj['spec']).to.deep.include({ concurrencyPolicy: 'Allow' });
  });

  it('really removes a deleted namespace and what was in it', async function () {
    await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await admin.create('/api/v1/namespaces/doomed/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { a: 'b' },
    });
    await admin.delete('/api/v1/namespaces/doomed');
    await waitFor(
      'namespace doomed to be gone',
      async () => {
        const gone = await admin.get('/api/v1/namespaces/doomed').then(
          () => false,
          () => true,
        );
        return gone ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  });
});
