// Issue 20, item 9 (upstream #115): the service side's operator holds the
// copies with finalizers of its own. When consumers delete their objects, the
// agent deletes the copies but keeps its finalizer on each consumer object
// until its copy is really gone; only when the operator lets go are the
// consumer objects released. Checked on both sides while the copies are
// held and after they are released.
import { expect } from 'chai';
import { cleanupFinalizerFor } from '../../src/translate/cleanup-finalizer.ts';
import type { RunningAgent } from '../utils/agent.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';
import { waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { faultScale } from './scale.ts';
import {
  type FaultWorld,
  bindTenants,
  buildWorld,
  copies,
  copyPath,
  createInTenants,
  deleteInTenants,
  inParallel,
  nsCronTabs,
  sleep,
  startWorldAgent,
} from './world.ts';

const OPERATOR_FINALIZER = 'operator.example.com/teardown';

describe('faults: the operator holds copies with its own finalizer while consumers delete', function () {
  const scale = faultScale();
  let world: FaultWorld;
  let agent: RunningAgent;
  let report: FaultReport;
  const names = Array.from({ length: Math.ceil(scale.smallObjects / 3) }, (_, i) => `held-${i}`);

  before(async function () {
    world = await buildWorld({ name: 'cleanup', kcp: suite().kcp, artifacts: suite().artifacts });
    agent = await startWorldAgent(world);
    await bindTenants(world);
    report = reportRow("cleanup waits for the copy's other finalizers (#115)", scale.name);
  });

  after(async function () {
    report.print();
    await agent.process.stop();
    await world.service.stop();
  });

  it('keeps every consumer object until its copy is gone, then releases it', async function () {
    await createInTenants(world, names);
    await waitInvariants(world.scope, report, `${names.length * world.tenants.length} objects synced`, 120_000);
    const held = await copies(world);
    await inParallel(held, 6, (c) =>
      world.local.patch(copyPath(c), { metadata: { finalizers: [OPERATOR_FINALIZER] } }, 'merge'),
    );
    report.injected('operator finalizer on a copy', held.length);
    await deleteInTenants(world, names);
    report.injected('consumer deletion', held.length);

    // While the operator holds the copies, every consumer object stays, with the agent's finalizer.
    await sleep(5_000);
    const kept = (await Promise.all(world.tenants.map((t) => t.client.list(nsCronTabs('default'))))).flatMap(
      (l) => l.items,
    );
    const released =
      kept.length < held.length ||
      kept.some((o) => !(o.metadata.finalizers ?? []).includes(cleanupFinalizerFor(world.scope.agentName)));
    if (released)
      report.violation(
        `a consumer object was released while its copy was still held (${kept.length} of ${held.length} left)`,
      );
    const terminating = (await copies(world)).filter((c) => c.metadata.deletionTimestamp !== undefined).length;
    report.note(
      `while held: ${kept.length} consumer objects kept with the agent's finalizer, ${terminating} copies terminating`,
    );

    // The operator lets go: everything goes, on both sides.
    await inParallel(await copies(world), 6, (c) =>
      world.local.patch(copyPath(c), { metadata: { finalizers: null } }, 'merge'),
    );
    report.injected('operator finalizer removed', held.length);
    await waitFor(
      'every consumer object to be released and gone',
      async () => {
        const left = (await Promise.all(world.tenants.map((t) => t.client.list(nsCronTabs('default'))))).flatMap(
          (l) => l.items,
        );
        return left.length === 0 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    ).catch((err: unknown) => {
      report.violation(err instanceof Error ? err.message : String(err));
    });
    await waitInvariants(world.scope, report, 'the operator let go', 60_000);
    report.round();
    expect(report.row.violations, 'violations').to.deep.equal([]);
  });
});
