import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { PermissionClaim } from '../../src/apis/kcp.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type RunningAgent, startAgentWithArgs, waitAgentReady } from './agent.ts';
import type { Artifacts } from './artifacts.ts';
import { CHART_DIR, deploymentArgs, helm, localArgs, renderChart } from './chart.ts';
import { agentRbacYaml, applyObject, applyYaml, bindExport, createWorkspace, type Workspace } from './kcp-fixtures.ts';
import type { KcpServer } from './kcp-server.ts';
import { type Identity, writeKubeconfig } from './kubeconfig.ts';
import { freePort } from './ports.ts';
import type { ServiceCluster } from './service-cluster.ts';
import { installCrd, readCrd, serviceAccountToken } from './service-fixtures.ts';
import { REPO_ROOT } from './tools.ts';
import { waitFor } from './wait.ts';

/**
 * The platform of examples/platform: three service APIs, each a Crossplane
 * claim type published by its own agent (one Helm release per export) from
 * one service cluster into the platform services workspace.
 */
export const EXAMPLES = join(REPO_ROOT, 'examples/platform');
export const PROVIDER_PATH = 'root:platform-services';
export const AGENT_NAMESPACE = 'platform-agents';

export interface PlatformApi {
  /** The export, and the agent's release and name prefix. */
  readonly service: 'compute' | 'kubernetes' | 'iam';
  readonly group: string;
  readonly kind: string;
  /** The claim's plural resource name. */
  readonly plural: string;
  /** The composite's plural resource name. */
  readonly xrPlural: string;
}

export const PLATFORM_APIS: readonly PlatformApi[] = [
  {
    service: 'compute',
    group: 'compute.cloud.example',
    kind: 'VirtualMachine',
    plural: 'virtualmachines',
    xrPlural: 'xvirtualmachines',
  },
  {
    service: 'kubernetes',
    group: 'kubernetes.cloud.example',
    kind: 'KubernetesCluster',
    plural: 'kubernetesclusters',
    xrPlural: 'xkubernetesclusters',
  },
  { service: 'iam', group: 'iam.cloud.example', kind: 'Identity', plural: 'identities', xrPlural: 'xidentities' },
];

/** The API of a service (examples/platform always has all three). */
export function platformApi(service: PlatformApi['service']): PlatformApi {
  const api = PLATFORM_APIS.find((a) => a.service === service);
  if (api === undefined) throw new Error(`examples/platform lost its ${service} API`);
  return api;
}

export const VERSION = 'v1alpha1';
/** The APIExport (and endpoint slice) of an API: its group. */
export const exportName = (api: PlatformApi): string => api.group;
export const releaseName = (api: PlatformApi): string => `${api.service}-agent`;
/** Collection path of an API's claims in a namespace. */
export const claimsPath = (api: PlatformApi, namespace: string): string =>
  `/apis/${api.group}/${VERSION}/namespaces/${namespace}/${api.plural}`;
/** Collection path of an API's composites (cluster-scoped). */
export const compositesPath = (api: PlatformApi): string => `/apis/${api.group}/${VERSION}/${api.xrPlural}`;

/** Reports a step of the setup (the demo prints them; tests stay quiet). */
export type StepReporter = (message: string) => void;
const quiet: StepReporter = () => undefined;

/**
 * Installs the service side of the example provider: the cloud stand-in
 * CRD, then the XRDs and Compositions (Crossplane must be running), and
 * waits until every claim type is served.
 */
export async function installProvider(local: RestClient): Promise<void> {
  await installCrd(local, readCrd(join(EXAMPLES, 'cloudresource-crd.yaml')));
  for (const api of PLATFORM_APIS) await applyYaml(local, readFileSync(join(EXAMPLES, `${api.service}.yaml`), 'utf8'));
  for (const api of PLATFORM_APIS) {
    await waitFor(
      `XRD ${api.xrPlural}.${api.group} to be Established and Offered`,
      async () => {
        const xrd = await local.get(
          `/apis/apiextensions.crossplane.io/v1/compositeresourcedefinitions/${api.xrPlural}.${api.group}`,
        );
        const conditions =
          (xrd['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
        const ok = (type: string): boolean => conditions.some((c) => c.type === type && c.status === 'True');
        return ok('Established') && ok('Offered') ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await waitFor(
      `${api.plural}.${api.group} to be served`,
      () => local.list(`/apis/${api.group}/${VERSION}/${api.plural}`),
      { timeoutMs: 30_000 },
    );
  }
}

/** The Helm values of an API's agent (examples/platform/agents/<service>.yaml). */
export function agentValues(api: PlatformApi): Record<string, unknown> {
  return parse(readFileSync(join(EXAMPLES, 'agents', `${api.service}.yaml`), 'utf8')) as Record<string, unknown>;
}

export interface AgentsInputs {
  readonly kcp: KcpServer;
  readonly artifacts: Artifacts;
  readonly service: ServiceCluster;
  readonly local: RestClient;
  /** Where rendered values and kubeconfigs go. */
  readonly scratch: string;
  readonly report?: StepReporter;
}

export interface PlatformAgent {
  readonly agent: RunningAgent;
  /** The agent's own kcp identity: a ServiceAccount of the platform services workspace. */
  readonly kcpIdentity: Identity;
}

/**
 * One Helm release per export on the one service cluster, then each agent as
 * a local process with its Deployment's arguments and its own
 * ServiceAccount's token (so its RBAC is exactly the chart's). In kcp each
 * agent is its own ServiceAccount too, with the RBAC of
 * deploy/kcp/agent-rbac.yaml for its export only.
 */
export async function installAgents(
  inputs: AgentsInputs,
  provider: Workspace,
): Promise<Map<PlatformApi['service'], PlatformAgent>> {
  const report = inputs.report ?? quiet;
  for (const api of PLATFORM_APIS) {
    report(`helm install ${releaseName(api)} (values: examples/platform/agents/${api.service}.yaml)`);
    await helm([
      'install',
      releaseName(api),
      CHART_DIR,
      '--namespace',
      AGENT_NAMESPACE,
      '--create-namespace',
      '-f',
      join(EXAMPLES, 'agents', `${api.service}.yaml`),
      '--kubeconfig',
      inputs.service.adminKubeconfig,
    ]);
  }
  const agents = new Map<PlatformApi['service'], PlatformAgent>();
  await Promise.all(
    PLATFORM_APIS.map(async (api) => {
      const release = releaseName(api);
      const kcpIdentity = await kcpAgentIdentity(inputs.kcp, provider, api);
      const token = await serviceAccountToken(inputs.local, AGENT_NAMESPACE, `${release}-api-syncagent`);
      const args = localArgs(deploymentArgs(await renderChart(inputs.scratch, agentValues(api), release)), {
        namespace: AGENT_NAMESPACE,
        kcpKubeconfig: writeKubeconfig(join(inputs.scratch, `${release}-kcp.kubeconfig`), kcpIdentity),
        kubeconfig: writeKubeconfig(join(inputs.scratch, `${release}-service.kubeconfig`), {
          ...inputs.service.admin,
          token,
          user: release,
        }),
        healthPort: await freePort(),
        metricsPort: await freePort(),
      });
      const agent = startAgentWithArgs(inputs.artifacts, release, args);
      await waitAgentReady(agent);
      agents.set(api.service, { agent, kcpIdentity });
    }),
  );
  return agents;
}

/** The kcp user of an API's agent: a ServiceAccount in the platform services workspace. */
export const kcpAgentUser = (api: PlatformApi): string => `system:serviceaccount:default:${releaseName(api)}`;

/** Creates the agent's ServiceAccount in kcp, grants it its export's RBAC and returns a token identity for it. */
async function kcpAgentIdentity(kcp: KcpServer, provider: Workspace, api: PlatformApi): Promise<Identity> {
  const admin = await kcp.client('admin', provider.path);
  const release = releaseName(api);
  await applyObject(admin, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: release, namespace: 'default' },
  });
  await applyYaml(admin, agentRbacYaml(exportName(api), kcpAgentUser(api)));
  const token = await serviceAccountToken(admin, 'default', release, 24 * 3600);
  return { ...kcp.identity('agent', provider.path), token, user: release };
}

/** Applies the three PublishedResources and waits until each agent's APIExport offers its claim type. */
export async function publishApis(kcp: KcpServer, local: RestClient, provider: Workspace): Promise<void> {
  await applyYaml(local, readFileSync(join(EXAMPLES, 'publishedresources.yaml'), 'utf8'));
  const admin = await kcp.client('admin', provider.path);
  for (const api of PLATFORM_APIS) {
    await waitFor(
      `APIExport ${exportName(api)} to offer ${api.plural}`,
      async () => {
        const exp = await admin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${exportName(api)}`);
        const resources = (exp['spec'] as { resources?: { name: string }[] } | undefined)?.resources ?? [];
        return resources.some((r) => r.name === api.plural) ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
  }
}

/**
 * The permission claims an API's export asks for (events, and secrets for a
 * related connection Secret), as the platform's automation reads them before
 * it binds the export in a project.
 */
export async function exportClaims(kcp: KcpServer, api: PlatformApi): Promise<PermissionClaim[]> {
  const admin = await kcp.client('admin', PROVIDER_PATH);
  const exp = await admin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${exportName(api)}`);
  return (exp['spec'] as { permissionClaims?: PermissionClaim[] } | undefined)?.permissionClaims ?? [];
}

/** The platform's workspace tree: organisations under root, projects under them. */
export const TENANT_TREE = {
  'org-acme': ['org-acme-frontend', 'org-acme-backend'],
  'org-globex': ['org-globex-web'],
} as const;

export type ProjectName = (typeof TENANT_TREE)[keyof typeof TENANT_TREE][number];

/**
 * Creates the organisation and project workspaces and binds every export in
 * each project, accepting every claim the export asks for, as the platform's
 * automation would; waits until the claim types are served in each.
 */
export async function createTenants(
  kcp: KcpServer,
  report: StepReporter = quiet,
): Promise<Map<ProjectName, Workspace>> {
  const projects = new Map<ProjectName, Workspace>();
  for (const [org, names] of Object.entries(TENANT_TREE) as [string, readonly ProjectName[]][]) {
    const orgWs = await createWorkspace(kcp, 'root', org);
    for (const name of names) {
      const project = await createWorkspace(kcp, orgWs.path, name);
      report(`${project.path}: binding ${PLATFORM_APIS.map(exportName).join(', ')}`);
      for (const api of PLATFORM_APIS)
        await bindExport(
          kcp,
          project.path,
          { path: PROVIDER_PATH, name: exportName(api) },
          await exportClaims(kcp, api),
        );
      const client = await kcp.client('admin', project.path);
      for (const api of PLATFORM_APIS) {
        await waitFor(`${api.plural} in ${project.path}`, () => client.list(claimsPath(api, 'default')), {
          timeoutMs: 60_000,
        });
      }
      projects.set(name, project);
    }
  }
  return projects;
}
