// The Helm chart as a platform team meets it: it lints, renders what each
// values case promises, installs into a real cluster, and the Deployment's
// arguments run the real binary, with the chart's RBAC, into a working sync.
import { expect } from 'chai';
import { join } from 'node:path';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { startAgentWithArgs, waitAgentReady } from '../utils/agent.ts';
import { CHART_DIR, deploymentArgs, findObject, helm, localArgs, renderChart, valuesFile } from '../utils/chart.ts';
import {
  applyObject,
  bindExport,
  conditionTrue,
  createWorkspace,
  grantAgentAccess,
  uniqueName,
} from '../utils/kcp-fixtures.ts';
import { writeKubeconfig } from '../utils/kubeconfig.ts';
import { agentValues, PLATFORM_APIS, releaseName } from '../utils/platform.ts';
import { freePort } from '../utils/ports.ts';
import { installCrd, readCrd, serviceAccountToken } from '../utils/service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import { waitFor } from '../utils/wait.ts';

const REQUIRED = { apiExportEndpointSliceName: 'crontabs.example.com', kcpKubeconfig: 'kcp-kubeconfig' };

interface PodSpec {
  containers: {
    securityContext?: Record<string, unknown>;
    readinessProbe?: unknown;
    livenessProbe?: unknown;
    env?: { name: string; valueFrom?: unknown }[];
    volumeMounts?: { mountPath: string }[];
  }[];
  securityContext?: Record<string, unknown>;
  volumes?: { secret?: { secretName: string } }[];
}
const podSpec = (objs: KubeObject[]): PodSpec =>
  (findObject(objs, 'Deployment')?.['spec'] as { template: { spec: PodSpec } }).template.spec;

describe('the Helm chart', function () {
  let dir: string;

  before(function () {
    dir = suite().artifacts.scratchDir('chart');
  });

  it('passes helm lint', async function () {
    await helm(['lint', CHART_DIR, '-f', valuesFile(dir, REQUIRED)]);
  });

  it('renders two leader-electing, probed, non-root replicas with the kcp kubeconfig mounted', async function () {
    const objs = await renderChart(dir, REQUIRED);
    const dep = findObject(objs, 'Deployment')!;
    expect((dep['spec'] as { replicas: number }).replicas).to.equal(2);
    const args = deploymentArgs(objs);
    expect(args).to.include.members([
      '--enable-leader-election=true',
      '--apiexportendpointslice-ref=crontabs.example.com',
      '--kcp-kubeconfig=/etc/api-syncagent/kcp/kubeconfig',
    ]);
    const pod = podSpec(objs);
    expect(pod.securityContext).to.include({ runAsNonRoot: true });
    expect(pod.containers[0]!.securityContext).to.include({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(pod.containers[0]!.readinessProbe).to.deep.include({ httpGet: { path: '/readyz', port: 'health' } });
    expect(pod.containers[0]!.livenessProbe).to.deep.include({ httpGet: { path: '/healthz', port: 'health' } });
    // The entrypoint caps Node's heap at 75% of the container's memory limit, which it learns from here.
    expect(pod.containers[0]!.env?.find((e) => e.name === 'SYNCAGENT_MEMORY_LIMIT_MIB')?.valueFrom).to.deep.equal({
      resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' },
    });
    expect(pod.volumes?.map((v) => v.secret?.secretName)).to.include('kcp-kubeconfig');
    expect(findObject(objs, 'CustomResourceDefinition')?.metadata.name).to.equal('publishedresources.syncagent.kcp.io');
    expect(findObject(objs, 'Service', '-metrics')).to.not.equal(undefined);
  });

  const cases: { name: string; values: Record<string, unknown>; check: (objs: KubeObject[]) => void }[] = [
    {
      name: 'leaves the CRD out when crds.enabled is false',
      values: { crds: { enabled: false } },
      check: (objs) => {
        expect(findObject(objs, 'CustomResourceDefinition')).to.equal(undefined);
      },
    },
    {
      name: 'turns metrics off completely when metrics.enabled is false',
      values: { metrics: { enabled: false } },
      check: (objs) => {
        expect(deploymentArgs(objs)).to.include('--metrics-address=0');
        expect(findObject(objs, 'Service', '-metrics')).to.equal(undefined);
      },
    },
    {
      name: 'leaves the Grafana dashboard out by default',
      values: {},
      check: (objs) => {
        expect(findObject(objs, 'ConfigMap', '-dashboard')).to.equal(undefined);
      },
    },
    {
      name: "puts the Grafana dashboard in a ConfigMap with the sidecar's label when metrics.grafanaDashboard.enabled",
      values: {
        metrics: {
          grafanaDashboard: { enabled: true, namespace: 'monitoring', annotations: { grafana_folder: 'kcp' } },
        },
      },
      check: (objs) => {
        const cm = findObject(objs, 'ConfigMap', '-dashboard');
        expect(cm?.metadata).to.deep.include({ namespace: 'monitoring', annotations: { grafana_folder: 'kcp' } });
        expect(cm?.metadata.labels).to.include({ grafana_dashboard: '1' });
        const dashboard = JSON.parse((cm?.['data'] as Record<string, string>)['api-syncagent.json'] ?? '{}') as {
          uid?: string;
          panels?: unknown[];
        };
        expect(dashboard.uid).to.equal('kcp-api-syncagent');
        expect(dashboard.panels).to.have.length.greaterThan(10);
      },
    },
    {
      name: 'mounts a remote service-cluster kubeconfig when one is given',
      values: { kubeconfig: 'remote-cluster' },
      check: (objs) => {
        expect(deploymentArgs(objs)).to.include('--kubeconfig=/etc/api-syncagent/cluster/kubeconfig');
        expect(podSpec(objs).volumes?.map((v) => v.secret?.secretName)).to.include('remote-cluster');
      },
    },
    {
      name: 'grants RBAC on the published types',
      values: { publishedTypes: [{ apiGroup: 'example.com', resources: ['crontabs'] }] },
      check: (objs) => {
        const rules = (findObject(objs, 'ClusterRole')?.['rules'] ?? []) as {
          apiGroups: string[];
          resources: string[];
          verbs: string[];
        }[];
        expect(rules.find((r) => r.apiGroups.includes('example.com'))).to.deep.include({ resources: ['crontabs'] });
      },
    },
    {
      name: 'passes upstream-style settings through as flags',
      values: {
        agentName: 'my-agent',
        publishedResourceSelector: 'team=a',
        disabledControllers: ['sync'],
        extraFlags: ['--log-debug'],
        enableLeaderElection: false,
      },
      check: (objs) => {
        expect(deploymentArgs(objs)).to.include.members([
          '--agent-name=my-agent',
          '--published-resource-selector=team=a',
          '--disabled-controllers=sync',
          '--log-debug',
          '--enable-leader-election=false',
        ]);
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async function () {
      c.check(await renderChart(dir, { ...REQUIRED, ...c.values }));
    });
  }

  it('renders one release per export side by side: no shared names, one CRD, own lease and RBAC each', async function () {
    const releases = await Promise.all(
      PLATFORM_APIS.map(async (api) => ({ api, objs: await renderChart(dir, agentValues(api), releaseName(api)) })),
    );
    const keys = releases.flatMap(({ objs }) =>
      objs.map((o) => `${o.kind ?? ''}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`),
    );
    expect(
      keys.filter((k, i) => keys.indexOf(k) !== i),
      'names rendered by more than one release',
    ).to.deep.equal([]);
    expect(keys.filter((k) => k.startsWith('CustomResourceDefinition/'))).to.have.length(1);
    for (const { api, objs } of releases) {
      expect(deploymentArgs(objs)).to.include.members([
        `--agent-name=${releaseName(api)}`,
        `--apiexportendpointslice-ref=${api.group}`,
        `--published-resource-selector=platform.cloud.example/export=${api.service}`,
      ]);
      const rules = (findObject(objs, 'ClusterRole')?.['rules'] ?? []) as { apiGroups: string[] }[];
      const groups = rules.flatMap((r) => r.apiGroups).filter((g) => g.endsWith('.cloud.example'));
      expect(groups).to.deep.equal([api.group]);
    }
  });

  it('refuses to render without an endpoint slice name, saying which value is missing', async function () {
    const err = await renderChart(dir, { kcpKubeconfig: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).to.include('apiExportEndpointSliceName');
  });

  describe('installed into a real service cluster', function () {
    let service: ServiceCluster;
    let local: RestClient;
    /** `helm install` of the chart, run once by whichever test needs it first. */
    let install: Promise<void> | undefined;
    const installed = (): Promise<void> =>
      (install ??= (async () => {
        const values = valuesFile(dir, {
          ...REQUIRED,
          publishedTypes: [{ apiGroup: 'example.com', resources: ['crontabs'] }],
          metrics: { grafanaDashboard: { enabled: true } },
        });
        await helm([
          'install',
          'syncagent',
          CHART_DIR,
          '--namespace',
          'syncagent',
          '--create-namespace',
          '-f',
          values,
          '--kubeconfig',
          service.adminKubeconfig,
        ]);
      })());

    before(async function () {
      service = await startServiceCluster(suite().artifacts, uniqueName('svc-chart'));
      local = await service.client();
    });

    after(async function () {
      await service.stop();
    });

    it('creates the CRD, RBAC, ServiceAccount, Deployment, metrics Service and dashboard ConfigMap', async function () {
      await installed();
      await local.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/publishedresources.syncagent.kcp.io');
      await local.get('/apis/apps/v1/namespaces/syncagent/deployments/syncagent-api-syncagent');
      await local.get('/api/v1/namespaces/syncagent/serviceaccounts/syncagent-api-syncagent');
      await local.get('/api/v1/namespaces/syncagent/services/syncagent-api-syncagent-metrics');
      await local.get('/api/v1/namespaces/syncagent/configmaps/syncagent-api-syncagent-dashboard');
      await local.get(
        '/apis/rbac.authorization.k8s.io/v1/namespaces/syncagent/roles/syncagent-api-syncagent:leaderelection',
      );
      await local.get('/apis/rbac.authorization.k8s.io/v1/clusterroles/syncagent-api-syncagent:syncagent');
    });

    it("runs the binary with exactly the Deployment's arguments and the chart's RBAC, and syncs", async function () {
      await installed();
      const { kcp, artifacts } = suite();
      const exportName = REQUIRED.apiExportEndpointSliceName;
      const org = await createWorkspace(kcp, 'root', uniqueName('chart'));
      const provider = await createWorkspace(kcp, org.path, 'provider');
      const consumer = await createWorkspace(kcp, org.path, 'consumer');
      await grantAgentAccess(kcp, provider.path, exportName);
      await installCrd(local, readCrd(join(REPO_ROOT, 'test/fixtures/crds/crontab.yaml')));

      const scratch = artifacts.scratchDir('chart-agent');
      const token = await serviceAccountToken(local, 'syncagent', 'syncagent-api-syncagent');
      const args = localArgs(deploymentArgs(await renderChart(dir, REQUIRED)), {
        namespace: 'syncagent',
        kcpKubeconfig: writeKubeconfig(join(scratch, 'kcp.kubeconfig'), kcp.identity('agent', provider.path)),
        kubeconfig: writeKubeconfig(join(scratch, 'sa.kubeconfig'), { ...service.admin, token, user: 'syncagent-sa' }),
        healthPort: await freePort(),
        metricsPort: await freePort(),
      });
      const agent = startAgentWithArgs(artifacts, 'chart', args);
      try {
        await waitAgentReady(agent);
        await applyObject(local, {
          apiVersion: 'syncagent.kcp.io/v1alpha1',
          kind: 'PublishedResource',
          metadata: { name: 'crontabs' },
          spec: { resource: { apiGroup: 'example.com', kind: 'CronTab' } },
        });
        await waitFor('the export', () =>
          kcp.client('admin', provider.path).then((c) => c.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${exportName}`)),
        );
        await bindExport(kcp, consumer.path, { path: provider.path, name: exportName });
        const tenant = await kcp.client('admin', consumer.path);
        await waitFor('the API in the consumer workspace', () =>
          tenant.list('/apis/example.com/v1/namespaces/default/crontabs'),
        );
        await tenant.create('/apis/example.com/v1/namespaces/default/crontabs', {
          apiVersion: 'example.com/v1',
          kind: 'CronTab',
          metadata: { name: 'via-chart' },
          spec: { cronSpec: '* * * * *' },
        });
        const copy = await waitFor(
          'the copy',
          async () =>
            (
              await local
                .list(`/apis/example.com/v1/namespaces/${consumer.cluster}/crontabs`)
                .catch(() => ({ items: [] }))
            ).items[0],
        );
        await local.replace(
          `/apis/example.com/v1/namespaces/${consumer.cluster}/crontabs/${copy.metadata.name ?? ''}/status`,
          { ...copy, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
        );
        await waitFor('Ready in kcp', async () =>
          conditionTrue(await tenant.get('/apis/example.com/v1/namespaces/default/crontabs/via-chart'), 'Ready')
            ? true
            : undefined,
        );
      } finally {
        await agent.process.stop();
      }
    });
  });
});
