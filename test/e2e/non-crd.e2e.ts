// Publishing types that no CRD describes: discovery and the OpenAPI v3
// document of a real kube-apiserver become a CRD spec, and kcp (which
// validates APIResourceSchemas like CRDs) accepts the schema built from it.
import { expect } from 'chai';
import type { CrdSpec } from '../../src/apis/apiextensions.ts';
import { definitionFromDiscovery } from '../../src/controllers/shared/source.ts';
import { discoverResource, fetchOpenAPI } from '../../src/kube/discovery.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { crdToAPIResourceSchema } from '../../src/translate/crd-to-schema.ts';
import { crdSpecFromOpenAPI, isProtectedGroup } from '../../src/translate/openapi-schema.ts';
import { projectCrd } from '../../src/translate/projection.ts';
import {
  type Workspace,
  bindExport,
  createExport,
  createWorkspace,
  endpointUrls,
  uniqueName,
} from '../utils/kcp-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';

const ARS_PATH = '/apis/apis.kcp.io/v1alpha1/apiresourceschemas';

describe('built-in types published through their OpenAPI schema', function () {
  let service: ServiceCluster;
  let local: RestClient;
  let ws: Workspace;
  let provider: RestClient;

  const specFor = async (group: string, kind: string): Promise<CrdSpec> => {
    const found = await discoverResource(local, group, kind);
    return crdSpecFromOpenAPI({ ...found, openapi: await fetchOpenAPI(local, group, found.version) });
  };

  before(async function () {
    service = await startServiceCluster(suite().artifacts, uniqueName('svc-openapi'));
    local = await service.client();
    ws = await createWorkspace(suite().kcp, 'root', uniqueName('openapi'));
    provider = await suite().kcp.client('admin', ws.path);
  });

  after(async function () {
    await service.stop();
  });

  it('discovers ConfigMap and Service with their names, scope and subresources', async function () {
    const cm = await discoverResource(local, '', 'ConfigMap');
    expect(cm).to.include({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      singular: 'configmap',
      namespaced: true,
      preferredVersion: 'v1',
    });
    expect(cm.shortNames).to.deep.equal(['cm']);
    expect(cm.subresources).to.deep.equal({ status: false, scale: false });
    const svc = await discoverResource(local, '', 'Service', 'v1');
    expect(svc).to.include({ plural: 'services', namespaced: true });
    expect(svc.shortNames).to.deep.equal(['svc']);
    expect(svc.categories).to.deep.equal(['all']);
    expect(svc.subresources).to.deep.equal({ status: true, scale: false });
  });

  it('discovers a kind in a named group, scale subresource included', async function () {
    const deploy = await discoverResource(local, 'apps', 'Deployment');
    expect(deploy).to.include({ group: 'apps', version: 'v1', plural: 'deployments', preferredVersion: 'v1' });
    expect(deploy.subresources).to.deep.equal({ status: true, scale: true });
  });

  it('fails with a wrapped error for a kind, version or group that is not served', async function () {
    for (const [group, kind, version] of [
      ['', 'NoSuchKind', undefined],
      ['', 'ConfigMap', 'v9'],
      ['no.such.group', 'Thing', undefined],
    ] as const) {
      const err = await discoverResource(local, group, kind, version).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, `${group}/${kind}`).to.be.instanceOf(Error);
      expect((err as Error).message).to.match(/^failed to discover /);
    }
  });

  it('has kcp accept the core group "" as it is: the schema is named v<hash>.configmaps.core and can be bound', async function () {
    const ars = crdToAPIResourceSchema(await specFor('', 'ConfigMap'));
    expect(ars.metadata.name).to.match(/^v[0-9a-f]{8}\.configmaps\.core$/);
    await createExport(provider, 'core-configmaps', [ars]);
    const consumer = await createWorkspace(suite().kcp, ws.path, 'core-consumer');
    await bindExport(suite().kcp, consumer.path, { path: ws.path, name: 'core-configmaps' });
    const client = await suite().kcp.client('admin', consumer.path);
    await client.create('/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'seen' },
      data: { a: 'b' },
    });
    const [url] = await waitFor('the endpoint of core-configmaps', async () => {
      const urls = await endpointUrls(provider, 'core-configmaps');
      return urls.length > 0 ? urls : undefined;
    });
    const listed = await provider.forServer(url!).list('/clusters/*/api/v1/configmaps');
    expect(listed.items.map((o) => o.metadata.name)).to.include('seen');
  });

  it('has kcp refuse a protected group without the api-approved annotation, and accept it with one', async function () {
    const ars = crdToAPIResourceSchema(await specFor('networking.k8s.io', 'Ingress'));
    expect(isProtectedGroup(ars.spec.group)).to.equal(true);
    const err = await provider.create(ARS_PATH, ars).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).to.match(/api-approved\.kubernetes\.io/);
    ars.metadata.annotations = { 'api-approved.kubernetes.io': 'unapproved, published from a service cluster' };
    await provider.create(ARS_PATH, ars);
  });

  it('publishes every version a built-in type is served in, the preferred one as storage', async function () {
    const hpa = await definitionFromDiscovery(local, 'autoscaling', 'HorizontalPodAutoscaler');
    expect(hpa?.spec.versions.map((v) => [v.name, v.storage])).to.deep.equal([
      ['v2', true],
      ['v1', false],
    ]);
    const ars = crdToAPIResourceSchema(projectCrd(hpa!.spec, { group: 'autoscaling.example.com' }));
    expect(ars.spec.versions.map((v) => v.name)).to.deep.equal(['v2', 'v1']);
    const created = await provider.create(ARS_PATH, ars);
    expect(created.metadata.name).to.equal(ars.metadata.name);
  });

  it('converts every built-in kind the service cluster serves into a schema kcp accepts', async function () {
    const failures: string[] = [];
    let accepted = 0;
    for (const [group, version] of await servedGroupVersions(local)) {
      const openapi = await fetchOpenAPI(local, group, version);
      for (const kind of await creatableKinds(local, group, version)) {
        const found = await discoverResource(local, group, kind, version);
        const projected = projectCrd(crdSpecFromOpenAPI({ ...found, openapi }), {
          group: `${group === '' ? 'core' : group.replaceAll('.', '-')}.all.example.com`,
        });
        await provider.create(ARS_PATH, crdToAPIResourceSchema(projected)).then(
          () => {
            accepted++;
          },
          (e: unknown) => {
            failures.push(`${group}/${version} ${kind}: ${String(e)}`);
          },
        );
      }
    }
    expect(failures).to.deep.equal([]);
    expect(accepted).to.be.greaterThan(40);
  });

  describe('with the group projected to core.example.com / apps.example.com', function () {
    let consumer: RestClient;

    before(async function () {
      const schemas = [
        projectCrd(await specFor('', 'ConfigMap'), { group: 'core.example.com' }),
        projectCrd(await specFor('', 'Service'), { group: 'core.example.com' }),
        projectCrd(await specFor('apps', 'Deployment'), { group: 'apps.example.com' }),
      ].map(crdToAPIResourceSchema);
      await createExport(provider, 'projected', schemas);
      const consumerWs = await createWorkspace(suite().kcp, ws.path, 'projected-consumer');
      await bindExport(suite().kcp, consumerWs.path, { path: ws.path, name: 'projected' });
      consumer = await suite().kcp.client('admin', consumerWs.path);
    });

    it('keeps ConfigMap data', async function () {
      const cm = await consumer.create('/apis/core.example.com/v1/namespaces/default/configmaps', {
        apiVersion: 'core.example.com/v1',
        kind: 'ConfigMap',
        metadata: { name: 'cm', labels: { x: 'y' } },
        data: { key: 'value' },
        binaryData: { b: 'aGk=' },
      });
      expect(cm['data']).to.deep.equal({ key: 'value' });
      expect(cm['binaryData']).to.deep.equal({ b: 'aGk=' });
      expect(cm.metadata.labels).to.deep.equal({ x: 'y' });
    });

    it('accepts int-or-string ports, defaults the protocol and serves the status subresource of a Service', async function () {
      const path = '/apis/core.example.com/v1/namespaces/default/services';
      const svc = await consumer.create(path, {
        apiVersion: 'core.example.com/v1',
        kind: 'Service',
        metadata: { name: 'svc' },
        spec: {
          ports: [
            { name: 'http', port: 80, targetPort: 'http' },
            { name: 'alt', port: 81, targetPort: 8081 },
          ],
        },
      });
      const ports = (svc['spec'] as { ports: Record<string, unknown>[] }).ports;
      expect(ports.map((p) => [p['targetPort'], p['protocol']])).to.deep.equal([
        ['http', 'TCP'],
        [8081, 'TCP'],
      ]);
      const status = { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } };
      const updated = await consumer.replace(`${path}/svc/status`, { ...svc, status });
      expect(updated['status']).to.deep.equal(status);
    });

    it('keeps pod template metadata and Quantity values of a Deployment', async function () {
      const template = {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: '100m', memory: 1048576 } } }],
        },
      };
      const deploy = await consumer.create('/apis/apps.example.com/v1/namespaces/default/deployments', {
        apiVersion: 'apps.example.com/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
      });
      expect((deploy['spec'] as { template: unknown }).template).to.deep.equal(template);
    });
  });
});

async function servedGroupVersions(client: RestClient): Promise<[string, string][]> {
  const apis = (await client.send('GET', '/apis')) as { groups: { name: string; versions: { version: string }[] }[] };
  return [['', 'v1'], ...apis.groups.flatMap((g) => g.versions.map((v): [string, string] => [g.name, v.version]))];
}

async function creatableKinds(client: RestClient, group: string, version: string): Promise<string[]> {
  const list = (await client.send('GET', group === '' ? `/api/${version}` : `/apis/${group}/${version}`)) as {
    resources: { name: string; kind: string; verbs: string[] }[];
  };
  return list.resources
    .filter((r) => !r.name.includes('/') && r.verbs.includes('create') && r.verbs.includes('list'))
    .map((r) => r.kind);
}
