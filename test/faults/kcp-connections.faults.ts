// Issue 20, item 3, kcp side: every connection between the agent and kcp goes
// through a TCP proxy that resets, drops and stalls them mid-watch. The file
// starts a kcp of its own that advertises the proxy as its virtual workspace
// URL (`--shard-virtual-workspace-url`), so the APIExportEndpointSlice sends
// the agent through the proxy too, and the agent's kcp kubeconfig names the
// proxy. Consumers edit their objects and the operator writes statuses while
// the connections are cut: every edit must reach its copy, every status its
// consumer object, and nothing may stall silently.
import { expect } from 'chai';
import {
  REMOTE_OBJECT_CLUSTER_LABEL,
  REMOTE_OBJECT_NAME_ANNOTATION,
  REMOTE_OBJECT_NAMESPACE_ANNOTATION,
} from '../../src/apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RunningAgent } from '../utils/agent.ts';
import { endpointUrls } from '../utils/kcp-fixtures.ts';
import { type RestartableKcp, startKcp } from '../utils/kcp-server.ts';
import { freePort } from '../utils/ports.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';
import { violationSummary } from './agent-trouble.ts';
import { CUTS, cutConnections, cutLimitMs } from './cuts.ts';
import { waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { faultRandom, faultScale } from './scale.ts';
import { TcpProxy } from './tcp-proxy.ts';
import {
  EXPORT,
  type FaultWorld,
  bindTenants,
  buildWorld,
  copies,
  createInTenants,
  inParallel,
  nsCronTabs,
  sleep,
  startWorldAgent,
  writeStatus,
} from './world.ts';

/** What each consumer object and its copy must show once the agent has caught up. */
interface Expected {
  /** Origin key (`cluster|namespace|name`) → the consumer's last spec.image. */
  readonly images: Map<string, string>;
  /** Origin key → the status marker the operator last wrote on its copy. */
  readonly markers: Map<string, string>;
}

const originKey = (cluster: string, namespace: string, name: string): string => `${cluster}|${namespace}|${name}`;
const copyOrigin = (copy: KubeObject): string =>
  originKey(
    copy.metadata.labels?.[REMOTE_OBJECT_CLUSTER_LABEL] ?? '',
    copy.metadata.annotations?.[REMOTE_OBJECT_NAMESPACE_ANNOTATION] ?? '',
    copy.metadata.annotations?.[REMOTE_OBJECT_NAME_ANNOTATION] ?? '',
  );
const imageOf = (obj: KubeObject | undefined): unknown => (obj?.['spec'] as { image?: unknown } | undefined)?.image;
const markerOf = (obj: KubeObject | undefined): unknown =>
  (obj?.['status'] as { conditions?: { message?: unknown }[] } | undefined)?.conditions?.[0]?.message;

/** Every consumer edit on its copy, every operator status on its consumer object: what is still missing. */
async function missing(world: FaultWorld, expected: Expected): Promise<string[]> {
  const byOrigin = new Map((await copies(world)).map((c) => [copyOrigin(c), c]));
  const consumers = new Map<string, KubeObject>();
  for (const t of world.tenants)
    for (const obj of (await t.client.list(nsCronTabs('default'))).items)
      consumers.set(originKey(t.workspace.cluster, 'default', obj.metadata.name ?? ''), obj);
  const out: string[] = [];
  for (const [key, image] of expected.images) {
    const seen = imageOf(byOrigin.get(key));
    if (seen !== image) out.push(`consumer edit of ${key} (image ${image}) not on its copy (${String(seen)})`);
  }
  for (const [key, marker] of expected.markers) {
    const seen = markerOf(consumers.get(key));
    if (seen !== marker) out.push(`copy status ${marker} of ${key} not on its consumer object (${String(seen)})`);
  }
  return out;
}

describe('faults: cut connections between the agent and kcp', function () {
  const scale = faultScale();
  const random = faultRandom();
  let kcp: RestartableKcp;
  let proxy: TcpProxy;
  let world: FaultWorld;
  let agent: RunningAgent;
  let report: FaultReport;
  const names = Array.from({ length: Math.ceil(scale.smallObjects / 2) }, (_, i) => `watched-${i}`);
  const expected: Expected = { images: new Map(), markers: new Map() };

  before(async function () {
    report = reportRow('cut connections (kcp side)', scale.name, random.seed);
    // The proxy must know kcp's port and kcp the proxy's URL: pick kcp's port first.
    const kcpPort = await freePort();
    proxy = new TcpProxy(`https://127.0.0.1:${kcpPort}`);
    const proxied = await proxy.listen();
    kcp = await startKcp(suite().artifacts, 'kcp-conns', { securePort: kcpPort, virtualWorkspaceUrl: proxied });
    world = await buildWorld({ name: 'kcpconns', kcp, artifacts: suite().artifacts });
    agent = await startWorldAgent(world, {
      kcpIdentity: {
        ...kcp.identity('agent', world.agentSetup.providerPath),
        server: `${proxied}/clusters/${world.agentSetup.providerPath}`,
      },
    });
    await bindTenants(world);
    const provider = await kcp.client('admin', world.agentSetup.providerPath);
    const urls = await waitFor(
      'the endpoint slice to list a URL',
      async () => {
        const found = await endpointUrls(provider, EXPORT);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 60_000 },
    );
    report.note(`kcp at ${kcp.baseUrl}, proxy at ${proxied}; APIExportEndpointSlice URLs: ${urls.join(', ')}`);
    expect(
      urls.every((u) => u.startsWith(`${proxied}/`)),
      'the endpoint slice URLs point at the proxy',
    ).to.equal(true);
    await createInTenants(world, names);
  });

  after(async function () {
    report.print();
    await agent.process.stop();
    await world.service.stop();
    await proxy.close();
    await kcp.stop();
  });

  /** Every consumer edits the spec of each of its objects. */
  const editConsumers = async (mark: string): Promise<void> => {
    const work = world.tenants.flatMap((t) => names.map((n) => ({ t, n })));
    await inParallel(work, 6, async ({ t, n }) => {
      const image = `${n}:${mark}`;
      await t.client.patch(`${nsCronTabs('default')}/${n}`, { spec: { image } }, 'merge');
      expected.images.set(originKey(t.workspace.cluster, 'default', n), image);
    });
  };

  /** The operator writes a status on every copy. */
  const writeStatuses = async (mark: string): Promise<void> => {
    await inParallel(await copies(world), 6, async (c) => {
      await writeStatus(world, c, mark);
      expected.markers.set(copyOrigin(c), mark);
    });
  };

  it('misses no change in either direction and never stalls silently', async function () {
    await waitInvariants(world.scope, report, 'the initial sync', 120_000);
    const rounds = Math.max(scale.repeats, CUTS.length);
    for (let round = 0; round < rounds; round++) {
      const cut = CUTS[round % CUTS.length] ?? 'reset';
      const mark = `round-${round}-${cut}`;
      const before = proxy.connections;
      // The changes the agent must not miss, made while its kcp connections are cut.
      const writing = Promise.all([editConsumers(mark), writeStatuses(mark)]);
      await sleep(random.int(0, 300));
      cutConnections(proxy, report, cut);
      await writing;
      const fresh = `after-${cut}-${round}`;
      await createInTenants(world, [fresh]);
      for (const t of world.tenants)
        expected.images.set(originKey(t.workspace.cluster, 'default', fresh), `${fresh}:1`);
      console.log(`      ${cut}: ${before} connections through the proxy before, ${proxy.accepted} accepted so far`);

      const limit = cutLimitMs(cut);
      const started = Date.now();
      await waitInvariants(world.scope, report, `${cut} (round ${round})`, limit + 10_000);
      let left = await missing(world, expected);
      while (left.length > 0 && Date.now() - started < limit + 10_000) {
        await sleep(250);
        left = await missing(world, expected);
      }
      const convergedMs = Date.now() - started;
      console.log(`      ${cut}: every edit and status across in ${convergedMs} ms, missing ${left.length}`);
      for (const m of left.slice(0, 3)) console.log(`        ${m}`);
      for (const m of left) report.violation(`after ${cut} (round ${round}): ${m}`);
      if (convergedMs > limit) report.violation(`${cut}: converged only after ${convergedMs} ms (silent stall)`);
      report.row.maxConvergeMs = Math.max(report.row.maxConvergeMs, convergedMs);
      report.round();
    }
    report.note(`connections the proxy accepted: ${proxy.accepted}`);
    expect(report.row.violations, violationSummary(report.row.violations, agent)).to.deep.equal([]);
  });
});
