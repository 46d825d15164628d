// Issue 20, item 7: many consumer workspaces create objects of identical
// names, each forging the agent's metadata to name the next workspace
// (its cluster, its path, its objects' hashes). Every object of both sides is
// checked: each copy sits in its own tenant's namespace and says so, and when
// every tenant updates and then deletes half of its objects, no object of
// any other tenant is written (resourceVersions on both sides do not move).
import { expect } from 'chai';
import {
  AGENT_NAME_LABEL,
  REMOTE_OBJECT_CLUSTER_LABEL,
  REMOTE_OBJECT_NAME_ANNOTATION,
  REMOTE_OBJECT_NAME_HASH_LABEL,
  REMOTE_OBJECT_WORKSPACE_PATH_ANNOTATION,
} from '../../src/apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { sha1Hex } from '../../src/translate/hashes.ts';
import type { RunningAgent } from '../utils/agent.ts';
import { suite } from '../utils/suite.ts';
import { checkCopy, snapshotTenant, tenantWrites } from './hostile-checks.ts';
import { type Tenant, waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { type ScaleName, faultScale } from './scale.ts';
import { type FaultWorld, bindTenants, buildWorld, cronTab, inParallel, nsCronTabs, startWorldAgent } from './world.ts';

/** Consumer workspaces per scale: the short variant runs in `make test`. */
const WORKSPACES: Record<ScaleName, number> = { short: 8, medium: 30, long: 100 };
const NAMES = ['shared', 'database', 'a.b.c', 'x'];

/** An object of `tenant` whose metadata names `next` (another tenant) as its origin. */
function forged(tenant: Tenant, next: Tenant, name: string): KubeObject {
  const base = cronTab(tenant, name);
  return {
    ...base,
    metadata: {
      ...base.metadata,
      labels: {
        ...base.metadata.labels,
        [AGENT_NAME_LABEL]: 'another-agent',
        [REMOTE_OBJECT_CLUSTER_LABEL]: next.workspace.cluster,
        [REMOTE_OBJECT_NAME_HASH_LABEL]: sha1Hex(name),
      },
      annotations: {
        [REMOTE_OBJECT_NAME_ANNOTATION]: name,
        [REMOTE_OBJECT_WORKSPACE_PATH_ANNOTATION]: next.workspace.path,
        note: `from ${tenant.workspace.cluster}`,
      },
    },
  };
}

describe('faults: isolation between many consumer workspaces with identical names', function () {
  const scale = faultScale();
  const workspaces = WORKSPACES[scale.name];
  let world: FaultWorld;
  let agent: RunningAgent;
  let report: FaultReport;

  before(async function () {
    world = await buildWorld({
      name: 'isolation',
      kcp: suite().kcp,
      artifacts: suite().artifacts,
      tenants: workspaces,
    });
    agent = await startWorldAgent(world);
    await bindTenants(world);
    report = reportRow(`isolation at scale (${workspaces} workspaces, identical names)`, scale.name);
  });

  after(async function () {
    report.print();
    await agent.process.stop();
    await world.service.stop();
  });

  const everyCopy = async (names: readonly string[], after: string): Promise<void> => {
    const work = world.tenants.flatMap((t) => names.map((n) => ({ t, n })));
    await inParallel(work, 8, async ({ t, n }) => {
      // What the copy must show: the consumer's spec and its own annotation, none of the forged identity.
      const base = cronTab(t, n);
      const outcome = await checkCopy(world, t, {
        ...base,
        metadata: { ...base.metadata, annotations: { note: `from ${t.workspace.cluster}` } },
      });
      if (outcome.violation !== undefined) report.violation(`${after}: ${t.workspace.path} ${n}: ${outcome.violation}`);
    });
    report.note(`${after}: ${work.length} copies checked one by one`);
  };

  it("keeps every copy in its own tenant's namespace and never writes another tenant's objects", async function () {
    const tenants = world.tenants;
    const next = (i: number): Tenant => tenants[(i + 1) % tenants.length] as Tenant;
    const work = tenants.flatMap((t, i) => NAMES.map((n) => ({ t, i, n })));
    await inParallel(work, 8, ({ t, i, n }) => t.client.create(nsCronTabs('default'), forged(t, next(i), n)));
    report.injected("object forging the next workspace's identity", work.length);
    await waitInvariants(world.scope, report, `${work.length} objects in ${tenants.length} workspaces`, 180_000);
    await everyCopy(NAMES, 'after creation');

    // Each tenant in turn edits and deletes objects; no other tenant's objects may move.
    const edited = NAMES.slice(0, 2);
    for (const [i, t] of tenants.entries()) {
      const others = tenants.filter((o) => o !== t);
      const before = await Promise.all(others.map((o) => snapshotTenant(world, o)));
      await t.client.patch(`${nsCronTabs('default')}/${edited[0] ?? ''}`, { spec: { image: `edited-${i}` } }, 'merge');
      await t.client.delete(`${nsCronTabs('default')}/${edited[1] ?? ''}`);
      report.injected('edit in one workspace');
      report.injected('deletion in one workspace');
      await waitInvariants(world.scope, report, `edits in ${t.workspace.path}`, 60_000);
      const after = await Promise.all(others.map((o) => snapshotTenant(world, o)));
      const writes = others.flatMap((o, j) =>
        tenantWrites(before[j] ?? new Map<string, string>(), after[j] ?? new Map<string, string>()).map(
          (w) => `${o.workspace.path}: ${w}`,
        ),
      );
      for (const w of writes) report.violation(`a change in ${t.workspace.path} wrote another tenant's object: ${w}`);
      report.round();
    }
    await everyCopy(
      NAMES.filter((n) => n !== edited[1]).filter((n) => n !== edited[0]),
      'after every workspace edited and deleted',
    );
    report.note(
      "cross-tenant reads are bounded by construction (each copy is read by its tenant's labels); the test counts writes",
    );
    expect(report.row.violations, 'violations').to.deep.equal([]);
  });
});
