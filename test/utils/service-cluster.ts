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
  client(): Promise<RestClient>;
  stop(): Promise<void>;
}

const CONTROLLERS = ['namespace-controller', 'garbage-collector-controller', 'serviceaccount-controller', 'serviceaccount-token-controller'];

/** Starts a fresh service cluster named `name` (logs under <artifacts>/<name>/). */
export async function startServiceCluster(artifacts: Artifacts, name: string): Promise<ServiceCluster> {
  const dir = artifacts.scratchDir(name);
  const started: ManagedProcess[] = [];
  const ctx: StartContext = { artifacts, name, dir, started };
  const stopAll = async (): Promise<void> => {
    for (const p of [...started].reverse()) await p.stop();
  };
  try {
    const etcdUrl = await startEtcd(ctx);
    const admin = await startApiserver(ctx, etcdUrl);
    const adminKubeconfig = writeKubeconfig(join(dir, 'admin.kubeconfig'), admin);
    startControllerManager(ctx, adminKubeconfig);
    return { name, admin, adminKubeconfig, processes: started, client: () => clientFor(admin), stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** What each component's start needs: where to log and store, and the list to stop. */
interface StartContext {
  readonly artifacts: Artifacts;
  readonly name: string;
  readonly dir: string;
  readonly started: ManagedProcess[];
}

async function startEtcd({ artifacts, name, dir, started }: StartContext): Promise<string> {
  const [client, peer] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const proc = startProcess(`${name}/etcd`, toolPath('etcd'), [
    '--name=default',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=default=${peerUrl}`,
    '--unsafe-no-fsync=true',
  ], { logFile: artifacts.logFile(`${name}/etcd.log`) });
  started.push(proc);
  await waitFor(`${name} etcd health`, async () => {
    const res = await request(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    const body = await res.body.text();
    return res.statusCode === 200 && body.includes('"true"') ? true : undefined;
  }, { timeoutMs: 30_000, failFast: () => { exitedCheck(proc); } }).catch((err: unknown) => {
    throw new Error(`etcd did not become healthy; last lines of ${proc.logFile}:\n${proc.logTail()}`, { cause: err });
  });
  return clientUrl;
}

async function startApiserver({ artifacts, name, dir, started }: StartContext, etcdUrl: string): Promise<Identity> {
  const port = await freePort();
  const certDir = join(dir, 'certs');
  const token = randomUUID().replaceAll('-', '');
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const proc = startProcess(`${name}/kube-apiserver`, toolPath('kube-apiserver'), [
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
  ], { logFile: artifacts.logFile(`${name}/kube-apiserver.log`) });
  started.push(proc);
  const certFile = join(certDir, 'apiserver.crt');
  const failure = (err: unknown): Error =>
    new Error(`kube-apiserver did not become ready; last lines of ${proc.logFile}:\n${proc.logTail()}`, { cause: err });
  await waitFor('kube-apiserver serving certificate', () => Promise.resolve(existsSync(certFile) ? true : undefined), {
    timeoutMs: 60_000,
    failFast: () => { exitedCheck(proc); },
  }).catch((err: unknown) => { throw failure(err); });
  const caPem = readFileSync(certFile, 'utf8');
  await waitReady(`https://127.0.0.1:${port}`, caPem, proc, 60_000).catch((err: unknown) => { throw failure(err); });
  return { server: `https://127.0.0.1:${port}`, caPem, token, user: 'admin' };
}

function startControllerManager({ artifacts, name, dir, started }: StartContext, kubeconfig: string): void {
  const proc = startProcess(`${name}/kube-controller-manager`, toolPath('kube-controller-manager'), [
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
  ], { logFile: artifacts.logFile(`${name}/kube-controller-manager.log`) });
  started.push(proc);
}
