import { join } from 'node:path';
import type { AgentSetup } from './agent.ts';
import type { Artifacts } from './artifacts.ts';
import { applyObject, grantAgentAccess } from './kcp-fixtures.ts';
import { KCP_AGENT_USER, type KcpServer } from './kcp-server.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { type ManagedProcess, startProcess } from './processes.ts';
import { toolPath } from './tools.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';

/**
 * The upstream Go agent (kcp-dev/api-syncagent v0.7.0, built by
 * `hack/build-tools.sh upstream-syncagent`), run as its own e2e harness runs
 * it, to measure ours against.
 */
/** Like ours, minus replicas; `namespace` is where upstream keeps its state Secrets and must exist. */
export type UpstreamAgentSetup = Omit<AgentSetup, 'instance'>;

export interface RunningUpstreamAgent {
  readonly process: ManagedProcess;
  readonly args: readonly string[];
}

/**
 * What upstream needs in kcp before it starts: our agent's RBAC
 * (deploy/kcp/agent-rbac.yaml), plus reading the workspace's LogicalCluster
 * (it exits without it) and recording events on the APIExport; and the
 * APIExport itself, which upstream never creates (it exits when the endpoint
 * slice kcp makes for the export is missing). The export starts empty.
 */
export async function prepareUpstreamExport(kcp: KcpServer, providerPath: string, exportName: string): Promise<void> {
  await grantAgentAccess(kcp, providerPath, exportName);
  const provider = await kcp.client('admin', providerPath);
  await grantUpstreamExtras(provider, `upstream-syncagent-extras:${exportName}`);
  await applyObject(provider, {
    apiVersion: 'apis.kcp.io/v1alpha2',
    kind: 'APIExport',
    metadata: { name: exportName },
    spec: {},
  });
}

/**
 * Starts upstream's binary with the flags its own e2e harness uses (no leader
 * election, no health or metrics server), the restricted kcp identity, and
 * its log in the artifacts (`upstream-<name>.log`).
 */
export function startUpstreamAgent(artifacts: Artifacts, setup: UpstreamAgentSetup): RunningUpstreamAgent {
  const dir = artifacts.scratchDir(`upstream-${setup.name}`);
  const kcpKubeconfig = writeKubeconfig(join(dir, 'kcp.kubeconfig'), setup.kcp.identity('agent', setup.providerPath));
  const args = [
    '--enable-leader-election=false',
    '--health-address=0',
    '--metrics-address=0',
    `--namespace=${setup.namespace}`,
    `--agent-name=${setup.name}`,
    `--apiexportendpointslice-ref=${setup.exportName}`,
    `--kcp-kubeconfig=${kcpKubeconfig}`,
    `--kubeconfig=${setup.service.adminKubeconfig}`,
    '--log-debug',
    ...(setup.extraArgs ?? []),
  ];
  const proc = startProcess(`upstream/${setup.name}`, toolPath('upstream-syncagent'), args, {
    logFile: artifacts.logFile(`upstream-${setup.name}.log`),
  });
  return { process: proc, args };
}

/**
 * What upstream v0.7.0 needs in kcp beyond deploy/kcp/agent-rbac.yaml (which
 * is minimal for ours): it reads the LogicalCluster `cluster` at start (and
 * exits without it) and records events on the APIExport.
 */
export async function grantUpstreamExtras(provider: RestClient, name: string): Promise<void> {
  await applyObject(provider, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name },
    rules: [
      { apiGroups: ['core.kcp.io'], resources: ['logicalclusters'], resourceNames: ['cluster'], verbs: ['get'] },
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'create', 'patch', 'update'] },
    ],
  });
  await applyObject(provider, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KCP_AGENT_USER }],
  });
}
