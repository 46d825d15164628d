import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { parse } from 'yaml';
import type { Artifacts } from './artifacts.ts';
import { auditFlags } from './audit-policy.ts';
import { clientFor, type Identity } from './kubeconfig.ts';
import { freePort } from './ports.ts';
import { type ManagedProcess, startProcess } from './processes.ts';
import { toolPath } from './tools.ts';
import { waitFor } from './wait.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';

/** The identities in kcp's token file. None of them is an admin. */
export const KCP_AGENT_USER = 'api-syncagent';
const KCP_AGENT_GROUP = 'api-syncagents';
const KCP_CONSUMER_USER = 'tenant';

export type KcpRole = 'admin' | 'agent' | 'consumer';

/** A running kcp, started by the harness. */
export interface KcpServer {
  /** `https://127.0.0.1:<port>`, no path. */
  readonly baseUrl: string;
  readonly caPem: string;
  /** The current kcp process (a new one after restart()). */
  readonly process: ManagedProcess;
  /** The kcp user the agent runs as (its RBAC names it). */
  readonly agentUser: string;
  /** An identity whose server is `<base>/clusters/<workspace path>`. */
  identity(role: KcpRole, workspacePath: string): Identity;
  /** A client as that identity inside a workspace. */
  client(role: KcpRole, workspacePath: string): Promise<RestClient>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 180_000;

/**
 * Starts kcp on free loopback ports and waits until it answers real requests.
 * `name` sets its root directory and log, so a test can run a kcp of its own
 * next to the suite's.
 */
/** The one-shard kcp the harness starts itself, which can also be restarted. */
export interface RestartableKcp extends KcpServer {
  /**
   * Stops kcp (SIGKILL when `crash`) and starts it again on the same ports and
   * root directory. The admin token changes: make admin clients anew.
   */
  restart(crash?: boolean): Promise<void>;
  /** The audit log (JSON lines), when started with `auditLog`. */
  readonly auditLogPath?: string;
  /** An identity of one of the `agentUsers` it was started with, inside a workspace. */
  agentUserIdentity(user: string, workspacePath: string): Identity;
}

export interface KcpOptions {
  /** Write an audit log of every write (Metadata level), as the service cluster can. */
  readonly auditLog?: boolean;
  /** More agent identities (in the agents' group), e.g. one per replica, so audit tells them apart. */
  readonly agentUsers?: readonly string[];
  /** Listen on this port instead of a free one (e.g. one a proxy in front of it already targets). */
  readonly securePort?: number;
  /**
   * `--shard-virtual-workspace-url`: the address kcp advertises for its virtual workspaces (in
   * APIExportEndpointSlices), e.g. a proxy's; kcp still serves them itself.
   */
  readonly virtualWorkspaceUrl?: string;
}

export async function startKcp(artifacts: Artifacts, name = 'kcp', opts: KcpOptions = {}): Promise<RestartableKcp> {
  const rootDir = artifacts.scratchDir(name);
  const [port, etcdClient, etcdPeer] = [opts.securePort ?? (await freePort()), await freePort(), await freePort()];
  const tokens = { agent: randomToken(), consumer: randomToken() };
  const agentUserTokens = new Map((opts.agentUsers ?? []).map((u) => [u, randomToken()]));
  const tokenFile = join(rootDir, 'tokens.csv');
  writeFileSync(
    tokenFile,
    `${tokens.agent},${KCP_AGENT_USER},1111-agent,"${KCP_AGENT_GROUP}"\n${tokens.consumer},${KCP_CONSUMER_USER},2222-tenant,"tenants"\n` +
      [...agentUserTokens].map(([u, t]) => `${t},${u},${u}-uid,"${KCP_AGENT_GROUP}"\n`).join(''),
  );
  const auditLogPath = opts.auditLog === true ? artifacts.logFile(`${name}-audit.log`) : undefined;
  const args = [
    'start',
    `--root-directory=${rootDir}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--embedded-etcd-client-port=${etcdClient}`,
    `--embedded-etcd-peer-port=${etcdPeer}`,
    `--token-auth-file=${tokenFile}`,
    ...(opts.virtualWorkspaceUrl === undefined ? [] : [`--shard-virtual-workspace-url=${opts.virtualWorkspaceUrl}`]),
    ...(auditLogPath === undefined ? [] : auditFlags(rootDir, auditLogPath)),
  ];
  const launch = (): ManagedProcess =>
    startProcess(name, toolPath('kcp'), args, { logFile: artifacts.logFile(`${name}.log`) });
  let proc = launch();
  const baseUrl = `https://127.0.0.1:${port}`;
  const fail = (what: string, err: unknown): Error =>
    new Error(`kcp did not become ready (${what}); last lines of ${proc.logFile}:\n${proc.logTail()}`, { cause: err });

  const kubeconfigPath = join(rootDir, 'admin.kubeconfig');
  let admin: { token: string; caPem: string };
  try {
    // kcp may be writing the file when it first appears (seen on a loaded
    // machine: an empty file), so it counts once it holds what we need.
    admin = await waitFor(
      'admin.kubeconfig',
      () => Promise.resolve(existsSync(kubeconfigPath) ? readAdminKubeconfig(kubeconfigPath) : undefined),
      {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 200,
        failFast: () => {
          exitedCheck(proc);
        },
      },
    );
  } catch (err) {
    await proc.stop();
    throw fail('no admin.kubeconfig', err);
  }
  const tokenOf: Record<KcpRole, string> = { admin: admin.token, agent: tokens.agent, consumer: tokens.consumer };
  const userOf: Record<KcpRole, string> = { admin: 'kcp-admin', agent: KCP_AGENT_USER, consumer: KCP_CONSUMER_USER };
  const server: RestartableKcp = {
    baseUrl,
    caPem: admin.caPem,
    agentUser: KCP_AGENT_USER,
    get process() {
      return proc;
    },
    restart: async (crash = false) => {
      await (crash ? proc.kill() : proc.stop());
      proc = launch();
      await waitReady(baseUrl, admin.caPem, proc);
      // kcp may write a new admin token when it starts; admin requests work again once it is read.
      await waitFor(
        'kcp admin requests after the restart',
        async () => {
          const fresh = readAdminKubeconfig(kubeconfigPath);
          if (fresh === undefined) return undefined;
          tokenOf.admin = fresh.token;
          await (await server.client('admin', 'root')).list('/apis/tenancy.kcp.io/v1alpha1/workspaces');
          return true;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 500,
          failFast: () => {
            exitedCheck(proc);
          },
        },
      );
    },
    identity: (role, path) => ({
      server: `${baseUrl}/clusters/${path}`,
      caPem: admin.caPem,
      token: tokenOf[role],
      user: userOf[role],
    }),
    ...(auditLogPath === undefined ? {} : { auditLogPath }),
    agentUserIdentity: (user, path) => {
      const token = agentUserTokens.get(user);
      if (token === undefined) throw new Error(`kcp ${name} was not started with agent user ${user}`);
      return { server: `${baseUrl}/clusters/${path}`, caPem: admin.caPem, token, user };
    },
    client: (role, path) => clientFor(server.identity(role, path)),
    stop: () => proc.stop(),
  };
  try {
    await waitReady(baseUrl, admin.caPem, proc);
    const root = await server.client('admin', 'root');
    await waitFor(
      'a workspace list in root',
      async () => {
        await root.list('/apis/tenancy.kcp.io/v1alpha1/workspaces');
        return true;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        failFast: () => {
          exitedCheck(proc);
        },
      },
    );
  } catch (err) {
    await proc.stop();
    throw fail('not ready', err);
  }
  return server;
}

/** Polls /readyz with kcp's CA until it answers `ok`. */
export async function waitReady(
  baseUrl: string,
  caPem: string,
  proc: ManagedProcess,
  timeoutMs = START_TIMEOUT_MS,
): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  try {
    await waitFor(
      `${baseUrl}/readyz`,
      async () => {
        const res = await request(`${baseUrl}/readyz`, { dispatcher, signal: AbortSignal.timeout(5_000) });
        const text = await res.body.text();
        return res.statusCode === 200 && text.trim() === 'ok' ? true : undefined;
      },
      {
        timeoutMs,
        intervalMs: 200,
        failFast: () => {
          exitedCheck(proc);
        },
      },
    );
  } finally {
    await dispatcher.close();
  }
}

/** Throws when a server process has died, so waits fail fast. */
export function exitedCheck(proc: ManagedProcess): void {
  if (proc.exited()) throw new Error(`${proc.name} exited`);
}

/** The admin token and CA from kcp's admin.kubeconfig; undefined while the file is not complete yet. */
function readAdminKubeconfig(path: string): { token: string; caPem: string } | undefined {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const cfg = doc as {
    clusters?: { name: string; cluster: Record<string, string> }[];
    users?: { name: string; user: Record<string, string> }[];
  };
  const cluster = cfg.clusters?.find((c) => c.name === 'root')?.cluster;
  const user = cfg.users?.find((u) => u.name === 'kcp-admin')?.user;
  const ca = cluster?.['certificate-authority-data'];
  const token = user?.['token'];
  if (ca === undefined || token === undefined) return undefined;
  return { token, caPem: Buffer.from(ca, 'base64').toString('utf8') };
}

function randomToken(): string {
  return crypto.randomUUID().replaceAll('-', '');
}
