import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifacts } from './artifacts.ts';
import type { KcpServer } from './kcp-server.ts';
import { type Identity, writeKubeconfig } from './kubeconfig.ts';
import { freePort } from './ports.ts';
import { type ManagedProcess, startProcess } from './processes.ts';
import type { ServiceCluster } from './service-cluster.ts';
import { AGENT_BINARY } from './tools.ts';
import { waitFor } from './wait.ts';
import { request } from 'undici';

export interface AgentSetup {
  /** The --agent-name; replicas share it. */
  readonly name: string;
  /** Tells replicas' logs and scratch files apart (default: the name). */
  readonly instance?: string;
  readonly kcp: KcpServer;
  readonly providerPath: string;
  readonly exportName: string;
  readonly service: ServiceCluster;
  readonly namespace: string;
  readonly extraArgs?: readonly string[];
  /** The service-cluster kubeconfig (default: the cluster's admin). */
  readonly serviceKubeconfig?: string;
  /** The kcp identity, in the provider workspace (default: kcp's agent user). */
  readonly kcpIdentity?: Identity;
  /** Serve /metrics on a free port (RunningAgent.metricsUrl). */
  readonly metrics?: boolean;
  /** Environment variables on top of the harness's own (e.g. SYNCAGENT_MEMORY_LIMIT_MIB, as the chart sets it). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunningAgent {
  readonly process: ManagedProcess;
  readonly healthUrl: string;
  /** `http://127.0.0.1:<port>` when started with `metrics`. */
  readonly metricsUrl?: string;
  readonly args: readonly string[];
}

/**
 * Runs the built agent binary as a user would: its own process, flags only,
 * the restricted kcp identity (never kcp admin), logs in the artifacts.
 */
export async function startAgent(artifacts: Artifacts, setup: AgentSetup): Promise<RunningAgent> {
  const instance = setup.instance ?? setup.name;
  const dir = artifacts.scratchDir(`agent-${instance}`);
  const kcpKubeconfig = writeKubeconfig(
    join(dir, 'kcp.kubeconfig'),
    setup.kcpIdentity ?? setup.kcp.identity('agent', setup.providerPath),
  );
  const port = await freePort();
  const metricsPort = setup.metrics === true ? await freePort() : undefined;
  const args = [
    `--kubeconfig=${setup.serviceKubeconfig ?? setup.service.adminKubeconfig}`,
    `--kcp-kubeconfig=${kcpKubeconfig}`,
    `--apiexport-ref=${setup.exportName}`,
    `--apiexportendpointslice-ref=${setup.exportName}`,
    `--namespace=${setup.namespace}`,
    `--agent-name=${setup.name}`,
    `--health-address=127.0.0.1:${port}`,
    `--metrics-address=${metricsPort === undefined ? '0' : `127.0.0.1:${metricsPort}`}`,
    '--log-debug',
    ...(setup.extraArgs ?? []),
  ];
  writeFileSync(join(dir, 'args'), args.join('\n'));
  const proc = startProcess(`agent/${instance}`, AGENT_BINARY, args, {
    logFile: artifacts.logFile(`agent-${instance}.log`),
    ...(setup.env === undefined ? {} : { env: { ...setup.env } }),
  });
  return {
    process: proc,
    healthUrl: `http://127.0.0.1:${port}`,
    ...(metricsPort === undefined ? {} : { metricsUrl: `http://127.0.0.1:${metricsPort}` }),
    args,
  };
}

/** Runs the agent binary with exactly these arguments (its health address must be in them). */
export function startAgentWithArgs(artifacts: Artifacts, name: string, args: readonly string[]): RunningAgent {
  const health = args.find((a) => a.startsWith('--health-address='))?.split('=')[1];
  if (health === undefined) throw new Error('the agent arguments lack --health-address');
  const proc = startProcess(`agent/${name}`, AGENT_BINARY, args, { logFile: artifacts.logFile(`agent-${name}.log`) });
  return { process: proc, healthUrl: `http://${health}`, args };
}

/** Waits until the agent answers /readyz with 200. */
export async function waitAgentReady(agent: RunningAgent, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    'the agent to be ready',
    async () => {
      const res = await request(`${agent.healthUrl}/readyz`);
      await res.body.text();
      return res.statusCode === 200 ? true : undefined;
    },
    {
      timeoutMs,
      intervalMs: 100,
      failFast: () => {
        if (agent.process.exited()) throw new Error(`the agent exited:\n${agent.process.logTail()}`);
      },
    },
  );
}

/** The agent's JSON log lines (it runs with --log-debug), oldest first. */
export function logEntries(agent: RunningAgent): Record<string, unknown>[] {
  return readFileSync(agent.process.logFile, 'utf8')
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/**
 * Waits until the agent has seen this version of a consumer object (its
 * informer logged the change) and then finished a reconcile of it without
 * an error. A test that checks the agent left an object alone waits for
 * this instead of sleeping: after it, the agent has decided.
 */
export async function waitAgentDecided(
  agent: RunningAgent,
  object: { cluster: string; namespace: string; name: string; resourceVersion: string },
): Promise<void> {
  const key = `${object.cluster}|${object.namespace}|${object.name}`;
  await waitFor(`the agent to reconcile ${key} at resourceVersion ${object.resourceVersion}`, () => {
    const entries = logEntries(agent);
    const seen = entries.findIndex(
      (e) =>
        e['msg'] === 'Consumer object changed' && e['key'] === key && e['resourceVersion'] === object.resourceVersion,
    );
    const decided =
      seen >= 0 &&
      entries.slice(seen + 1).some((e) => e['msg'] === 'Reconciled' && e['key'] === key && e['outcome'] === 'success');
    return Promise.resolve(decided ? true : undefined);
  });
}
