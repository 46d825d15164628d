// Issue 20, item 8: two replicas with leader election. Killing the leader
// mid-sync hands over within 15 s; a leader that is frozen (SIGSTOP) long
// enough to lose its lease makes no write once it thaws: the audit logs of
// the service apiserver and of kcp (this file's own, with a kcp user per
// replica) show every write and who made it.
import { expect } from 'chai';
import { join } from 'node:path';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { logEntries, type RunningAgent } from '../utils/agent.ts';
import { type RestartableKcp, startKcp } from '../utils/kcp-server.ts';
import { writeKubeconfig } from '../utils/kubeconfig.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';
import { violationSummary } from './agent-trouble.ts';
import { type AuditEvent, auditEvents, succeeded } from './audit.ts';
import { waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { faultRandom, faultScale } from './scale.ts';
import { type FaultWorld, bindTenants, buildWorld, createInTenants, sleep, startWorldAgent } from './world.ts';

const USERS = ['replica-a', 'replica-b'] as const;

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/**
 * A write as `verb workspace /api…path`: what an audit event and the agent's
 * log line have in common. kcp's audit log names a virtual workspace request
 * without its /clusters/ prefix, and the workspace in annotations instead.
 */
const writeKey = (verb: string, workspace: string, uri: string): string => {
  const path = uri.split('?')[0] ?? '';
  return `${verb} ${workspace} ${path.slice(Math.max(0, path.search(/\/apis?\//)))}`;
};

/** The keys an audit event may have been logged under by the agent: by cluster name or by workspace path. */
const auditKeys = (e: AuditEvent): string[] => {
  const workspaces = [e.annotations?.['kcp.io/cluster'], e.annotations?.['kcp.io/path']].filter(
    (w): w is string => w !== undefined,
  );
  return (workspaces.length > 0 ? workspaces : ['']).map((w) => writeKey(e.verb, w, e.requestURI ?? ''));
};

/** The writes the agent reported as sent while leading and answered after the lease was lost (a multiset). */
function racedWrites(agent: RunningAgent | undefined): { take(keys: string[]): boolean } {
  const counts = new Map<string, number>();
  for (const entry of agent === undefined ? [] : logEntries(agent)) {
    const write = entry['write'];
    if (entry['level'] !== 'warn' || typeof write !== 'string') continue;
    const [method = '', uri = ''] = write.split(' ');
    const workspace = /\/clusters\/([^/]+)\//.exec(uri)?.[1] ?? '';
    const key = writeKey(VERBS[method] ?? method, workspace, uri);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return {
    take: (keys) => {
      const key = keys.find((k) => (counts.get(k) ?? 0) > 0);
      if (key === undefined) return false;
      counts.set(key, (counts.get(key) ?? 0) - 1);
      return true;
    },
  };
}

describe('faults: leader failover between two replicas', function () {
  const scale = faultScale();
  const random = faultRandom();
  let kcp: RestartableKcp;
  let world: FaultWorld;
  let local: RestClient;
  const replicas = new Map<string, RunningAgent>();
  let report: FaultReport;
  let lease = '';

  const audit = (): AuditEvent[] => auditEvents(world.service.auditLogPath ?? '');
  const kcpAudit = (): AuditEvent[] => auditEvents(kcp.auditLogPath ?? '');
  /** The user whose replica holds the lease: the last one that wrote it successfully. */
  const leaseWriter = (): string | undefined =>
    audit()
      .filter((e) => e.objectRef?.resource === 'leases' && e.objectRef.name === lease && succeeded(e))
      .at(-1)?.user.username;
  /** When `user` first wrote the lease after `since`: from then on, the lease was lost for the other. */
  const takeoverTime = (user: string, since: number): string =>
    audit().find(
      (e) =>
        e.user.username === user &&
        e.objectRef?.resource === 'leases' &&
        succeeded(e) &&
        Date.parse(e.requestReceivedTimestamp) >= since - 1_000,
    )?.requestReceivedTimestamp ?? new Date().toISOString();
  const start = async (user: string): Promise<void> => {
    const kubeconfig = writeKubeconfig(
      join(world.artifacts.scratchDir(`kubeconfig-${user}`), 'service.kubeconfig'),
      world.service.userIdentity(user),
    );
    replicas.set(
      user,
      await startWorldAgent(world, {
        instance: user,
        serviceKubeconfig: kubeconfig,
        kcpIdentity: kcp.agentUserIdentity(user, world.agentSetup.providerPath),
        extraArgs: ['--enable-leader-election'],
      }),
    );
  };
  const newLeader = async (old: string, timeoutMs: number): Promise<string> =>
    waitFor(
      'the other replica to take the lease',
      () => Promise.resolve(leaseWriter() !== old ? leaseWriter() : undefined),
      { timeoutMs, intervalMs: 100 },
    );

  before(async function () {
    report = reportRow('leader failover (kill, freeze)', scale.name, random.seed);
    kcp = await startKcp(suite().artifacts, 'kcp-failover', { auditLog: true, agentUsers: USERS });
    world = await buildWorld({
      name: 'failover',
      kcp,
      artifacts: suite().artifacts,
      service: { auditLog: true, users: [...USERS] },
      moreAgentUsers: USERS,
    });
    local = world.local;
    lease = `syncagent.${world.agentSetup.name}`;
    for (const u of USERS) await start(u);
    await bindTenants(world);
  });

  after(async function () {
    report.print();
    for (const r of replicas.values()) await r.process.stop();
    await world.service.stop();
    await kcp.stop();
  });

  it('hands over within 15 s when the leader is SIGKILLed mid-sync', async function () {
    const leader = await waitFor('a leader', () => Promise.resolve(leaseWriter()), { timeoutMs: 60_000 });
    await createInTenants(
      world,
      Array.from({ length: scale.smallObjects }, (_, i) => `killed-${i}`),
    );
    await sleep(random.int(0, 1_000));
    const killedAt = Date.now();
    await replicas.get(leader)?.process.kill();
    report.injected('SIGKILL of the leader');
    const next = await newLeader(leader, 20_000);
    const takeover = Date.now() - killedAt;
    report.note(`takeover after kill: ${takeover} ms (${leader} → ${next})`);
    if (takeover >= 15_000) report.violation(`takeover took ${takeover} ms`);
    await waitInvariants(world.scope, report, 'the leader kill', 60_000);
    await start(leader);
    report.round();
    expect(takeover).to.be.below(15_000);
  });

  it('a frozen leader that lost its lease makes no write after it thaws', async function () {
    const leader = await waitFor('a leader', () => Promise.resolve(leaseWriter()), { timeoutMs: 60_000 });
    const proc = replicas.get(leader)?.process;
    if (proc === undefined) throw new Error(`no replica ${leader}`);
    const creating = createInTenants(
      world,
      Array.from({ length: scale.smallObjects }, (_, i) => `frozen-${i}`),
    );
    await sleep(random.int(0, 500));
    process.kill(proc.pid, 'SIGSTOP');
    report.injected('SIGSTOP of the leader (lease expires while frozen)');
    const frozenAt = Date.now();
    const next = await newLeader(leader, 30_000);
    report.note(`takeover from a frozen leader: ${Date.now() - frozenAt} ms (${leader} → ${next})`);
    const lostAt = takeoverTime(next, frozenAt);
    await creating;
    process.kill(proc.pid, 'SIGCONT');
    report.injected('SIGCONT of the old leader');
    // Give the thawed replica time to act on whatever it had queued.
    await sleep(10_000);
    const writesBy = (events: AuditEvent[], after = ''): AuditEvent[] =>
      events.filter((e) => e.user.username === leader && succeeded(e) && e.requestReceivedTimestamp > after);
    // A write the old leader had sent before the freeze may leave its socket
    // only on waking (write-fence.ts says why); the agent logs each such
    // write, and only those may appear after the takeover.
    const reported = racedWrites(replicas.get(leader));
    const afterLoss = [...writesBy(audit(), lostAt), ...writesBy(kcpAudit(), lostAt)];
    const late = afterLoss.filter((e) => !reported.take(auditKeys(e)));
    report.note(
      `writes sent before the freeze that reached a server after the takeover, each reported by the agent: ${afterLoss.length - late.length}`,
    );
    report.note(
      `writes by the old leader after it lost the lease (audit logs): service ${writesBy(audit(), lostAt).length}, kcp ${writesBy(kcpAudit(), lostAt).length}` +
        ` (all its writes: service ${writesBy(audit()).length}, kcp ${writesBy(kcpAudit()).length}); old leader ${proc.exited() ? 'exited' : 'still running'}`,
    );
    for (const e of late)
      report.violation(
        `${leader} wrote after losing the lease: ${e.verb} ${e.objectRef?.resource ?? ''} ${e.objectRef?.namespace ?? ''}/${e.objectRef?.name ?? ''} at ${e.requestReceivedTimestamp}`,
      );
    await waitInvariants(world.scope, report, 'the leader freeze', 60_000);
    const copies = (await local.list('/apis/example.com/v1/crontabs')).items.length;
    report.note(`copies after failover: ${copies}`);
    report.round();
    const old = replicas.get(leader);
    const why = old === undefined ? '' : `\n${violationSummary(report.row.violations, old)}`;
    expect(late, `writes after the lease was lost, not reported by the agent${why}`).to.deep.equal([]);
    expect(report.row.violations, why).to.deep.equal([]);
  });
});
