// The platform with many tenants and three agents: projects in different
// organisations claim from the same three exports, each served by its own
// agent from one service cluster, and nothing leaks across projects or agents.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AGENT_NAME_LABEL } from '../../src/apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { isForbidden } from '../../src/kube/errors.ts';
import { applyObject, endpointUrls } from '../utils/kcp-fixtures.ts';
import { clientFor } from '../utils/kubeconfig.ts';
import {
  AGENT_NAMESPACE,
  EXAMPLES,
  exportName,
  PLATFORM_APIS,
  type PlatformApi,
  platformApi,
  type ProjectName,
  releaseName,
} from '../utils/platform.ts';
import {
  composedResources,
  condition,
  endpointOf,
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

const COMPUTE = platformApi('compute');
const params = (cr: KubeObject): Record<string, unknown> =>
  (cr['spec'] as { parameters?: Record<string, unknown> }).parameters ?? {};
const isReady = (o: KubeObject): boolean => condition(o, 'Ready')?.status === 'True';

describe('the platform: many projects, three exports, three agents, one service cluster', function () {
  this.timeout(300_000);
  let p: PlatformSuite;

  before(async function () {
    this.timeout(600_000);
    p = await platformSuite();
  });

  it('keeps claims of the same name in different projects apart, down to the composed resources', async function () {
    const sizes: [ProjectName, string][] = [
      ['org-acme-frontend', 'small'],
      ['org-acme-backend', 'medium'],
      ['org-globex-web', 'large'],
    ];
    for (const [name, size] of sizes)
      await createClaim(await consumer(p, name), COMPUTE, 'app', { size, image: `${name}:1` });

    const composites = new Set<string>();
    for (const [name, size] of sizes) {
      const ws = project(p, name);
      const { claim, composite } = await waitForBinding(p.local, COMPUTE, ws, 'app');
      expect(claim.metadata.namespace).to.equal(ws.cluster);
      composites.add(composite);
      const cloud = await waitForCloudResource(p.local, composite);
      expect(params(cloud)).to.include({ size, image: `${name}:1` });
      expect((cloud['spec'] as { owner?: string }).owner).to.equal(`${ws.cluster}/${claim.metadata.name ?? ''}`);
      await setCloudReady(p.local, cloud, true, endpointOf(cloud));
    }
    expect(composites.size).to.equal(3);

    const addresses = new Set<unknown>();
    for (const [name] of sizes) {
      const seen = await waitForClaim(
        await consumer(p, name),
        { api: COMPUTE, name: 'app' },
        `Ready in ${name}`,
        isReady,
      );
      addresses.add((seen['status'] as { address?: string }).address);
    }
    expect(addresses.size).to.equal(3);

    // One project deleting its claim leaves the others' composites alone.
    await deleteClaim(await consumer(p, 'org-acme-backend'), COMPUTE, 'app');
    for (const name of ['org-acme-frontend', 'org-globex-web'] as const) {
      const { composite } = await waitForBinding(p.local, COMPUTE, project(p, name), 'app');
      expect((await composedResources(p.local, composite)).cloud).to.have.length(1);
      expect(
        isReady(
          await (
            await consumer(p, name)
          ).get('/apis/compute.cloud.example/v1alpha1/namespaces/default/virtualmachines/app'),
        ),
      ).to.equal(true);
    }
  });

  it('serves all three APIs in one project, each claim placed and composed through its own agent', async function () {
    const web = project(p, 'org-globex-web');
    const tenant = await consumer(p, 'org-globex-web');
    for (const file of ['virtualmachine', 'kubernetescluster', 'identity']) {
      await applyObject(tenant, parse(readFileSync(join(EXAMPLES, 'claims', `${file}.yaml`), 'utf8')) as KubeObject);
    }
    const names: Record<PlatformApi['service'], string> = {
      compute: 'web-1',
      kubernetes: 'staging',
      iam: 'ci-deployer',
    };
    for (const a of PLATFORM_APIS) {
      const { claim, composite } = await waitForBinding(p.local, a, web, names[a.service]);
      expect(claim.metadata.labels?.[AGENT_NAME_LABEL]).to.equal(releaseName(a));
      const composed = await composedResources(p.local, composite);
      if (a.service === 'kubernetes') {
        expect(composed.namespaces.map((n) => n.metadata.labels?.['kubernetes.cloud.example/version'])).to.deep.equal([
          '1.36',
        ]);
      }
      if (a.service === 'iam') {
        const rules = composed.clusterRoles[0]?.['rules'] as { verbs: string[] }[] | undefined;
        expect(rules?.[0]?.verbs).to.include.members(['create', 'delete']);
      }
      const cloud = await waitForCloudResource(p.local, composite);
      await setCloudReady(p.local, cloud, true, endpointOf(cloud));
      await waitForClaim(
        tenant,
        { api: a, name: names[a.service] },
        'Ready in root:org-globex:org-globex-web',
        isReady,
      );
    }
  });

  it("gives each agent its own export, schemas, lease and service-cluster RBAC, so none can touch another's objects", async function () {
    const provider = await p.kcp.client('admin', p.provider.path);
    for (const a of PLATFORM_APIS) {
      const exp = await provider.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${exportName(a)}`);
      const resources = (exp['spec'] as { resources: { group: string; name: string; schema: string }[] }).resources;
      expect(resources.map((r) => `${r.name}.${r.group}`)).to.deep.equal([`${a.plural}.${a.group}`]);
      const schema = await provider.get(`/apis/apis.kcp.io/v1alpha1/apiresourceschemas/${resources[0]?.schema ?? ''}`);
      expect(schema.metadata.labels?.[AGENT_NAME_LABEL]).to.equal(releaseName(a));

      const lease = await p.local.get(
        `/apis/coordination.k8s.io/v1/namespaces/${AGENT_NAMESPACE}/leases/syncagent.${releaseName(a)}`,
      );
      expect((lease['spec'] as { holderIdentity?: string }).holderIdentity)
        .to.be.a('string')
        .and.not.equal('');

      // Each agent's ServiceAccount may write its own claim type and no other.
      for (const other of PLATFORM_APIS) {
        const allowed = await canUpdate(
          p,
          `system:serviceaccount:${AGENT_NAMESPACE}:${releaseName(a)}-api-syncagent`,
          other,
        );
        expect(allowed, `${releaseName(a)} updating ${other.plural}`).to.equal(other === a);
      }
    }
    // Every copy on the service cluster carries the label of the agent that owns its type.
    for (const a of PLATFORM_APIS) {
      const copies = await p.local.list(`/apis/${a.group}/v1alpha1/${a.plural}`);
      expect(copies.items.length).to.be.greaterThan(0);
      for (const copy of copies.items) expect(copy.metadata.labels?.[AGENT_NAME_LABEL]).to.equal(releaseName(a));
    }
  });

  it("gives each agent its own kcp identity, which serves its own export and is refused the others'", async function () {
    const provider = await p.kcp.client('admin', p.provider.path);
    for (const a of PLATFORM_APIS) {
      const own = p.agents.get(a.service)?.kcpIdentity;
      if (own === undefined) throw new Error(`no kcp identity for ${releaseName(a)}`);
      const client = await clientFor(own);
      for (const other of PLATFORM_APIS) {
        const [url] = await endpointUrls(provider, exportName(other));
        const answer = await client
          .forServer(`${url ?? ''}/clusters/*`)
          .list(`/apis/${other.group}/v1alpha1/${other.plural}`)
          .then(
            () => 'allowed',
            (err: unknown) => (isForbidden(err) ? 'forbidden' : String(err)),
          );
        expect(answer, `${releaseName(a)} reading ${exportName(other)}`).to.equal(
          other === a ? 'allowed' : 'forbidden',
        );
      }
    }
  });
});

/** Asks the service cluster's authorizer whether a user may update an API's claims anywhere. */
async function canUpdate(p: PlatformSuite, user: string, a: PlatformApi): Promise<boolean> {
  const review = await p.local.create('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${AGENT_NAMESPACE}`],
      resourceAttributes: { group: a.group, resource: a.plural, verb: 'update' },
    },
  });
  return (review['status'] as { allowed?: boolean } | undefined)?.allowed === true;
}
