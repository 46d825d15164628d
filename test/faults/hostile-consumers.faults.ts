// Issue 20, item 5: a hostile tenant creates objects that try to trick the
// agent (test/faults/hostile-cases.ts) next to a victim tenant's objects of
// the same names. Each hostile object ends in a correct copy in the hostile
// tenant's own namespace, or in a clear refusal; the victim's objects and
// copies are never written (their resourceVersions do not move), and the
// invariant checker holds on both sides after creation, after the hostile
// tenant re-forges its objects by an update, and after it deletes them.
import { expect } from 'chai';
import { isNotFound } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RunningAgent } from '../utils/agent.ts';
import { suite } from '../utils/suite.ts';
import { HOSTILE_CASES, type HostileCase, type HostileContext } from './hostile-cases.ts';
import { type Tenant, waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { faultScale } from './scale.ts';
import { type FaultWorld, bindTenants, buildWorld, cronTab, inParallel, nsCronTabs, startWorldAgent } from './world.ts';
import { checkCopy, type Created, snapshotTenant, tenantWrites } from './hostile-checks.ts';
import { REMOTE_OBJECT_CLUSTER_LABEL, REMOTE_OBJECT_NAME_ANNOTATION } from '../../src/apis/v1alpha1/constants.ts';
import { cleanupFinalizerFor, holdsCleanup } from '../../src/translate/cleanup-finalizer.ts';

const VICTIM_NAMES = ['shared', 'q', 'a.b.c.hostile'];

const countBy = (keys: readonly string[]): Map<string, number> =>
  keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());

describe("faults: a hostile consumer forges the agent's metadata", function () {
  const scale = faultScale();
  let world: FaultWorld;
  let agent: RunningAgent;
  let report: FaultReport;
  let hostile: Tenant;
  let victim: Tenant;
  let ctx: HostileContext;
  const created: Created[] = [];

  before(async function () {
    world = await buildWorld({ name: 'hostile', kcp: suite().kcp, artifacts: suite().artifacts });
    agent = await startWorldAgent(world);
    await bindTenants(world);
    [hostile, victim] = world.tenants as [Tenant, Tenant];
    for (const name of VICTIM_NAMES) await victim.client.create(nsCronTabs('default'), cronTab(victim, name));
    const victimObj = await victim.client.get(`${nsCronTabs('default')}/shared`);
    ctx = {
      ownCluster: hostile.workspace.cluster,
      victimCluster: victim.workspace.cluster,
      victimPath: victim.workspace.path,
      victimName: 'shared',
      victimUid: victimObj.metadata.uid ?? '',
      agentName: world.scope.agentName,
      otherAgent: 'someone-else',
    };
    report = reportRow('hostile consumers (forged metadata, limits, Unicode, size, owners)', scale.name);
  });

  after(async function () {
    report.print();
    await agent.process.stop();
    await world.service.stop();
  });

  const objectFor = (c: HostileCase, i: number): KubeObject => {
    const base = cronTab(hostile, c.name?.(ctx) ?? `hostile-${i}`, c.spec);
    const meta = c.meta?.(ctx) ?? {};
    return {
      ...base,
      metadata: {
        ...base.metadata,
        namespace: c.namespace?.(ctx) ?? 'default',
        labels: { ...base.metadata.labels, ...meta.labels },
        ...(meta.annotations === undefined ? {} : { annotations: meta.annotations }),
        ...(meta.finalizers === undefined ? {} : { finalizers: meta.finalizers }),
        ...(meta.ownerReferences === undefined ? {} : { ownerReferences: meta.ownerReferences }),
      },
    };
  };

  it(`turns ${HOSTILE_CASES.length} hostile objects into correct copies or clear refusals, touching nothing of the victim`, async function () {
    await waitInvariants(world.scope, report, "the victim's objects synced", 120_000);
    const before = await snapshotTenant(world, victim);
    for (const ns of new Set(HOSTILE_CASES.map((c) => c.namespace?.(ctx) ?? 'default'))) {
      await hostile.client
        .create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
        .catch(() => undefined);
    }
    await inParallel(
      HOSTILE_CASES.map((c, i) => ({ c, i })),
      6,
      async ({ c, i }) => {
        const obj = objectFor(c, i);
        try {
          await hostile.client.create(nsCronTabs(obj.metadata.namespace ?? ''), obj);
          created.push({ c, obj });
        } catch (err) {
          const why = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
          if (c.mayBeRefused === true) report.note(`refused by the API server: ${c.title} (${why.slice(0, 120)})`);
          else report.violation(`${c.title}: the API server refused an object it should accept: ${why.slice(0, 200)}`);
        }
      },
    );
    for (const [kind, n] of countBy(HOSTILE_CASES.map((c) => c.kind))) report.injected(kind, n);
    await waitInvariants(world.scope, report, `${created.length} hostile objects created`, 120_000);
    for (const { c, obj } of created) {
      const outcome = await checkCopy(world, hostile, obj);
      if (outcome.violation !== undefined) report.violation(`${c.title}: ${outcome.violation}`);
      else if (outcome.event !== undefined) report.note(`${c.title}: no copy, event ${outcome.event}`);
      else if (outcome.gone === true)
        report.note(`${c.title}: removed by kcp's garbage collector, and its copy with it`);
    }

    // Re-forge every accepted object by an update: the identity labels and annotations name the victim.
    await inParallel(created, 6, async ({ obj }) => {
      const path = `${nsCronTabs(obj.metadata.namespace ?? '')}/${obj.metadata.name ?? ''}`;
      await hostile.client
        .patch(
          path,
          {
            metadata: {
              labels: { [REMOTE_OBJECT_CLUSTER_LABEL]: victim.workspace.cluster },
              annotations: { [REMOTE_OBJECT_NAME_ANNOTATION]: 'shared' },
            },
            spec: { cronSpec: '*/5 * * * *' },
          },
          'merge',
        )
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
    });
    report.injected('forged identity by an update', created.length);
    await waitInvariants(world.scope, report, 'the hostile objects were re-forged', 120_000);
    for (const { c, obj } of created) {
      const outcome = await checkCopy(world, hostile, obj, '*/5 * * * *');
      if (outcome.violation !== undefined) report.violation(`${c.title} (after the update): ${outcome.violation}`);
    }

    // The hostile tenant deletes everything and drops the finalizers that are not the agent's (no controller serves them).
    await inParallel(created, 6, async ({ obj }) => {
      const path = `${nsCronTabs(obj.metadata.namespace ?? '')}/${obj.metadata.name ?? ''}`;
      await hostile.client.delete(path).catch(() => undefined);
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await hostile.client.get(path).catch(() => undefined);
        const finalizers = current?.metadata.finalizers ?? [];
        const keep = finalizers.filter((f) => holdsCleanup([f], cleanupFinalizerFor(world.scope.agentName)));
        if (current === undefined || keep.length === finalizers.length) break;
        // A conflict with the agent's own finalizer write: read again.
        await hostile.client
          .patch(path, { metadata: { resourceVersion: current.metadata.resourceVersion, finalizers: keep } }, 'merge')
          .catch(() => undefined);
      }
    });
    report.injected('deletion of a hostile object', created.length);
    await waitInvariants(world.scope, report, 'the hostile objects were deleted', 120_000);

    const writes = tenantWrites(before, await snapshotTenant(world, victim));
    report.note(`victim objects compared before/after: ${before.size}; writes to them: ${writes.length}`);
    for (const w of writes) report.violation(`the victim's ${w} was written`);
    report.round();
    expect(report.row.violations, 'violations').to.deep.equal([]);
  });
});
