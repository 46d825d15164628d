// The platform story, continued: a consumer asks for its VirtualMachine's
// connection details (spec.writeConnectionSecretToRef), Crossplane writes the
// claim's connection Secret next to the copy on the service cluster, and the
// compute agent's related rule brings it up into the consumer's workspace.
import { expect } from 'chai';
import type { RestClient } from '../../src/kube/rest-client.ts';
import type { Workspace } from '../utils/kcp-fixtures.ts';
import { platformApi } from '../utils/platform.ts';
import { endpointOf, setCloudReady, waitForBinding, waitForCloudResource } from '../utils/platform-cloud.ts';
import {
  consumer,
  createClaim,
  deleteClaim,
  type PlatformSuite,
  platformSuite,
  project,
} from '../utils/platform-suite.ts';
import { plain, relatedAnnotations, secretPath, waitGone, waitObject } from '../utils/related-checks.ts';

const COMPUTE = platformApi('compute');
const VM = 'db-1';
const SECRET = 'db-1-connection';

describe("the platform: a VirtualMachine's connection Secret in the consumer's workspace", function () {
  this.timeout(300_000);
  let p: PlatformSuite;
  let backend: Workspace;
  let tenant: RestClient;

  before(async function () {
    this.timeout(600_000);
    p = await platformSuite();
    backend = project(p, 'org-acme-backend');
    tenant = await consumer(p, 'org-acme-backend');
  });

  it("the consumer finds its VM's connection Secret in its own workspace once the machine is ready", async function () {
    await createClaim(tenant, COMPUTE, VM, {
      size: 'medium',
      image: 'debian-13',
      writeConnectionSecretToRef: { name: SECRET },
    });
    const { claim, composite } = await waitForBinding(p.local, COMPUTE, backend, VM);
    // The consumer's request reached Crossplane as it wrote it.
    expect(claim['spec']).to.deep.include({ writeConnectionSecretToRef: { name: SECRET } });
    const cloud = await waitForCloudResource(p.local, composite);
    await setCloudReady(p.local, cloud, true, endpointOf(cloud));

    // Crossplane writes the claim's Secret next to the copy, owned by it...
    const local = await waitObject(
      p.local,
      secretPath(backend.cluster, SECRET),
      "the claim's connection Secret next to the copy",
      (s) => plain(s)?.['address'] !== undefined,
    );
    expect(local.metadata.ownerReferences?.map((o) => o.kind)).to.include(COMPUTE.kind);

    // ...and the consumer gets it next to its claim, with the keys the XRD publishes.
    const got = await waitObject(
      tenant,
      secretPath('default', SECRET),
      "the connection Secret in the consumer's workspace",
      (s) => plain(s)?.['address'] !== undefined,
    );
    expect(plain(got)).to.deep.equal({ address: endpointOf(cloud), username: 'admin', port: '22' });
    // Nothing of the service side on it: no owner (the claim's copy is not here), no Crossplane bookkeeping.
    expect(got.metadata.ownerReferences ?? []).to.deep.equal([]);

    // The claim records where its related Secret is, as upstream's agent does (written right after the copy).
    const mine = await waitObject(
      tenant,
      `/apis/${COMPUTE.group}/v1alpha1/namespaces/default/${COMPUTE.plural}/${VM}`,
      "the claim's related-resources annotation",
      (o) => Object.keys(relatedAnnotations(o)).length > 0,
    );
    expect(relatedAnnotations(mine)).to.deep.equal({
      'connection.0': { namespace: 'default', name: SECRET, apiVersion: 'v1', kind: 'Secret' },
    });
  });

  it("deleting the claim also deletes its connection Secret in the consumer's workspace (cleanup: true)", async function () {
    await deleteClaim(tenant, COMPUTE, VM);
    await waitGone(
      tenant,
      secretPath('default', SECRET),
      "the connection Secret in the consumer's workspace to be gone",
    );
  });
});
