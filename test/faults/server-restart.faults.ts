// Issue 20, item 2: kcp, the service kube-apiserver and its etcd are
// restarted (same data, same ports) in the middle of a sync and of a deletion
// wave. The agent is not touched: it must report itself unready while a watch
// it needs is down, and converge within 30 s of the server being back.
// kcp is this file's own, so the shared one of the other tests is not disturbed.
import { expect } from 'chai';
import { request } from 'undici';
import type { RunningAgent } from '../utils/agent.ts';
import { type RestartableKcp, startKcp } from '../utils/kcp-server.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';
import { waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { faultRandom, faultScale } from './scale.ts';
import {
  type FaultWorld,
  bindTenants,
  buildWorld,
  createInTenants,
  deleteInTenants,
  refreshTenantClients,
  sleep,
  startWorldAgent,
} from './world.ts';

const CONVERGE_LIMIT_MS = 30_000;

describe('faults: kcp and the service cluster restart under the agent', function () {
  const scale = faultScale();
  const random = faultRandom();
  let kcp: RestartableKcp;
  let world: FaultWorld;
  let agent: RunningAgent;
  /** What before() started, stopped last-started first even when before() failed half-way. */
  const cleanup: (() => Promise<void>)[] = [];
  let report: FaultReport;
  let batch = 0;

  before(async function () {
    report = reportRow('server restarts (kcp, kube-apiserver, etcd)', scale.name, random.seed);
    kcp = await startKcp(suite().artifacts, 'kcp-restarts');
    cleanup.push(() => kcp.stop());
    world = await buildWorld({ name: 'restarts', kcp, artifacts: suite().artifacts });
    cleanup.push(() => world.service.stop());
    agent = await startWorldAgent(world);
    cleanup.push(() => agent.process.stop());
    await bindTenants(world);
  });

  after(async function () {
    report.print();
    for (const stop of cleanup.reverse()) await stop();
  });

  const readyzCode = async (): Promise<number> => {
    const res = await request(`${agent.healthUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await res.body.text();
    return res.statusCode;
  };

  /**
   * Restarts one server while the agent works on `phase`, checking /readyz
   * while it is down and the time to converge once it is back.
   */
  const restartDuring = async (
    server: string,
    phase: 'sync' | 'deletion wave',
    restart: (down: () => Promise<void>) => Promise<void>,
  ): Promise<void> => {
    const names = Array.from({ length: scale.smallObjects }, (_, i) => `b${batch}-${i}`);
    batch += 1;
    let started: Promise<void>;
    if (phase === 'sync') {
      started = createInTenants(world, names);
    } else {
      await createInTenants(world, names);
      await waitInvariants(world.scope, report, `creating batch ${batch} for the ${server} deletion wave`, 60_000);
      started = deleteInTenants(world, names);
    }
    const work = started.then(
      () => undefined,
      (err: unknown) => err,
    );
    // kcp must take the consumers' requests; the service cluster can go at once.
    if (server === 'kcp') await work;
    await sleep(random.int(0, 300));
    let unreadySeen = false;
    await restart(async () => {
      const downAt = Date.now();
      const code = await waitFor(
        `/readyz to turn unready while ${server} is down`,
        async () => ((await readyzCode()) === 503 ? 503 : undefined),
        { timeoutMs: 15_000, intervalMs: 100 },
      ).catch(() => 200);
      unreadySeen = code === 503;
      report.note(
        `${server} down during the ${phase}: /readyz ${unreadySeen ? `unready after ${Date.now() - downAt} ms` : 'stayed ready'}`,
      );
      if (!unreadySeen) report.violation(`/readyz stayed ready while ${server} was down`);
    });
    report.injected(`${server} restart during the ${phase}`);
    if (server === 'kcp') await refreshTenantClients(world);
    const failed = await work;
    if (failed !== undefined)
      throw new Error(`the consumers' requests failed during the ${server} restart`, { cause: failed });
    const converged = await waitInvariants(world.scope, report, `${server} restart during the ${phase}`, 90_000);
    const ready = await waitFor(
      '/readyz to be ready again',
      async () => ((await readyzCode()) === 200 ? true : undefined),
      { timeoutMs: CONVERGE_LIMIT_MS, intervalMs: 200 },
    ).then(
      () => true,
      () => false,
    );
    if (!ready) report.violation(`/readyz not ready ${CONVERGE_LIMIT_MS} ms after ${server} came back`);
    if (converged > CONVERGE_LIMIT_MS)
      report.violation(`converged ${converged} ms after ${server} came back (limit ${CONVERGE_LIMIT_MS} ms)`);
    if (agent.process.exited()) report.violation(`the agent exited during the ${server} restart`);
    report.round();
  };

  const processOf = (name: string): RunningAgent['process'] => {
    const proc = name === 'kcp' ? kcp.process : world.service.processes.find((p) => p.name.endsWith(`/${name}`));
    if (proc === undefined) throw new Error(`no ${name} process`);
    return proc;
  };
  const startAgain = (name: string): Promise<void> =>
    name === 'kcp' ? kcp.restart() : world.service.restart(name === 'etcd' ? 'etcd' : 'kube-apiserver');

  for (const phase of ['sync', 'deletion wave'] as const) {
    for (const server of ['kcp', 'kube-apiserver', 'etcd'] as const) {
      it(`recovers by itself from a ${server} crash and restart during the ${phase}`, async function () {
        await restartDuring(server, phase, async (whileDown) => {
          await processOf(server).kill();
          // Without etcd the apiserver keeps its watches open from its cache:
          // the agent may rightly stay ready, so /readyz is only required to
          // turn for the servers it talks to.
          if (server === 'etcd') await sleep(3_000);
          else await whileDown();
          await startAgain(server);
        });
        expect(report.row.violations).to.deep.equal([]);
      });
    }
  }
});
