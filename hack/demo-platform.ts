// `make demo-platform`: the platform story on one machine. A local kcp and a
// local service cluster (real servers) with Crossplane v1.20 on it, the example
// provider of examples/platform (three service APIs as Crossplane claims), one
// agent per export (each its own Helm release, run as a local process with its
// Deployment's arguments), the platform's workspace tree, claims in project
// workspaces, and what the consumers and the service cluster then hold.
// It stays up until Ctrl-C (or exits at once with DEMO_EXIT=1) and cleans up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../src/kube/object.ts';
import type { RestClient } from '../src/kube/rest-client.ts';
import { startCrossplane } from '../test/utils/crossplane.ts';
import { applyObject, createWorkspace, type Workspace } from '../test/utils/kcp-fixtures.ts';
import type { KcpServer } from '../test/utils/kcp-server.ts';
import { writeKubeconfig } from '../test/utils/kubeconfig.ts';
import {
  claimsPath,
  createTenants,
  EXAMPLES,
  installAgents,
  installProvider,
  type PlatformApi,
  platformApi,
  type ProjectName,
  PROVIDER_PATH,
  publishApis,
  TENANT_TREE,
} from '../test/utils/platform.ts';
import { composedResources, condition, runFakeCloud, waitForBinding } from '../test/utils/platform-cloud.ts';
import { secretPath, tryGet } from '../test/utils/related-checks.ts';
import { waitFor } from '../test/utils/wait.ts';
import { DEMO_DIR, runDemo, startDemoServers, stayUp, step } from './demo-kit.ts';

/** Who claims what in the demo: one claim of each API, in three projects of two organisations. */
const CLAIMS: { project: ProjectName; service: PlatformApi['service']; file: string }[] = [
  { project: 'org-acme-frontend', service: 'compute', file: 'virtualmachine' },
  { project: 'org-acme-backend', service: 'kubernetes', file: 'kubernetescluster' },
  { project: 'org-globex-web', service: 'iam', file: 'identity' },
];
const substep = (msg: string): void => {
  console.log(`  ${msg}`);
};

async function main(): Promise<void> {
  const { started, artifacts, kcp, service, local } = await startDemoServers();

  step('Starting Crossplane v1.20.1 on the service cluster (its CRDs, core init for TLS, core start)…');
  await startCrossplane(artifacts, service);

  step(
    'Installing the example provider: the cloud stand-in CRD, three XRDs with claims and their Compositions (examples/platform/)…',
  );
  await installProvider(local);

  step(`Creating the platform services workspace ${PROVIDER_PATH}…`);
  const provider = await createWorkspace(kcp, 'root', PROVIDER_PATH.split(':')[1] ?? '');

  step(
    'Installing one agent per export (three Helm releases, each its own ServiceAccount, ClusterRole and lease; in kcp its own ServiceAccount and RBAC)…',
  );
  await installAgents({ kcp, artifacts, service, local, scratch: DEMO_DIR, report: substep }, provider);

  step(
    'Publishing the claim types (examples/platform/publishedresources.yaml); each agent maintains its own APIExport…',
  );
  await publishApis(kcp, local, provider);

  step('Creating the organisation and project workspaces; each project binds the three exports…');
  const projects = await createTenants(kcp, substep);
  await printTree(kcp);

  const cloud = runFakeCloud(local);
  step('Consumers apply claims (examples/platform/claims/); a fake cloud marks the stand-in resources Ready…');
  for (const c of CLAIMS) await claimAndWait(kcp, projects, c);
  console.log(`\n  (${((Date.now() - started) / 1000).toFixed(1)} s since the start)`);

  step('What root:org-acme:org-acme-frontend sees:');
  const frontend = await kcp.client('admin', workspaceOf(projects, 'org-acme-frontend').path);
  const vm = await frontend.get(`${claimsPath(platformApi('compute'), 'default')}/web-1`);
  console.log(
    JSON.stringify(
      {
        apiVersion: vm.apiVersion,
        kind: vm.kind,
        metadata: { name: vm.metadata.name, namespace: vm.metadata.namespace },
        spec: vm['spec'],
        status: vm['status'],
      },
      null,
      2,
    ),
  );
  const events = await frontend.list('/api/v1/namespaces/default/events');
  for (const e of events.items.filter((ev) => (ev['involvedObject'] as { name?: string }).name === 'web-1'))
    substep(`event ${String(e['reason'])}: ${String(e['message'])}`);
  await printConnectionSecret(frontend, vm);

  step('What the service cluster holds for each claim (copy → composite → composed resources):');
  for (const c of CLAIMS) await printComposed(local, workspaceOf(projects, c.project), c);

  printHowToExplore(kcp, writeKubeconfig(join(DEMO_DIR, 'service.kubeconfig'), service.admin), provider, projects);
  await stayUp(artifacts, () => {
    cloud.abort();
  });
}

/** The claim's connection Secret as the consumer gets it (a related object): its keys, never its values. */
async function printConnectionSecret(client: RestClient, vm: KubeObject): Promise<void> {
  const name = (vm['spec'] as { writeConnectionSecretToRef?: { name?: string } }).writeConnectionSecretToRef?.name;
  if (name === undefined) return;
  const secret = await waitFor(
    `the connection Secret ${name} in the consumer's workspace`,
    async () => {
      const found = await tryGet(client, secretPath('default', name));
      return found !== undefined && (found['data'] as Record<string, string> | undefined)?.['address'] !== undefined
        ? found
        : undefined;
    },
    { timeoutMs: 60_000 },
  );
  const keys = Object.keys((secret['data'] as Record<string, string> | undefined) ?? {}).sort();
  substep(`Secret ${name} (related object, from Crossplane on the service cluster): keys ${keys.join(', ')}`);
}

function workspaceOf(projects: Map<ProjectName, Workspace>, name: ProjectName): Workspace {
  const ws = projects.get(name);
  if (ws === undefined) throw new Error(`no project workspace ${name}`);
  return ws;
}

/** The tree as kcp lists it: root's organisations and their projects, with logical cluster names. */
async function printTree(kcp: KcpServer): Promise<void> {
  const list = async (path: string): Promise<KubeObject[]> =>
    (await (await kcp.client('admin', path)).list('/apis/tenancy.kcp.io/v1alpha1/workspaces')).items;
  const line = (ws: KubeObject, indent: string): string =>
    `${indent}${ws.metadata.name ?? ''}  (${String((ws['spec'] as { cluster?: string }).cluster)}, ${String((ws['status'] as { phase?: string }).phase)})`;
  const byName = (a: KubeObject, b: KubeObject): number => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  const branch = (i: number, n: number): string => (i === n - 1 ? '└─ ' : '├─ ');
  console.log('\n  root');
  const orgs = (await list('root')).sort(byName);
  for (const [i, ws] of orgs.entries()) {
    console.log(line(ws, `  ${branch(i, orgs.length)}`));
    if (!Object.keys(TENANT_TREE).includes(ws.metadata.name ?? '')) continue;
    const children = (await list(`root:${ws.metadata.name ?? ''}`)).sort(byName);
    const rail = i === orgs.length - 1 ? '   ' : '│  ';
    for (const [j, child] of children.entries()) console.log(line(child, `  ${rail}${branch(j, children.length)}`));
  }
}

async function claimAndWait(
  kcp: KcpServer,
  projects: Map<ProjectName, Workspace>,
  c: (typeof CLAIMS)[number],
): Promise<void> {
  const ws = workspaceOf(projects, c.project);
  const client = await kcp.client('admin', ws.path);
  const claim = parse(readFileSync(join(EXAMPLES, 'claims', `${c.file}.yaml`), 'utf8')) as KubeObject;
  const createdAt = Date.now();
  await applyObject(client, claim);
  const api = platformApi(c.service);
  const ready = await waitFor(
    `${api.kind} ${claim.metadata.name ?? ''} Ready in ${ws.path}`,
    async () => {
      const obj = await client.get(`${claimsPath(api, 'default')}/${claim.metadata.name ?? ''}`);
      return condition(obj, 'Ready')?.status === 'True' ? obj : undefined;
    },
    { timeoutMs: 90_000 },
  );
  const conditions = ['Synced', 'Ready']
    .map((t) => `${t}=${condition(ready, t)?.status ?? '?'} (${condition(ready, t)?.reason ?? ''})`)
    .join(', ');
  substep(
    `${ws.path}: ${api.kind} ${claim.metadata.name ?? ''} → ${conditions} after ${((Date.now() - createdAt) / 1000).toFixed(1)} s`,
  );
}

async function printComposed(local: RestClient, ws: Workspace, c: (typeof CLAIMS)[number]): Promise<void> {
  const api = platformApi(c.service);
  const name =
    (parse(readFileSync(join(EXAMPLES, 'claims', `${c.file}.yaml`), 'utf8')) as KubeObject).metadata.name ?? '';
  const { claim, composite } = await waitForBinding(local, api, ws, name);
  const composed = await composedResources(local, composite);
  substep(`${ws.path} ${api.kind}/${name}`);
  substep(`  copy:      ${api.plural}.${api.group} ${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`);
  substep(`  composite: ${api.xrPlural}.${api.group} ${composite}`);
  // List items of built-in kinds carry no kind of their own.
  const byKind: [string, KubeObject[]][] = [
    ['CloudResource', composed.cloud],
    ['Namespace', composed.namespaces],
    ['ClusterRole', composed.clusterRoles],
  ];
  for (const [kind, objs] of byKind) {
    for (const obj of objs) {
      const ready = condition(obj, 'Ready')?.status;
      substep(`  composed:  ${kind} ${obj.metadata.name ?? ''}${ready === undefined ? '' : ` (Ready=${ready})`}`);
    }
  }
}

function printHowToExplore(
  kcp: KcpServer,
  serviceKubeconfig: string,
  provider: Workspace,
  projects: Map<ProjectName, Workspace>,
): void {
  const files = [...projects.values()].map((ws) => ({
    ws,
    file: writeKubeconfig(join(DEMO_DIR, `${ws.name}.kubeconfig`), kcp.identity('admin', ws.path)),
  }));
  const providerFile = writeKubeconfig(
    join(DEMO_DIR, 'platform-services.kubeconfig'),
    kcp.identity('admin', provider.path),
  );
  const frontend = files.find((f) => f.ws.name === 'org-acme-frontend')?.file ?? '';
  console.log(`
Kubeconfigs:
${files.map((f) => `  ${f.ws.path.padEnd(34)} ${f.file}`).join('\n')}
  ${provider.path.padEnd(34)} ${providerFile}
  ${'service cluster'.padEnd(34)} ${serviceKubeconfig}
Try:
  kubectl --kubeconfig ${frontend} get virtualmachines -o yaml
  kubectl --kubeconfig ${frontend} get events
  kubectl --kubeconfig ${frontend} get secret web-1-connection -o yaml
  kubectl --kubeconfig ${providerFile} get apiexports,apiresourceschemas
  kubectl --kubeconfig ${serviceKubeconfig} get claim,composite -A
  kubectl --kubeconfig ${serviceKubeconfig} get cloudresources,clusterroles -l crossplane.io/composite
  kubectl --kubeconfig ${serviceKubeconfig} -n platform-agents get deployments,leases
Logs: ${join(DEMO_DIR, 'logs')}`);
}

runDemo(main);
