// Scale-out by shard: two replicas with --split-endpoints share a two-shard
// kcp's virtual-workspace URLs, one Lease per URL. Each syncs only its shard;
// when one is killed, the other takes its URL within the lease time.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import { applyObject, bindExport, endpointUrls, grantAgentAccess, type Workspace } from '../utils/kcp-fixtures.ts';
import type { ServiceCluster } from '../utils/service-cluster.ts';
import type { ShardedKcp } from '../utils/sharded-kcp.ts';
import { cronTabCopy, startShardedSetup } from '../utils/sharded-setup.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';

const EXPORT = 'crontabs.example.com';
const AGENT = 'split-agent';
const CRONTABS = '/apis/example.com/v1/namespaces/default/crontabs';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/api-syncagent/leases';

/** The URLs a replica has said it syncs and not yet said it stopped, from its log. */
function urlsSyncedBy(replica: RunningAgent): string[] {
  const held = new Set<string>();
  for (const line of readFileSync(replica.process.logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { msg?: string; url?: string };
    if (e.url === undefined) continue;
    if (e.msg === 'Syncing a virtual workspace URL') held.add(e.url);
    if (e.msg === 'Handing over a virtual workspace URL' || e.msg === 'Lost the lease of a virtual workspace URL')
      held.delete(e.url);
  }
  return [...held].sort();
}

describe("two replicas splitting a two-shard kcp's URLs (--split-endpoints)", function () {
  let kcp: ShardedKcp;
  let service: ServiceCluster;
  let local: RestClient;
  let provider: Workspace;
  let workspaces: readonly Workspace[];
  let replicas: RunningAgent[];
  let urls: string[];

  const hasCopy = async (ws: Workspace, name: string): Promise<true | undefined> =>
    (await cronTabCopy(local, ws, name)) === undefined ? undefined : true;
  const createIn = async (ws: Workspace, name: string): Promise<void> => {
    const client = await kcp.client('admin', ws.path);
    await waitFor(`the API in ${ws.name}`, () => client.list(CRONTABS));
    await client.create(CRONTABS, {
      apiVersion: 'example.com/v1',
      kind: 'CronTab',
      metadata: { name },
      spec: { cronSpec: '* * * * *' },
    });
  };
  /** The endpoint Leases' holders, by lease name. */
  const endpointHolders = async (): Promise<string[]> =>
    (await local.list(LEASES)).items
      .filter((l) => (l.metadata.name ?? '').startsWith(`syncagent.${AGENT}.endpoint.`))
      .map((l) => (l['spec'] as { holderIdentity?: string } | undefined)?.holderIdentity ?? '');

  before(async function () {
    this.timeout(420_000);
    const { artifacts } = suite();
    ({ kcp, service, local, provider, consumers: workspaces } = await startShardedSetup(artifacts, 'split'));
    await grantAgentAccess(kcp, provider.path, EXPORT);
    await applyObject(local, {
      apiVersion: 'syncagent.kcp.io/v1alpha1',
      kind: 'PublishedResource',
      metadata: { name: 'crontabs' },
      spec: { resource: { apiGroup: 'example.com', kind: 'CronTab' } },
    });
    const start = (n: number): Promise<RunningAgent> =>
      startAgent(artifacts, {
        name: AGENT,
        instance: `split-${n}`,
        kcp,
        providerPath: provider.path,
        exportName: EXPORT,
        service,
        namespace: 'api-syncagent',
        extraArgs: ['--split-endpoints'],
      });
    replicas = [await start(1), await start(2)];
    await Promise.all(replicas.map((r) => waitAgentReady(r)));
    await waitFor('the export', async () =>
      (await kcp.client('admin', provider.path)).get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`),
    );
    for (const ws of workspaces) await bindExport(kcp, ws.path, { path: provider.path, name: EXPORT });
    urls = await waitFor('one endpoint URL per shard', async () => {
      const u = await endpointUrls(await kcp.client('admin', provider.path), EXPORT);
      return u.length === 2 ? u.sort() : undefined;
    });
  });

  after(async function () {
    this.timeout(120_000);
    await Promise.all((replicas ?? []).map((r) => r.process.stop()));
    await service?.stop();
    await kcp?.stop();
  });

  it("gives each replica one shard's URL, under a Lease of its own, and both shards sync", async function () {
    const shares = await waitFor(
      'each replica to sync one URL',
      () => {
        const s = replicas.map(urlsSyncedBy);
        return Promise.resolve(s.every((u) => u.length === 1) ? s : undefined);
      },
      { timeoutMs: 60_000 },
    );
    expect(shares.flat().sort()).to.deep.equal(urls);
    const holders = await endpointHolders();
    expect(holders).to.have.length(2);
    expect(new Set(holders).size, 'distinct holders of the two endpoint Leases').to.equal(2);
    for (const [i, ws] of workspaces.entries()) {
      await createIn(ws, `split-${i}`);
      await waitFor(`the copy from ${ws.name}`, () => hasCopy(ws, `split-${i}`), { timeoutMs: 60_000 });
    }
  });

  it("hands a killed replica's URL to the other within the lease time; it never syncs both at once before", async function () {
    this.timeout(120_000);
    const [victim, survivor] = replicas as [RunningAgent, RunningAgent];
    const taken = urlsSyncedBy(victim);
    expect(taken).to.have.length(1);
    expect(urlsSyncedBy(survivor)).to.not.include(taken[0]);
    const killed = Date.now();
    await victim.process.kill();
    await waitFor(
      'the survivor to sync both URLs',
      () => Promise.resolve(urlsSyncedBy(survivor).length === 2 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const takeover = Date.now() - killed;
    console.log(`      takeover after ${takeover} ms`);
    // Lease 10 s, observed unchanged on the survivor's clock, plus a retry period or two.
    expect(takeover).to.be.below(20_000);
    // The consumer workspaces are in shard order: the one on the taken URL's shard.
    const ws = workspaces[kcp.shards.findIndex((shard) => taken[0]?.startsWith(`${shard.baseUrl}/`))];
    if (ws === undefined) throw new Error(`no consumer workspace on the shard of ${taken[0] ?? '?'}`);
    await createIn(ws, 'after-takeover');
    await waitFor(`the copy from ${ws.name} after the takeover`, () => hasCopy(ws, 'after-takeover'), {
      timeoutMs: 60_000,
    });
  });
});
