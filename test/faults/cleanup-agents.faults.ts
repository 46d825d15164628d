// Issue 20, item 9: the cleanup gaps upstream leaves open, besides #115.
// Two agents with different names mirror the same export onto one service
// cluster, each with its own PublishedResource and copies; consumers create
// and delete objects. Neither agent may remove the other's finalizer or touch
// the other's copies (#117, #172); the namespaces an agent made go once no
// copy is left in them, but never one holding someone else's data (#113);
// and copies whose consumer object vanished while the agents were down are
// swept at start.
import { join } from 'node:path';
import { expect } from 'chai';
import {
  AGENT_NAME_LABEL,
  NAMESPACE_CREATED_BY_LABEL,
  REMOTE_OBJECT_NAME_ANNOTATION,
} from '../../src/apis/v1alpha1/constants.ts';
import { isNotFound } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RunningAgent } from '../utils/agent.ts';
import { applyObject } from '../utils/kcp-fixtures.ts';
import { writeKubeconfig } from '../utils/kubeconfig.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';
import {
  checkBothFinalizers,
  checkFinalizerLog,
  checkNoCrossedWrites,
  checkQuietExport,
  FinalizerLog,
  isMirror,
  MIRROR_PREFIX,
} from './agents-checks.ts';
import { type AuditEvent, auditEvents, succeeded } from './audit.ts';
import { type InvariantScope, type Tenant, waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { faultScale } from './scale.ts';
import {
  type FaultWorld,
  bindTenants,
  buildWorld,
  copies,
  createInTenants,
  deleteInTenants,
  inParallel,
  nsCronTabs,
  sleep,
  startWorldAgent,
} from './world.ts';

const SELECT_LABEL = 'faults.test/agent';
const USERS = ['agent-a', 'agent-b'] as const;
type User = (typeof USERS)[number];
const PRS = '/apis/syncagent.kcp.io/v1alpha1/publishedresources';
describe('faults: two agents on one service cluster, namespace cleanup and the orphan sweep', function () {
  const scale = faultScale();
  let world: FaultWorld;
  const agents = new Map<User, RunningAgent>();
  const names = new Map<User, string>();
  const kubeconfigs = new Map<User, string>();
  const reports: FaultReport[] = [];
  let starts = 0;
  const count = Math.max(4, Math.ceil(scale.smallObjects / 3));

  const scopeOf = (user: User): InvariantScope => ({
    ...world.scope,
    agentName: names.get(user) ?? '',
    otherAgents: USERS.filter((u) => u !== user).map((u) => names.get(u) ?? ''),
  });
  const start = async (user: User): Promise<void> => {
    agents.set(
      user,
      await startWorldAgent(world, {
        name: names.get(user) ?? '',
        instance: `${user}-${++starts}`,
        serviceKubeconfig: kubeconfigs.get(user) ?? '',
        extraArgs: [`--published-resource-selector=${SELECT_LABEL}=${user}`],
      }),
    );
  };
  const stop = async (user: User): Promise<void> => {
    await agents.get(user)?.process.stop();
    agents.delete(user);
  };
  const waitBoth = async (report: FaultReport, after: string): Promise<void> => {
    for (const u of USERS) await waitInvariants(scopeOf(u), report, `${after} (${u})`, 120_000);
  };
  const consumerObjects = async (): Promise<KubeObject[]> =>
    (await Promise.all(world.tenants.map((t) => t.client.list(nsCronTabs('default'))))).flatMap((l) => l.items);
  const namespaceOf = async (name: string): Promise<KubeObject | undefined> =>
    world.local.get(`/api/v1/namespaces/${name}`).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  const audit = (): AuditEvent[] => auditEvents(world.service.auditLogPath ?? '');

  before(async function () {
    world = await buildWorld({
      name: 'agents',
      kcp: suite().kcp,
      artifacts: suite().artifacts,
      service: { auditLog: true, users: [...USERS] },
    });
    names.set('agent-a', world.agentSetup.name);
    names.set('agent-b', `${world.agentSetup.name}-mirror`);
    for (const u of USERS)
      kubeconfigs.set(
        u,
        writeKubeconfig(
          join(world.artifacts.scratchDir(`kubeconfig-${u}`), 'service.kubeconfig'),
          world.service.userIdentity(u),
        ),
      );
    // Agent a publishes the world's PublishedResource; agent b a second one of
    // the same type into the same export, whose copies are named apart.
    await world.local.patch(`${PRS}/crontabs`, { metadata: { labels: { [SELECT_LABEL]: 'agent-a' } } }, 'merge');
    await applyObject(world.local, {
      apiVersion: 'syncagent.kcp.io/v1alpha1',
      kind: 'PublishedResource',
      metadata: { name: 'crontabs-mirror', labels: { [SELECT_LABEL]: 'agent-b' } },
      spec: {
        resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v1'] },
        naming: { namespace: '{{ .ClusterName }}', name: `${MIRROR_PREFIX}{{ .Object.metadata.name }}` },
      },
    });
    for (const u of USERS) await start(u);
    await bindTenants(world);
  });

  after(async function () {
    for (const r of reports) r.print();
    for (const u of USERS) await stop(u);
    await world.service.stop();
  });

  it('two agents hold the same consumer objects, each with its own finalizer; deletion releases them after both copies are gone, without a fight', async function () {
    const report = reportRow('two agents on one service cluster (#117, #172)', scale.name);
    reports.push(report);
    const log = new FinalizerLog();
    log.start(world.tenants);
    const objs = Array.from({ length: count }, (_, i) => `both-${i}`);
    await createInTenants(world, objs);
    report.injected('consumer object synced by two agents', objs.length * world.tenants.length);
    await waitBoth(report, 'both agents synced');
    await checkQuietExport(world, report);
    checkBothFinalizers(await consumerObjects(), [names.get('agent-a') ?? '', names.get('agent-b') ?? ''], report);

    // Half go while both agents run; the other half while agent b is down (an upgrade, a crash).
    const whileDown = objs.filter((_, i) => i % 2 === 1);
    await deleteInTenants(
      world,
      objs.filter((_, i) => i % 2 === 0),
    );
    report.injected('consumer deletion', (objs.length - whileDown.length) * world.tenants.length);
    await waitBoth(report, 'the deletions');
    await stop('agent-b');
    await deleteInTenants(world, whileDown);
    report.injected('consumer deletion while agent b is down', whileDown.length * world.tenants.length);
    await waitFor(
      "agent a's copies of them to go",
      async () => ((await copies(world)).filter((c) => !isMirror(c)).length === 0 ? true : undefined),
      { timeoutMs: 60_000 },
    );
    await sleep(3_000);
    const held = (await consumerObjects()).length;
    if (held !== whileDown.length * world.tenants.length)
      report.violation(
        `${whileDown.length * world.tenants.length - held} consumer objects were released while agent b, which still had their copies, was down`,
      );
    report.note(`consumer objects held for agent b while it was down: ${held}`);
    await start('agent-b');
    await waitBoth(report, 'agent b is back');
    await waitFor(
      'every consumer object to be released by both agents',
      async () => ((await consumerObjects()).length === 0 ? true : undefined),
      { timeoutMs: 60_000 },
    ).catch((err: unknown) => {
      report.violation(err instanceof Error ? err.message : String(err));
    });
    const left = await copies(world);
    if (left.length > 0) report.violation(`${left.length} copies left after the deletions`);
    log.stop();

    checkFinalizerLog(log, report);
    checkNoCrossedWrites(audit(), report);
    report.round();
    expect(report.row.violations, 'violations').to.deep.equal([]);
  });

  it("namespaces an agent created go once their copies are gone; one with an operator's data or made by someone else stays", async function () {
    const report = reportRow('namespace cleanup (#113)', scale.name);
    reports.push(report);
    const [t0, t1] = world.tenants as [Tenant, Tenant];
    const [ns0, ns1] = [t0.workspace.cluster, t1.workspace.cluster];
    await waitFor(
      "the first story's namespaces to be cleaned up",
      async () => ((await namespaceOf(ns0)) === undefined && (await namespaceOf(ns1)) === undefined ? true : undefined),
      { timeoutMs: 90_000 },
    ).catch((err: unknown) => {
      report.violation(`namespaces of deleted copies stayed: ${err instanceof Error ? err.message : String(err)}`);
    });
    // Tenant 1's namespace exists before any copy: someone else made it.
    await world.local.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns1 } });
    // Consumer objects forge the namespace marker: it lands on the copies, never on a namespace.
    const forged = { [NAMESPACE_CREATED_BY_LABEL]: names.get('agent-a') ?? '' };
    const objs = Array.from({ length: Math.max(2, Math.ceil(count / 2)) }, (_, i) => `ns-${i}`);
    await inParallel(
      world.tenants.flatMap((t) => objs.map((n) => ({ t, n }))),
      8,
      ({ t, n }) =>
        t.client.create(nsCronTabs('default'), {
          apiVersion: 'example.com/v1',
          kind: 'CronTab',
          metadata: { name: n, namespace: 'default', labels: forged },
          spec: { cronSpec: '* * * * *', image: `${n}:1` },
        }),
    );
    report.injected('consumer object with a forged namespace marker', objs.length * world.tenants.length);
    await waitBoth(report, 'the copies were placed');
    const made0 = await namespaceOf(ns0);
    if (made0?.metadata.labels?.[NAMESPACE_CREATED_BY_LABEL] === undefined)
      report.violation(`namespace ${ns0} was created without the agent's marker`);
    if ((await namespaceOf(ns1))?.metadata.labels?.[NAMESPACE_CREATED_BY_LABEL] !== undefined)
      report.violation(`the pre-existing namespace ${ns1} got the agent's marker`);
    // The operator keeps data of its own next to the copies in tenant 0's namespace.
    await world.local.create(`/api/v1/namespaces/${ns0}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'operator-data', namespace: ns0 },
      data: { keep: 'me' },
    });
    report.injected("operator's object in an agent-made namespace");

    await deleteInTenants(world, objs);
    report.injected('consumer deletion', objs.length * world.tenants.length);
    await waitBoth(report, 'the deletions');
    await sleep(8_000);
    if ((await namespaceOf(ns0)) === undefined) report.violation(`${ns0} was deleted with the operator's data in it`);
    if ((await namespaceOf(ns1)) === undefined)
      report.violation(`${ns1}, which the agents did not create, was deleted`);

    // The operator's data goes; the next copy that leaves takes the namespace with it.
    await world.local.delete(`/api/v1/namespaces/${ns0}/configmaps/operator-data`);
    await createInTenants(world, ['last']);
    await waitBoth(report, 'one more object');
    await deleteInTenants(world, ['last']);
    await waitFor(
      `namespace ${ns0} to be cleaned up once it holds nothing of anyone`,
      async () => ((await namespaceOf(ns0)) === undefined ? true : undefined),
      { timeoutMs: 90_000 },
    ).catch((err: unknown) => {
      report.violation(err instanceof Error ? err.message : String(err));
    });
    if ((await namespaceOf(ns1)) === undefined)
      report.violation(`${ns1}, which the agents did not create, was deleted`);
    report.note(`namespaces kept: ${ns1} (not the agents'); ${ns0} kept while it held the operator's data`);
    report.round();
    expect(report.row.violations, 'violations').to.deep.equal([]);
  });

  it('copies whose consumer object vanished while the agents were down are swept at start, each agent its own', async function () {
    const report = reportRow('orphan sweep after a restart', scale.name);
    reports.push(report);
    const objs = Array.from({ length: count }, (_, i) => `sweep-${i}`);
    await createInTenants(world, objs);
    await waitBoth(report, 'both agents synced');
    for (const u of USERS) await stop(u);
    report.injected('agent stopped', USERS.length);
    // Half the objects go while no agent runs; their finalizers are removed by hand (a lost cleanup).
    const gone = objs.filter((_, i) => i % 2 === 0);
    await deleteInTenants(world, gone);
    await inParallel(
      world.tenants.flatMap((t) => gone.map((n) => ({ t, n }))),
      8,
      ({ t, n }) =>
        t.client
          .patch(`${nsCronTabs('default')}/${n}`, { metadata: { finalizers: null } }, 'merge')
          .catch(() => undefined),
    );
    report.injected('consumer object deleted with its finalizers removed by hand', gone.length * world.tenants.length);
    const before = await copies(world);
    const isOrphan = (c: KubeObject): boolean =>
      gone.some((n) => c.metadata.annotations?.[REMOTE_OBJECT_NAME_ANNOTATION] === n);
    const orphansOf = (cs: KubeObject[], agent: string): KubeObject[] =>
      cs.filter((c) => isOrphan(c) && c.metadata.labels?.[AGENT_NAME_LABEL] === agent);
    const [a, b] = [names.get('agent-a') ?? '', names.get('agent-b') ?? ''];
    report.note(`orphans before the restart: ${orphansOf(before, a).length} of a, ${orphansOf(before, b).length} of b`);

    // Agent a comes back alone: it sweeps its own orphans and nothing of b's.
    await start('agent-a');
    await waitInvariants(scopeOf('agent-a'), report, 'agent a restarted', 120_000);
    const afterA = await copies(world);
    if (orphansOf(afterA, a).length > 0) report.violation(`${orphansOf(afterA, a).length} orphans of a left`);
    if (orphansOf(afterA, b).length !== orphansOf(before, b).length)
      report.violation("agent a removed copies of agent b's");
    const keptOf = (cs: KubeObject[]): number => cs.filter((c) => !isOrphan(c)).length;
    if (keptOf(afterA) !== keptOf(before)) report.violation('a copy with a live consumer object was removed');

    await start('agent-b');
    await waitBoth(report, 'both agents restarted');
    const afterB = await copies(world);
    if (orphansOf(afterB, b).length > 0) report.violation(`${orphansOf(afterB, b).length} orphans of b left`);
    if (keptOf(afterB) !== keptOf(before)) report.violation('a copy with a live consumer object was removed');
    const swept = audit().filter(
      (e) => e.verb === 'delete' && e.objectRef?.resource === 'crontabs' && succeeded(e),
    ).length;
    report.note(
      `copies swept: ${orphansOf(before, a).length + orphansOf(before, b).length}; deletes of copies in the audit log so far: ${swept}`,
    );
    report.round();
    expect(report.row.violations, 'violations').to.deep.equal([]);
  });
});
