// `make demo`: the getting-started flow on one machine. A local kcp and a
// local service cluster (real servers), the chart installed for real (CRD,
// RBAC, ServiceAccount), the agent as a local process with the chart's own
// arguments (no kubelet runs pods here), two consumer workspaces, one object,
// a tiny operator that writes a credentials Secret for each copy and marks it
// Ready, and what the consumer then sees: its object and the Secret.
// It stays up until Ctrl-C (or exits at once with DEMO_EXIT=1) and cleans up.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../src/kube/object.ts';
import type { RestClient } from '../src/kube/rest-client.ts';
import { startAgentWithArgs, waitAgentReady } from '../test/utils/agent.ts';
import type { Artifacts } from '../test/utils/artifacts.ts';
import { CHART_DIR, deploymentArgs, helm, localArgs, renderChart, valuesFile } from '../test/utils/chart.ts';
import {
  applyObject,
  bindExport,
  conditionTrue,
  createWorkspace,
  grantAgentAccess,
  type Workspace,
} from '../test/utils/kcp-fixtures.ts';
import { writeKubeconfig } from '../test/utils/kubeconfig.ts';
import { freePort } from '../test/utils/ports.ts';
import { installCrd, readCrd, serviceAccountToken } from '../test/utils/service-fixtures.ts';
import type { ServiceCluster } from '../test/utils/service-cluster.ts';
import { REPO_ROOT } from '../test/utils/tools.ts';
import { waitFor } from '../test/utils/wait.ts';
import { DEMO_DIR, runDemo, startDemoServers, stayUp, step } from './demo-kit.ts';

const EXPORT = 'crontabs.example.com';
const example = (name: string): KubeObject =>
  parse(readFileSync(join(REPO_ROOT, 'examples', name), 'utf8')) as KubeObject;

async function main(): Promise<void> {
  const { started, artifacts, kcp, service, local } = await startDemoServers();

  step('Installing the Helm chart on the service cluster (CRD, RBAC, ServiceAccount, Deployment)…');
  const values = {
    apiExportEndpointSliceName: EXPORT,
    kcpKubeconfig: 'kcp-kubeconfig',
    publishedTypes: [{ apiGroup: 'example.com', resources: ['crontabs'] }],
  };
  await helm([
    'install',
    'syncagent',
    CHART_DIR,
    '--namespace',
    'syncagent',
    '--create-namespace',
    '-f',
    valuesFile(DEMO_DIR, values),
    '--kubeconfig',
    service.adminKubeconfig,
  ]);
  await installCrd(local, readCrd(join(REPO_ROOT, 'examples/crontab-crd.yaml')));

  step("Creating the provider workspace root:demo:provider and the agent's kcp RBAC (deploy/kcp/agent-rbac.yaml)…");
  const org = await createWorkspace(kcp, 'root', 'demo');
  const provider = await createWorkspace(kcp, org.path, 'provider');
  await grantAgentAccess(kcp, provider.path, EXPORT);

  step("Starting the agent with the chart's arguments, as the chart's ServiceAccount…");
  await startAgentFromChart({ artifacts, values, local, service, agentKcp: kcp.identity('agent', provider.path) });

  step('Publishing CronTabs (examples/publishedresource.yaml)…');
  await applyObject(local, example('publishedresource.yaml'));
  const providerAdmin = await kcp.client('admin', provider.path);
  await waitFor(
    'the APIExport the agent creates',
    () => providerAdmin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`),
    { timeoutMs: 60_000 },
  );

  step('Creating consumer workspaces root:demo:team-a and root:demo:team-b and binding the export…');
  const teams: Workspace[] = [
    await createWorkspace(kcp, org.path, 'team-a'),
    await createWorkspace(kcp, org.path, 'team-b'),
  ];
  // The consumers accept the claims the export asks for: events, and Secrets
  // for the credentials the operator writes (spec.related).
  const claims = [
    { group: '', resource: 'events', verbs: ['*'] },
    { group: '', resource: 'secrets', verbs: ['*'] },
  ];
  await waitFor(
    'the Secrets claim on the export',
    async () => {
      const exp = await providerAdmin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`);
      return ((exp['spec'] as { permissionClaims?: { resource: string }[] }).permissionClaims ?? []).some(
        (c) => c.resource === 'secrets',
      )
        ? true
        : undefined;
    },
    { timeoutMs: 60_000 },
  );
  for (const team of teams) await bindExport(kcp, team.path, { path: provider.path, name: EXPORT }, claims);

  const operator = runExampleOperator(local);
  step('team-a creates a CronTab (examples/crontab.yaml); the example operator marks its copy Ready…');
  const teamA = await kcp.client('admin', teams[0]!.path);
  await waitFor('the CronTab API in team-a', () => teamA.list('/apis/example.com/v1/namespaces/default/crontabs'), {
    timeoutMs: 60_000,
  });
  await applyObject(teamA, example('crontab.yaml'));
  const seen = await waitFor(
    'Ready in team-a',
    async () => {
      const obj = await teamA.get('/apis/example.com/v1/namespaces/default/crontabs/nightly-backup');
      return conditionTrue(obj, 'Ready') ? obj : undefined;
    },
    { timeoutMs: 60_000 },
  );

  step(`What team-a sees (after ${((Date.now() - started) / 1000).toFixed(1)} s):`);
  console.log(
    JSON.stringify(
      {
        metadata: { name: seen.metadata.name, finalizers: seen.metadata.finalizers },
        spec: seen['spec'],
        status: seen['status'],
      },
      null,
      2,
    ),
  );

  await showCredentials(teamA);
  const serviceKubeconfig = writeKubeconfig(join(DEMO_DIR, 'service.kubeconfig'), service.admin);
  printHowToExplore(kcp.identity.bind(kcp), serviceKubeconfig, teams, provider);

  await stayUp(artifacts, () => {
    operator.abort();
  });
}

interface AgentInputs {
  artifacts: Artifacts;
  values: Record<string, unknown>;
  local: RestClient;
  service: ServiceCluster;
  agentKcp: Parameters<typeof writeKubeconfig>[1];
}

/** The Deployment's arguments, run as a local process with the chart's ServiceAccount token. */
async function startAgentFromChart(inputs: AgentInputs): Promise<void> {
  const token = await serviceAccountToken(inputs.local, 'syncagent', 'syncagent-api-syncagent');
  const args = localArgs(deploymentArgs(await renderChart(DEMO_DIR, inputs.values)), {
    namespace: 'syncagent',
    kcpKubeconfig: writeKubeconfig(join(DEMO_DIR, 'agent-kcp.kubeconfig'), inputs.agentKcp),
    kubeconfig: writeKubeconfig(join(DEMO_DIR, 'agent-service.kubeconfig'), {
      ...inputs.service.admin,
      token,
      user: 'syncagent',
    }),
    healthPort: await freePort(),
    metricsPort: await freePort(),
  });
  await waitAgentReady(startAgentWithArgs(inputs.artifacts, 'syncagent', args));
}

/**
 * The "operator" of the demo: writes a credentials Secret for every CronTab
 * copy (`<copy>-credentials`, next to it, owned by it) and marks the copy Ready.
 */
function runExampleOperator(local: RestClient): AbortController {
  const abort = new AbortController();
  const loop = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      const list = await local.list('/apis/example.com/v1/crontabs').catch(() => ({ items: [] as KubeObject[] }));
      for (const ct of list.items.filter((o) => !conditionTrue(o, 'Ready'))) {
        const ns = ct.metadata.namespace ?? '';
        await local
          .create(`/api/v1/namespaces/${ns}/secrets`, {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'Opaque',
            metadata: {
              name: `${ct.metadata.name ?? ''}-credentials`,
              namespace: ns,
              ownerReferences: [
                {
                  apiVersion: 'example.com/v1',
                  kind: 'CronTab',
                  name: ct.metadata.name ?? '',
                  uid: ct.metadata.uid ?? '',
                },
              ],
            },
            stringData: { username: 'backup', password: randomBytes(12).toString('base64url') },
          })
          .catch(() => undefined);
        const path = `/apis/example.com/v1/namespaces/${ns}/crontabs/${ct.metadata.name ?? ''}/status`;
        await local
          .replace(path, {
            ...ct,
            status: {
              conditions: [
                { type: 'Ready', status: 'True', reason: 'Scheduled', message: 'the backup job is scheduled' },
              ],
            },
          })
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  void loop();
  return abort;
}

/** The credentials Secret the example operator wrote for team-a's copy, as team-a sees it. */
async function showCredentials(teamA: RestClient): Promise<void> {
  step(
    'The example operator wrote a credentials Secret next to the copy; the agent brings it to team-a (spec.related)…',
  );
  const credentials = await waitFor(
    'nightly-backup-credentials in team-a',
    () => teamA.get('/api/v1/namespaces/default/secrets/nightly-backup-credentials').catch(() => undefined),
    { timeoutMs: 60_000 },
  );
  const primary = await teamA.get('/apis/example.com/v1/namespaces/default/crontabs/nightly-backup');
  console.log(
    JSON.stringify(
      {
        secret: { name: credentials.metadata.name, data: decoded(credentials['data']) },
        recordedOnTheCronTab: Object.fromEntries(
          Object.entries(primary.metadata.annotations ?? {}).filter(([k]) => k.startsWith('related-resources.')),
        ),
      },
      null,
      2,
    ),
  );
}

/** A Secret's data as text. */
function decoded(data: unknown): Record<string, string> {
  if (typeof data !== 'object' || data === null) return {};
  return Object.fromEntries(
    Object.entries(data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

function printHowToExplore(
  identity: (role: 'admin', path: string) => Parameters<typeof writeKubeconfig>[1],
  serviceKubeconfig: string,
  teams: Workspace[],
  provider: Workspace,
): void {
  const files = teams.map((t) => writeKubeconfig(join(DEMO_DIR, `${t.name}.kubeconfig`), identity('admin', t.path)));
  const providerFile = writeKubeconfig(join(DEMO_DIR, 'provider.kubeconfig'), identity('admin', provider.path));
  console.log(`
Kubeconfigs:
  team-a (consumer):   ${files[0] ?? ''}
  team-b (consumer):   ${files[1] ?? ''}
  provider workspace:  ${providerFile}
  service cluster:     ${serviceKubeconfig}
Try:
  kubectl --kubeconfig ${files[0] ?? ''} get crontabs -o yaml
  kubectl --kubeconfig ${files[0] ?? ''} get secret nightly-backup-credentials -o yaml
  kubectl --kubeconfig ${files[0] ?? ''} get events
  kubectl --kubeconfig ${providerFile} get apiexports,apiresourceschemas
  kubectl --kubeconfig ${serviceKubeconfig} get publishedresources
  kubectl --kubeconfig ${serviceKubeconfig} get crontabs -A --show-labels
Logs: ${join(DEMO_DIR, 'logs')}`);
}

runDemo(main);
