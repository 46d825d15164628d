// A sharded kcp: consumers live on two shards, the endpoint slice lists one
// virtual-workspace URL per shard, and the agent (talking to kcp through the
// front-proxy) syncs both. A shard that crashes is named in /readyz while the
// other shard keeps syncing, and the agent catches up once it is back.
import { expect } from 'chai';
import { request } from 'undici';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import {
  applyObject,
  bindExport,
  conditionTrue,
  endpointUrls,
  grantAgentAccess,
  type Workspace,
} from '../utils/kcp-fixtures.ts';
import type { ServiceCluster } from '../utils/service-cluster.ts';
import type { ShardedKcp } from '../utils/sharded-kcp.ts';
import { cronTabCopy, startShardedSetup } from '../utils/sharded-setup.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';

const EXPORT = 'crontabs.example.com';
const CRONTABS = '/apis/example.com/v1/namespaces/default/crontabs';

describe('a sharded kcp: consumers on two shards', function () {
  let kcp: ShardedKcp;
  let service: ServiceCluster;
  let local: RestClient;
  let provider: Workspace;
  /** Pinned to the root shard, bound before the agent starts. */
  let onRoot: Workspace;
  /** Pinned to the second shard, bound after the agent started. */
  let onShard1: Workspace;
  let agent: RunningAgent;

  const tenant = (ws: Workspace): Promise<RestClient> => kcp.client('admin', ws.path);
  const copyOf = (ws: Workspace, name: string): Promise<KubeObject | undefined> => cronTabCopy(local, ws, name);
  const createIn = async (ws: Workspace, name: string): Promise<KubeObject> => {
    await (
      await tenant(ws)
    ).create(CRONTABS, {
      apiVersion: 'example.com/v1',
      kind: 'CronTab',
      metadata: { name },
      spec: { cronSpec: '* * * * *' },
    });
    return waitFor(`the copy of ${ws.name}/${name}`, () => copyOf(ws, name), { timeoutMs: 60_000 });
  };
  const markReady = (copy: KubeObject): Promise<KubeObject> =>
    local.replace(
      `/apis/example.com/v1/namespaces/${copy.metadata.namespace ?? ''}/crontabs/${copy.metadata.name ?? ''}/status`,
      {
        ...copy,
        status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Done', message: 'ok' }] },
      },
    );
  const consumerSeesReady = async (ws: Workspace, name: string, timeoutMs = 60_000): Promise<void> => {
    const client = await tenant(ws);
    await waitFor(
      `${ws.name} to read Ready on ${name}`,
      async () => (conditionTrue(await client.get(`${CRONTABS}/${name}`), 'Ready') ? true : undefined),
      { timeoutMs },
    );
  };
  /** The whole story for one workspace: copy down, status up, deletion. */
  const copyStatusDelete = async (ws: Workspace, name: string): Promise<void> => {
    const copy = await createIn(ws, name);
    expect(copy.metadata.namespace).to.equal(ws.cluster);
    await markReady(copy);
    await consumerSeesReady(ws, name);
    await (await tenant(ws)).delete(`${CRONTABS}/${name}`);
    await waitFor(
      `the copy of ${ws.name}/${name} to be gone`,
      async () => ((await copyOf(ws, name)) === undefined ? true : undefined),
      { timeoutMs: 60_000 },
    );
  };
  const readyz = async (): Promise<{ code: number; body: string }> => {
    const res = await request(`${agent.healthUrl}/readyz`);
    return { code: res.statusCode, body: await res.body.text() };
  };
  const sliceUrls = async (): Promise<string[]> => endpointUrls(await kcp.client('admin', provider.path), EXPORT);

  before(async function () {
    this.timeout(420_000);
    const { artifacts } = suite();
    ({
      kcp,
      service,
      local,
      provider,
      consumers: [onRoot, onShard1],
    } = await startShardedSetup(artifacts, 'sharded'));
    await grantAgentAccess(kcp, provider.path, EXPORT);
    agent = await startAgent(artifacts, {
      name: 'sharded-agent',
      kcp,
      providerPath: provider.path,
      exportName: EXPORT,
      service,
      namespace: 'api-syncagent',
    });
    await waitAgentReady(agent);
    await applyObject(local, {
      apiVersion: 'syncagent.kcp.io/v1alpha1',
      kind: 'PublishedResource',
      metadata: { name: 'crontabs' },
      spec: { resource: { apiGroup: 'example.com', kind: 'CronTab' } },
    });
    await waitFor('the export', async () =>
      (await kcp.client('admin', provider.path)).get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`),
    );
    await bindExport(kcp, onRoot.path, { path: provider.path, name: EXPORT });
    await waitFor('the API in the root-shard workspace', async () => (await tenant(onRoot)).list(CRONTABS));
  });

  after(async function () {
    this.timeout(120_000);
    await agent?.process.stop();
    await service?.stop();
    await kcp?.stop();
  });

  it("lists only the root shard's URL while only a workspace there binds the export", async function () {
    const urls = await waitFor('one endpoint URL', async () => {
      const u = await sliceUrls();
      return u.length > 0 ? u : undefined;
    });
    expect(urls).to.have.length(1);
    expect(urls[0]).to.match(new RegExp(`^${kcp.shards[0]?.baseUrl ?? ''}/services/apiexport/`));
  });

  it('syncs a consumer on the root shard: copy, status up, deletion', async function () {
    await copyStatusDelete(onRoot, 'on-root');
  });

  it("follows the second shard's URL once a workspace there binds, and syncs that consumer too", async function () {
    await bindExport(kcp, onShard1.path, { path: provider.path, name: EXPORT });
    const urls = await waitFor('two endpoint URLs', async () => {
      const u = await sliceUrls();
      return u.length === 2 ? u : undefined;
    });
    expect(urls.map((u) => new URL(u).origin).sort()).to.deep.equal(kcp.shards.map((s) => s.baseUrl).sort());
    await waitFor("the API in the second shard's workspace", async () => (await tenant(onShard1)).list(CRONTABS));
    await copyStatusDelete(onShard1, 'on-shard-1');
  });

  it('keeps syncing the root shard while the second is down, names it in /readyz, and catches up after its restart', async function () {
    this.timeout(360_000);
    const shard1Url = kcp.shards[1]?.baseUrl ?? '';
    const waiting = await createIn(onShard1, 'waiting');
    await kcp.crashShard();
    const down = await waitFor(
      '/readyz to name the second shard',
      async () => {
        const r = await readyz();
        return r.code === 503 && r.body.includes(`watch down: ${shard1Url}/`) ? r.body : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(down).to.not.include(`${kcp.shards[0]?.baseUrl ?? ''}/`);

    // The root shard's consumer is served as usual meanwhile.
    const copy = await createIn(onRoot, 'during-outage');
    await markReady(copy);
    await consumerSeesReady(onRoot, 'during-outage');
    // The operator marks the second shard's copy Ready while its shard is down.
    await markReady(waiting);

    await kcp.startShard();
    await waitFor('/readyz to be ok again', async () => ((await readyz()).code === 200 ? true : undefined), {
      timeoutMs: 120_000,
    });
    await consumerSeesReady(onShard1, 'waiting', 120_000);
    await createIn(onShard1, 'after-restart');
  });
});
