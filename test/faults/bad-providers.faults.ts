// Issue 20, item 6: one agent serves one good PublishedResource and many
// broken ones (test/faults/bad-provider-cases.ts), plus one whose CRD is
// deleted while it syncs. Each broken one gets a False condition naming the
// field (or the API server refuses it, naming the field); consumers keep
// creating objects of the good one the whole time, and every one of them
// is synced with the invariants holding on both sides.
import { join } from 'node:path';
import { expect } from 'chai';
import type { CustomResourceDefinition } from '../../src/apis/apiextensions.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RunningAgent } from '../utils/agent.ts';
import { installCrd, readCrd } from '../utils/service-fixtures.ts';
import { suite } from '../utils/suite.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import { waitFor } from '../utils/wait.ts';
import { BAD_PROVIDER_CASES } from './bad-provider-cases.ts';
import { waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { faultScale } from './scale.ts';
import { type FaultWorld, bindTenants, buildWorld, createInTenants, sleep, startWorldAgent } from './world.ts';

const PRS = '/apis/syncagent.kcp.io/v1alpha1/publishedresources';

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

const conditions = (pr: KubeObject): Condition[] =>
  (pr['status'] as { conditions?: Condition[] } | undefined)?.conditions ?? [];
const naming = (pr: KubeObject, field: string): Condition | undefined =>
  conditions(pr).find((c) => c.status === 'False' && (c.message ?? '').includes(field));
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

describe('faults: a provider publishes broken PublishedResources next to a good one', function () {
  const scale = faultScale();
  let world: FaultWorld;
  let agent: RunningAgent;
  let report: FaultReport;
  let good = 0;
  let creating = true;
  let creator: Promise<void> = Promise.resolve();

  before(async function () {
    world = await buildWorld({ name: 'badprov', kcp: suite().kcp, artifacts: suite().artifacts });
    agent = await startWorldAgent(world);
    await bindTenants(world);
    report = reportRow('bad providers (broken PublishedResources next to a good one)', scale.name);
  });

  after(async function () {
    creating = false;
    await creator;
    report.print();
    await agent.process.stop();
    await world.service.stop();
  });

  /** Consumers create an object of the good PublishedResource every 300 ms until told to stop. */
  const keepCreating = async (): Promise<void> => {
    while (creating) {
      await createInTenants(world, [`good-${good++}`]);
      await sleep(300);
    }
  };

  it(`names the field of each of ${BAD_PROVIDER_CASES.length + 1} broken PublishedResources while the good one keeps syncing`, async function () {
    await createInTenants(world, ['good-before']);
    await waitInvariants(world.scope, report, 'the good PublishedResource synced', 120_000);
    creator = keepCreating();

    const applied: { title: string; name: string; field: string }[] = [];
    for (const [i, c] of BAD_PROVIDER_CASES.entries()) {
      const name = `bad-${i}`;
      const pr = {
        apiVersion: 'syncagent.kcp.io/v1alpha1',
        kind: 'PublishedResource',
        metadata: { name },
        spec: c.spec(i),
      };
      try {
        await world.local.create(PRS, pr);
        applied.push({ title: c.title, name, field: c.field });
      } catch (err) {
        if (errorText(err).includes(c.field.replace(/^spec\./, '')))
          report.note(`refused by the API server, naming ${c.field}: ${c.title}`);
        else report.violation(`${c.title}: refused without naming ${c.field}: ${errorText(err).slice(0, 200)}`);
      }
      report.injected('broken PublishedResource');
    }
    for (const a of applied) {
      await waitFor(
        `a False condition naming ${a.field} on ${a.name}`,
        async () => naming(await world.local.get(`${PRS}/${a.name}`), a.field),
        { timeoutMs: 60_000 },
      ).catch(async () => {
        const now = conditions(await world.local.get(`${PRS}/${a.name}`));
        report.violation(
          `${a.title}: no False condition naming ${a.field}; conditions ${JSON.stringify(now).slice(0, 400)}`,
        );
      });
    }
    await waitInvariants(world.scope, report, `${BAD_PROVIDER_CASES.length} broken PublishedResources`, 60_000);

    // A CRD deleted under a running sync.
    const crd = readCrd(join(REPO_ROOT, 'test/fixtures/crds/crontab.yaml'));
    const gizmos: CustomResourceDefinition = {
      ...crd,
      metadata: { name: 'crontabs.gizmo.example.org' },
      spec: { ...crd.spec, group: 'gizmo.example.org' },
    };
    await installCrd(world.local, gizmos);
    await world.local.create(PRS, {
      apiVersion: 'syncagent.kcp.io/v1alpha1',
      kind: 'PublishedResource',
      metadata: { name: 'gizmos' },
      spec: { resource: { apiGroup: 'gizmo.example.org', kind: 'CronTab', versions: ['v1'] } },
    });
    await waitFor(
      'the gizmos PublishedResource to sync',
      async () => {
        const pr = await world.local.get(`${PRS}/gizmos`);
        return conditions(pr).some((c) => c.type === 'Syncing' && c.status === 'True') ? pr : undefined;
      },
      { timeoutMs: 90_000 },
    );
    await world.local.delete('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.gizmo.example.org');
    report.injected('CRD deleted under a running sync');
    await waitFor(
      'a False condition naming spec.resource on gizmos',
      async () => naming(await world.local.get(`${PRS}/gizmos`), 'spec.resource'),
      { timeoutMs: 60_000 },
    ).catch(async () => {
      report.violation(
        `CRD deleted: no False condition naming spec.resource; conditions ${JSON.stringify(conditions(await world.local.get(`${PRS}/gizmos`))).slice(0, 400)}`,
      );
    });

    creating = false;
    await creator;
    report.note(`good objects created while the broken ones were applied: ${good} per tenant`);
    await waitInvariants(world.scope, report, 'the good objects kept coming', 120_000);
    report.round();
    expect(report.row.violations, 'violations').to.deep.equal([]);
  });
});
