import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import type { Artifacts } from './artifacts.ts';
import { exitedCheck, waitReady } from './kcp-server.ts';
import { clientFor, type Identity, writeKubeconfig } from './kubeconfig.ts';
import { freePort } from './ports.ts';
import { type ManagedProcess, startProcess } from './processes.ts';
import { toolPath } from './tools.ts';
import { waitFor } from './wait.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { auditFlags } from './audit-policy.ts';

/**
 * A real Kubernetes control plane standing in for the provider's service
 * cluster: etcd, kube-apiserver (token auth, RBAC) and kube-controller-manager
 * (so namespaces really terminate and garbage collection runs). There is no
 * scheduler and no kubelet: pods never run.
 */
export interface ServiceCluster {
  readonly name: string;
  readonly admin: Identity;
  /** A kubeconfig file for the admin identity. */
  readonly adminKubeconfig: string;
  readonly processes: readonly ManagedProcess[];
  /** etcd's client URL (fault tests compact it). */
  readonly etcdUrl: string;
  /** The audit log (JSON lines), when started with `auditLog`. */
  readonly auditLogPath?: string;
  client(): Promise<RestClient>;
  /** An identity of one of the `users` it was started with (system:masters, its own name in audit). */
  userIdentity(user: string): Identity;
  /** Stops one component (SIGKILL when `crash`) and starts it again on the same port and data dir. */
  restart(component: 'etcd' | 'kube-apiserver', crash?: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** Opt-ins for fault tests. */
export interface ServiceClusterOptions {
  /** Write an audit log of every write (Metadata level). */
  readonly auditLog?: boolean;
  /** More admin users (own tokens), so a test can tell writers apart. */
  readonly users?: readonly string[];
  /** Serve watches from etcd, not the apiserver's cache: an etcd compaction then expires them (410 Gone). */
  readonly noWatchCache?: boolean;
}

const CONTROLLERS = [
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
];

/** Starts a fresh service cluster named `name` (logs under <artifacts>/<name>/). */
export async function startServiceCluster(
  artifacts: Artifacts,
  name: string,
  options: ServiceClusterOptions = {},
): Promise<ServiceCluster> {
  const dir = artifacts.scratchDir(name);
  const started: ManagedProcess[] = [];
  const tokens = new Map([
    ['admin', randomUUID().replaceAll('-', '')],
    ...(options.users ?? []).map((u) => [u, randomUUID().replaceAll('-', '')] as const),
  ]);
  const ctx: StartContext = {
    artifacts,
    name,
    dir,
    started,
    tokens,
    auditLog: options.auditLog === true,
    watchCache: options.noWatchCache !== true,
  };
  const stopAll = async (): Promise<void> => {
    for (const p of [...started].reverse()) await p.stop();
  };
  try {
    const [etcdPorts, apiserverPort] = [{ client: await freePort(), peer: await freePort() }, await freePort()];
    const etcdUrl = await startEtcd(ctx, etcdPorts);
    const admin = await startApiserver(ctx, etcdUrl, apiserverPort);
    const adminKubeconfig = writeKubeconfig(join(dir, 'admin.kubeconfig'), admin);
    startControllerManager(ctx, adminKubeconfig);
    const replace = async (component: 'etcd' | 'kube-apiserver', crash: boolean): Promise<void> => {
      const index = started.findIndex((p) => p.name === `${name}/${component}`);
      const old = started[index];
      if (old === undefined) throw new Error(`${name} has no ${component}`);
      await (crash ? old.kill() : old.stop());
      started.splice(index, 1);
      if (component === 'etcd') await startEtcd(ctx, etcdPorts);
      else await startApiserver(ctx, etcdUrl, apiserverPort);
    };
    return {
      name,
      admin,
      adminKubeconfig,
      processes: started,
      etcdUrl,
      ...(ctx.auditLog ? { auditLogPath: auditLogPath(ctx) } : {}),
      client: () => clientFor(admin),
      userIdentity: (user) => {
        const token = tokens.get(user);
        if (token === undefined) throw new Error(`${name} was not started with user ${user}`);
        return { ...admin, token, user };
      },
      restart: (component, crash = false) => replace(component, crash),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

const auditLogPath = ({ artifacts, name }: StartContext): string => artifacts.logFile(`${name}/audit.log`);

/** What each component's start needs: where to log and store, and the list to stop. */
interface StartContext {
  readonly artifacts: Artifacts;
  readonly name: string;
  readonly dir: string;
  readonly started: ManagedProcess[];
  /** User name → token; `admin` is always there. */
  readonly tokens: ReadonlyMap<string, string>;
  readonly auditLog: boolean;
  readonly watchCache: boolean;
}

async function startEtcd(
  { artifacts, name, dir, started }: StartContext,
  { client, peer }: { client: number; peer: number },
): Promise<string> {
  const clientUrl = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const proc = startProcess(
    `${name}/etcd`,
    toolPath('etcd'),
    [
      '--name=default',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      '--unsafe-no-fsync=true',
    ],
    { logFile: artifacts.logFile(`${name}/etcd.log`) },
  );
  started.push(proc);
  await waitFor(
    `${name} etcd health`,
    async () => {
      const res = await request(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = await res.body.text();
      return res.statusCode === 200 && body.includes('"true"') ? true : undefined;
    },
    {
      timeoutMs: 30_000,
      failFast: () => {
        exitedCheck(proc);
      },
    },
  ).catch((err: unknown) => {
    throw new Error(`etcd did not become healthy; last lines of ${proc.logFile}:\n${proc.logTail()}`, { cause: err });
  });
  return clientUrl;
}

async function startApiserver(ctx: StartContext, etcdUrl: string, port: number): Promise<Identity> {
  const { artifacts, name, dir, started, tokens } = ctx;
  const certDir = join(dir, 'certs');
  const token = tokens.get('admin') ?? '';
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, [...tokens].map(([user, t]) => `${t},${user},${user}-uid,"system:masters"\n`).join(''));
  if (!existsSync(join(dir, 'sa.key'))) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  }
  const audit = ctx.auditLog ? auditFlags(dir, auditLogPath(ctx)) : [];
  const proc = startProcess(
    `${name}/kube-apiserver`,
    toolPath('kube-apiserver'),
    [
      `--etcd-servers=${etcdUrl}`,
      `--cert-dir=${certDir}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      `--token-auth-file=${tokenFile}`,
      '--allow-privileged=true',
      `--service-account-issuer=https://127.0.0.1:${port}`,
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      ...audit,
      ...(ctx.watchCache ? [] : ['--watch-cache=false']),
    ],
    { logFile: artifacts.logFile(`${name}/kube-apiserver.log`) },
  );
  started.push(proc);
  const certFile = join(certDir, 'apiserver.crt');
  const failure = (err: unknown): Error =>
    new Error(`kube-apiserver did not become ready; last lines of ${proc.logFile}:\n${proc.logTail()}`, { cause: err });
  await waitFor('kube-apiserver serving certificate', () => Promise.resolve(existsSync(certFile) ? true : undefined), {
    timeoutMs: 60_000,
    failFast: () => {
      exitedCheck(proc);
    },
  }).catch((err: unknown) => {
    throw failure(err);
  });
  const caPem = readFileSync(certFile, 'utf8');
  await waitReady(`https://127.0.0.1:${port}`, caPem, proc, 60_000).catch((err: unknown) => {
    throw failure(err);
  });
  return { server: `https://127.0.0.1:${port}`, caPem, token, user: 'admin' };
}

function startControllerManager({ artifacts, name, dir, started }: StartContext, kubeconfig: string): void {
  const proc = startProcess(
    `${name}/kube-controller-manager`,
    toolPath('kube-controller-manager'),
    [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      `--controllers=${CONTROLLERS.join(',')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      `--service-account-private-key-file=${join(dir, 'sa.key')}`,
      `--root-ca-file=${join(dir, 'certs', 'apiserver.crt')}`,
      '--concurrent-gc-syncs=5',
    ],
    { logFile: artifacts.logFile(`${name}/kube-controller-manager.log`) },
  );
  started.push(proc);
}
