// The platform story, told by a consumer in a project workspace: a service
// API published from root:platform-services, a claim, Crossplane composing
// the resources behind it on the service cluster, and what the consumer sees.
import { expect } from 'chai';
import { isNotFound } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { applyObject, type Workspace } from '../utils/kcp-fixtures.ts';
import { compositesPath, platformApi } from '../utils/platform.ts';
import {
  composedResources,
  condition,
  endpointOf,
  findLocalClaim,
  setCloudReady,
  waitForBinding,
  waitForCloudResource,
} from '../utils/platform-cloud.ts';
import {
  consumer,
  createClaim,
  deleteClaim,
  type PlatformSuite,
  platformSuite,
  project,
  waitForClaim,
} from '../utils/platform-suite.ts';
import { waitFor } from '../utils/wait.ts';

const COMPUTE = platformApi('compute');

const params = (cr: KubeObject): Record<string, unknown> =>
  (cr['spec'] as { parameters?: Record<string, unknown> }).parameters ?? {};

describe("the platform: a consumer's claim fulfilled by a Crossplane composition", function () {
  this.timeout(300_000);
  let p: PlatformSuite;
  let frontend: Workspace;
  let tenant: RestClient;

  before(async function () {
    this.timeout(600_000);
    p = await platformSuite();
    frontend = project(p, 'org-acme-frontend');
    tenant = await consumer(p, 'org-acme-frontend');
  });

  it("a VirtualMachine claimed in root:org-acme:org-acme-frontend becomes Ready with Crossplane's conditions and its events", async function () {
    await createClaim(tenant, COMPUTE, 'web-1', { size: 'small', image: 'debian-13' });
    const { claim, composite } = await waitForBinding(p.local, COMPUTE, frontend, 'web-1');
    expect(claim.metadata.namespace).to.equal(frontend.cluster);
    const cloud = await waitForCloudResource(p.local, composite);
    expect(params(cloud)).to.include({ size: 'small', cpus: 1, image: 'debian-13', region: 'eu-central' });
    expect((cloud['spec'] as { owner?: string }).owner).to.equal(`${frontend.cluster}/${claim.metadata.name ?? ''}`);

    // Until the cloud reports the machine running, Crossplane says the claim waits.
    const waiting = await waitForClaim(
      tenant,
      { api: COMPUTE, name: 'web-1' },
      "Crossplane's Waiting in the consumer's workspace",
      (o) => condition(o, 'Ready')?.reason === 'Waiting',
    );
    expect(condition(waiting, 'Ready')?.status).to.equal('False');
    expect(condition(waiting, 'Synced')?.status).to.equal('True');

    await setCloudReady(p.local, cloud, true, endpointOf(cloud));
    const ready = await waitForClaim(
      tenant,
      { api: COMPUTE, name: 'web-1' },
      "Ready in the consumer's workspace",
      (o) => condition(o, 'Ready')?.status === 'True',
    );
    expect(condition(ready, 'Ready')).to.include({ reason: 'Available' });
    expect(condition(ready, 'Synced')).to.include({ status: 'True', reason: 'ReconcileSuccess' });
    expect((ready['status'] as { address?: string }).address).to.equal(endpointOf(cloud));
    // Crossplane's bookkeeping stays on the service cluster: the consumer's spec is what it wrote.
    expect(ready['spec']).to.not.have.property('resourceRef');

    const events = await waitFor(
      "the claim's events in the consumer's workspace",
      async () => {
        const list = await tenant.list('/api/v1/namespaces/default/events');
        const mine = list.items.filter(
          (e) => (e['involvedObject'] as { name?: string; kind?: string }).name === 'web-1',
        );
        // A quick succession of steps on one object shows as its latest event.
        return mine.some((e) => e['reason'] === 'ObjectStatusSynced') ? mine : undefined;
      },
      { timeoutMs: 60_000 },
    );
    for (const e of events)
      expect(e['reason']).to.be.oneOf(['ObjectAccepted', 'ObjectPlaced', 'ObjectSynced', 'ObjectStatusSynced']);
    // They say nothing about the service cluster: no namespace, copy or composite name.
    const text = JSON.stringify(events.map((e) => e['message']));
    for (const secret of [frontend.cluster, claim.metadata.name ?? '', composite]) expect(text).to.not.include(secret);
  });

  it("an update of the claim's spec reaches the composed resource, and readiness follows the cloud both ways", async function () {
    const current = await tenant.get('/apis/compute.cloud.example/v1alpha1/namespaces/default/virtualmachines/web-1');
    await tenant.replace('/apis/compute.cloud.example/v1alpha1/namespaces/default/virtualmachines/web-1', {
      ...current,
      spec: { ...(current['spec'] as object), size: 'large' },
    });
    const { composite } = await waitForBinding(p.local, COMPUTE, frontend, 'web-1');
    const cloud = await waitForCloudResource(p.local, composite, (cr) => params(cr)['size'] === 'large');
    expect(params(cloud)).to.include({ cpus: 4 });

    // The cloud loses the machine: the consumer sees it is no longer Ready, then Ready again.
    await setCloudReady(p.local, cloud, false);
    await waitForClaim(
      tenant,
      { api: COMPUTE, name: 'web-1' },
      'not Ready after the cloud reported a problem',
      (o) => condition(o, 'Ready')?.status === 'False',
    );
    await setCloudReady(p.local, cloud, true, endpointOf(cloud));
    await waitForClaim(
      tenant,
      { api: COMPUTE, name: 'web-1' },
      'Ready again',
      (o) => condition(o, 'Ready')?.status === 'True',
    );
  });

  it("deleting the claim removes its copy, the composite and the composed resources, then releases the consumer's object", async function () {
    const { composite } = await waitForBinding(p.local, COMPUTE, frontend, 'web-1');
    expect((await composedResources(p.local, composite)).cloud).to.have.length(1);
    await deleteClaim(tenant, COMPUTE, 'web-1');
    // The consumer's object goes last: by then the copy is gone already.
    expect(await findLocalClaim(p.local, COMPUTE, frontend, 'web-1')).to.equal(undefined);
    await waitFor(
      `composite ${composite} and its composed resources to be gone`,
      async () => {
        const xr = await p.local.get(`${compositesPath(COMPUTE)}/${composite}`).then(
          () => true,
          (err: unknown) => {
            if (isNotFound(err)) return false;
            throw err;
          },
        );
        const { cloud } = await composedResources(p.local, composite);
        return !xr && cloud.length === 0 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
  });

  it("a Composition that fails leaves the claim Waiting in the consumer's workspace, its Synced=False on the composite", async function () {
    // The platform team ships a broken Composition: it composes a kind the service cluster does not serve.
    await applyObject(p.local, {
      apiVersion: 'apiextensions.crossplane.io/v1',
      kind: 'Composition',
      metadata: { name: 'virtualmachines.broken' },
      spec: {
        compositeTypeRef: { apiVersion: 'compute.cloud.example/v1alpha1', kind: 'XVirtualMachine' },
        mode: 'Resources',
        resources: [
          {
            name: 'instance',
            base: { apiVersion: 'standin.cloud.example/v1alpha1', kind: 'NoSuchResource', spec: {} },
          },
        ],
      },
    });
    await createClaim(tenant, COMPUTE, 'web-broken', {
      size: 'small',
      image: 'debian-13',
      compositionRef: { name: 'virtualmachines.broken' },
    });
    const { composite } = await waitForBinding(p.local, COMPUTE, frontend, 'web-broken');
    const xr = await waitFor(
      'the composite to report the failure',
      async () => {
        const obj = await p.local.get(`${compositesPath(COMPUTE)}/${composite}`);
        return condition(obj, 'Synced')?.status === 'False' ? obj : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(condition(xr, 'Synced')).to.include({ reason: 'ReconcileError' });
    expect(condition(xr, 'Synced')?.message).to.include('NoSuchResource');

    // Crossplane v1 copies a composite's readiness to its claim, not its Synced:
    // the consumer reads that its claim was accepted and waits for the composite.
    const seen = await waitForClaim(
      tenant,
      { api: COMPUTE, name: 'web-broken' },
      "Crossplane's Waiting in the consumer's workspace",
      (o) => condition(o, 'Ready')?.reason === 'Waiting',
    );
    expect(condition(seen, 'Ready')).to.include({
      status: 'False',
      message: 'Claim is waiting for composite resource to become Ready',
    });
    expect(condition(seen, 'Synced')).to.include({ status: 'True', reason: 'ReconcileSuccess' });
    // The failure's details (kinds, composite names) stay on the service cluster.
    expect(JSON.stringify(seen['status'])).to.not.include('NoSuchResource');
    await deleteClaim(tenant, COMPUTE, 'web-broken');
  });
});
