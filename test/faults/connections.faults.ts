// Issue 20, item 3: the agent's connections to the service cluster go through
// a TCP proxy that resets, drops and stalls them mid-watch, and etcd is
// compacted under its watches (the apiserver runs without a watch cache, so
// a resumed watch gets 410 Gone). No change may be missed, no copy created
// twice (the apiserver's audit log), and nothing may stall silently.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import type { RunningAgent } from '../utils/agent.ts';
import { writeKubeconfig } from '../utils/kubeconfig.ts';
import { suite } from '../utils/suite.ts';
import { auditEvents, succeeded } from './audit.ts';
import { type Cut, cutConnections, cutLimitMs } from './cuts.ts';
import { waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { faultRandom, faultScale } from './scale.ts';
import { TcpProxy } from './tcp-proxy.ts';
import {
  type FaultWorld,
  bindTenants,
  buildWorld,
  copies,
  createInTenants,
  inParallel,
  sleep,
  startWorldAgent,
  writeStatus,
} from './world.ts';

const FAULTS = ['reset', 'drop', 'compaction', 'stall'] as const satisfies readonly (Cut | 'compaction')[];
type ConnectionFault = (typeof FAULTS)[number];

/** Compacts etcd's history up to now through its gRPC gateway (what `etcdctl compact` does). */
async function compactEtcd(etcdUrl: string): Promise<number> {
  const range = await request(`${etcdUrl}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from('/').toString('base64') }),
  });
  const { header } = (await range.body.json()) as { header: { revision: string } };
  const res = await request(`${etcdUrl}/v3/kv/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision: header.revision, physical: true }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`etcd compaction failed: ${res.statusCode} ${text}`);
  return Number(header.revision);
}

/** The agent's successful writes in the audit log, and its creates of copies by name. */
function agentWrites(auditLog: string): { writes: number; creates: Map<string, number>; twice: [string, number][] } {
  const events = auditEvents(auditLog).filter(
    (e) => (e.userAgent ?? '').startsWith('api-syncagent-ts/') && succeeded(e),
  );
  const creates = new Map<string, number>();
  for (const e of events.filter((x) => x.verb === 'create' && x.objectRef?.resource === 'crontabs')) {
    const key = `${e.objectRef?.namespace ?? ''}/${e.objectRef?.name ?? ''}`;
    creates.set(key, (creates.get(key) ?? 0) + 1);
  }
  return { writes: events.length, creates, twice: [...creates].filter(([, n]) => n > 1) };
}

describe('faults: cut connections and expired watches', function () {
  const scale = faultScale();
  const random = faultRandom();
  let world: FaultWorld;
  let agent: RunningAgent;
  let proxy: TcpProxy;
  let report: FaultReport;
  const names = Array.from({ length: Math.ceil(scale.smallObjects / 2) }, (_, i) => `watched-${i}`);

  before(async function () {
    report = reportRow('cut connections and 410 Gone (service side)', scale.name, random.seed);
    world = await buildWorld({
      name: 'conns',
      kcp: suite().kcp,
      artifacts: suite().artifacts,
      service: { auditLog: true, noWatchCache: true },
    });
    proxy = new TcpProxy(world.service.admin.server);
    const proxied = await proxy.listen();
    const kubeconfig = writeKubeconfig(join(world.artifacts.scratchDir('conns-proxied'), 'service.kubeconfig'), {
      ...world.service.admin,
      server: proxied,
    });
    agent = await startWorldAgent(world, { serviceKubeconfig: kubeconfig });
    await bindTenants(world);
    await createInTenants(world, names);
  });

  after(async function () {
    report.print();
    await agent.process.stop();
    await proxy.close();
    await world.service.stop();
  });

  const inject = async (fault: ConnectionFault, writing: Promise<void>): Promise<void> => {
    switch (fault) {
      case 'compaction': {
        // The watches go quiet while the changes land, so the revision they resume from is compacted away.
        proxy.stall();
        await writing;
        const revision = await compactEtcd(world.service.etcdUrl);
        proxy.reset();
        report.injected('etcd compaction + reset (watch resumes from a compacted revision)');
        console.log(`      compacted etcd at revision ${revision}`);
        break;
      }
      default:
        cutConnections(proxy, report, fault);
    }
  };

  it('misses no change, writes no copy twice and never stalls silently', async function () {
    await waitInvariants(world.scope, report, 'the initial sync', 120_000);
    const rounds = Math.max(scale.repeats, FAULTS.length);
    for (let round = 0; round < rounds; round++) {
      const fault = FAULTS[round % FAULTS.length] ?? 'reset';
      // The change the agent must not miss: a new status on every copy, written while its watches are cut.
      const all = await copies(world);
      await sleep(random.int(0, 300));
      const writing = inParallel(all, 6, (c) => writeStatus(world, c, `round-${round}-${fault}`));
      await inject(fault, writing);
      await writing;
      await createInTenants(world, [`after-${fault}-${round}`]);
      const limit = fault === 'compaction' ? 60_000 : cutLimitMs(fault);
      const convergedMs = await waitInvariants(world.scope, report, `${fault} (round ${round})`, limit + 10_000);
      if (convergedMs > limit) report.violation(`${fault}: converged only after ${convergedMs} ms (silent stall)`);
      report.round();
    }
    const expired = readFileSync(agent.process.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('Watch expired, relisting')).length;
    // The informer relists after any broken watch, so a compacted revision is only met by a watch
    // resumed after a clean end; the 410 path itself is unit-tested (informer.test.ts).
    report.note(`watches that expired (410) and relisted: ${expired}`);

    const audit = agentWrites(world.service.auditLogPath ?? '');
    report.note(
      `agent writes to the service cluster (audit log): ${audit.writes}; copies created: ${audit.creates.size}; created twice: ${audit.twice.length}`,
    );
    for (const [key, n] of audit.twice) report.violation(`copy ${key} created ${n} times`);
    expect(report.row.violations).to.deep.equal([]);
  });
});
