import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifacts } from './artifacts.ts';
import { exitedCheck, type KcpRole, type KcpServer, waitReady } from './kcp-server.ts';
import { clientFor, type Identity } from './kubeconfig.ts';
import { freePort } from './ports.ts';
import { type ManagedProcess, onInterrupt, startProcess } from './processes.ts';
import { toolPath } from './tools.ts';
import { waitFor } from './wait.ts';

/**
 * The tokens every part accepts. kcp's sharded-test-server starts the root
 * shard with kcp's own test token file and no way to replace it (its
 * `--token-auth-file` comes last on the command line), so the front-proxy and
 * our second shard get the same users: one file, one set of identities.
 * The admin is the launcher's kcp-admin client certificate instead: a token
 * user in system:masters was refused (403) through the front-proxy.
 */
const TOKENS = {
  agent: { token: 'user-1-token', user: 'user-1' },
  consumer: { token: 'user-2-token', user: 'user-2' },
} as const satisfies Record<Exclude<KcpRole, 'admin'>, { token: string; user: string }>;
const TOKEN_FILE = [
  'user-1-token,user-1,1111-1111-1111-1111,"team-1"',
  'user-2-token,user-2,2222-2222-2222-2222,"team-2"',
].join('\n');

/** The label the harness puts on each Shard; a Workspace's location selector uses it. */
export const SHARD_LABEL = 'e2e.syncagent.kcp.io/shard';

/** One kcp shard of a sharded kcp. */
export interface KcpShard {
  /** The Shard object's name: `root`, `shard-1`. */
  readonly name: string;
  /** The shard's own URL (its virtual workspaces are served there too). */
  readonly baseUrl: string;
  /** The shard's process; only shards the harness started itself have one. */
  process(): ManagedProcess | undefined;
}

/**
 * A two-shard kcp: kcp's sharded-test-server runs the cache server, the root
 * shard and the front-proxy; the harness runs the second shard itself, so a
 * test can restart it (sharded-test-server ends everything once any shard
 * exits). `baseUrl` is the front-proxy's; clients see one kcp.
 */
export interface ShardedKcp extends KcpServer {
  readonly shards: readonly KcpShard[];
  /** Stops the second shard (SIGKILL, as a crash would); its data stays. */
  crashShard(): Promise<void>;
  /** Starts the second shard again on its old port and data; resolves once ready. */
  startShard(): Promise<void>;
  /** Seconds from start to a usable front-proxy with both shards, for reports. */
  readonly startupSeconds: number;
}

const START_TIMEOUT_MS = 240_000;
/** How many sharded kcps this run has started. */
let startedCount = 0;
/** Fixed by sharded-test-server: the front-proxy's and the root shard's ports. */
const FRONT_PROXY_URL = 'https://127.0.0.1:6443';
const ROOT_SHARD_URL = 'https://127.0.0.1:6444';

/**
 * Starts the sharded kcp (front-proxy on 6443, root shard on 6444: fixed by
 * kcp's launcher, so one per machine) with logs in the artifacts folder.
 */
export async function startShardedKcp(artifacts: Artifacts): Promise<ShardedKcp> {
  const started = Date.now();
  const { launcher, work, name } = await launchWithRetry(artifacts);
  const tokenFile = join(work, 'tokens.csv');
  const second = await secondShard(artifacts.logFile(`${name}/kcp-1.log`), work, tokenFile);
  const stopAll = async (): Promise<void> => {
    await second.stop();
    await stopLauncher(launcher, work);
  };
  try {
    const caPem = readFileSync(join(work, '.kcp', 'serving-ca.crt'), 'utf8');
    const adminCert = {
      certPem: readFileSync(join(work, '.kcp', 'kcp-admin.crt'), 'utf8'),
      keyPem: readFileSync(join(work, '.kcp', 'kcp-admin.key'), 'utf8'),
    };
    const identity = (role: KcpRole, path: string): Identity => {
      const server = `${FRONT_PROXY_URL}/clusters/${path}`;
      return role === 'admin'
        ? { server, caPem, token: '', user: 'kcp-admin', clientCert: adminCert }
        : { server, caPem, ...TOKENS[role] };
    };
    await second.start();
    const kcp: ShardedKcp = {
      baseUrl: FRONT_PROXY_URL,
      caPem,
      process: launcher,
      identity,
      client: (role, path) => clientFor(kcp.identity(role, path)),
      agentUser: TOKENS.agent.user,
      stop: stopAll,
      shards: [
        { name: 'root', baseUrl: ROOT_SHARD_URL, process: () => undefined },
        { name: 'shard-1', baseUrl: second.baseUrl, process: () => second.process() },
      ],
      crashShard: () => second.crash(),
      startShard: () => second.start(),
      startupSeconds: 0,
    };
    await labelShards(kcp);
    return { ...kcp, startupSeconds: Math.round((Date.now() - started) / 1000) };
  } catch (err) {
    await stopAll();
    throw new Error('the second shard did not join the sharded kcp', { cause: err });
  }
}

/** The launcher, running and ready, with its work directory and the name of its folders. */
interface Launched {
  readonly launcher: ManagedProcess;
  readonly work: string;
  readonly name: string;
}

/**
 * kcp's launcher sometimes gives up right after its front-proxy says it is
 * ready: its first request there (labelling the root Shard) can come back
 * `forbidden: User ""`, and it does not retry that. A fresh start, with
 * fresh data, then works; three tries in all.
 */
async function launchWithRetry(artifacts: Artifacts): Promise<Launched> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch(artifacts);
    } catch (err) {
      if (attempt === 3) throw err;
      console.log(`      sharded-test-server failed to start (try ${attempt}); starting it afresh`);
    }
  }
}

/** Starts kcp's launcher in a fresh work directory (each start its own data and logs) and waits until it is ready. */
async function launch(artifacts: Artifacts): Promise<Launched> {
  startedCount += 1;
  const name = startedCount === 1 ? 'sharded-kcp' : `sharded-kcp-${startedCount}`;
  const work = artifacts.scratchDir(name);
  const logDir = join(artifacts.logFile(`${name}/launcher.log`), '..');
  const tokenFile = join(work, 'tokens.csv');
  writeFileSync(tokenFile, `${TOKEN_FILE}\n`);
  const launcher = startProcess(
    'sharded-test-server',
    toolPath('sharded-test-server'),
    [
      '--number-of-shards=1',
      `--work-dir-path=${work}`,
      `--log-dir-path=${logDir}`,
      `--proxy-token-auth-file=${tokenFile}`,
      // The servers' output goes to their own files in logDir, not also to ours.
      '--quiet',
    ],
    {
      logFile: join(logDir, 'launcher.log'),
      cwd: work,
      stopGraceMs: 30_000,
      env: {
        NO_GORUN: '1',
        KCP_ASSET_KCP: toolPath('kcp'),
        KCP_ASSET_CACHE_SERVER: toolPath('cache-server'),
        KCP_ASSET_KCP_FRONT_PROXY: toolPath('kcp-front-proxy'),
      },
    },
  );
  // On Ctrl-C the harness SIGKILLs the launcher, which then cannot stop its servers.
  onInterrupt(() => {
    killLeftovers(work);
  });
  try {
    await waitFor(
      'the front-proxy (sharded-test-server writes ready-to-test)',
      () => Promise.resolve(existsSync(join(work, '.kcp', 'ready-to-test')) ? true : undefined),
      {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 250,
        failFast: () => {
          exitedCheck(launcher);
        },
      },
    );
  } catch (err) {
    const tail = `last lines of ${launcher.logFile}:\n${launcher.logTail(10)}`;
    await stopLauncher(launcher, work);
    throw new Error(`sharded-test-server did not become ready; ${tail}`, { cause: err });
  }
  return { launcher, work, name };
}

async function stopLauncher(launcher: ManagedProcess, work: string): Promise<void> {
  await launcher.stop();
  // The launcher stops its servers when it ends; make sure none outlived it.
  killLeftovers(work);
}

interface SecondShard {
  readonly baseUrl: string;
  process(): ManagedProcess | undefined;
  start(): Promise<void>;
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The second shard, with the flags sharded-test-server gives its shard n > 0
 * (certificates and kubeconfigs it wrote under the work directory), on free
 * ports. It reuses the root shard's serving certificate (issued for
 * 127.0.0.1 and localhost) and shard client certificate.
 */
async function secondShard(logFile: string, work: string, tokenFile: string): Promise<SecondShard> {
  const [port, etcdClient, etcdPeer] = [await freePort(), await freePort(), await freePort()];
  const baseUrl = `https://127.0.0.1:${port}`;
  const kcpDir = join(work, '.kcp');
  const rootDir = join(work, '.kcp-0');
  const args = [
    'start',
    '--shard-name=shard-1',
    `--root-directory=${join(work, '.kcp-1')}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--embedded-etcd-client-port=${etcdClient}`,
    `--embedded-etcd-peer-port=${etcdPeer}`,
    `--root-shard-kubeconfig-file=${join(rootDir, 'admin.kubeconfig')}`,
    `--cache-kubeconfig=${join(work, '.kcp-cache', 'cache.kubeconfig')}`,
    `--client-ca-file=${join(kcpDir, 'client-ca.crt')}`,
    `--requestheader-client-ca-file=${join(kcpDir, 'requestheader-ca.crt')}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--service-account-key-file=${join(kcpDir, 'service-account.crt')}`,
    `--service-account-private-key-file=${join(kcpDir, 'service-account.key')}`,
    `--service-account-signing-key-file=${join(kcpDir, 'service-account.key')}`,
    `--shard-external-url=${FRONT_PROXY_URL}`,
    `--tls-cert-file=${join(rootDir, 'apiserver.crt')}`,
    `--tls-private-key-file=${join(rootDir, 'apiserver.key')}`,
    `--logical-cluster-admin-kubeconfig=${join(kcpDir, 'logical-cluster-admin.kubeconfig')}`,
    `--external-logical-cluster-admin-kubeconfig=${join(kcpDir, 'external-logical-cluster-admin.kubeconfig')}`,
    `--shard-client-cert-file=${join(rootDir, 'shard-client-cert.crt')}`,
    `--shard-client-key-file=${join(rootDir, 'shard-client-cert.key')}`,
    `--shard-virtual-workspace-ca-file=${join(kcpDir, 'serving-ca.crt')}`,
    `--mount-proxy-client-cert-file=${join(kcpDir, 'mounts-proxy.crt')}`,
    `--mount-proxy-client-key-file=${join(kcpDir, 'mounts-proxy.key')}`,
    `--token-auth-file=${tokenFile}`,
  ];
  let proc: ManagedProcess | undefined;
  return {
    baseUrl,
    process: () => proc,
    start: async () => {
      if (proc !== undefined && !proc.exited()) return;
      const p = startProcess('kcp shard-1', toolPath('kcp'), args, { logFile });
      proc = p;
      await waitReady(baseUrl, readFileSync(join(kcpDir, 'serving-ca.crt'), 'utf8'), p, START_TIMEOUT_MS);
    },
    crash: async () => {
      await proc?.kill();
    },
    stop: async () => {
      await proc?.stop();
    },
  };
}

/** Labels both Shard objects with their names, so workspaces can pick one; waits for the second to register. */
async function labelShards(kcp: ShardedKcp): Promise<void> {
  const root = await kcp.client('admin', 'root');
  for (const shard of kcp.shards) {
    await waitFor(
      `Shard ${shard.name} to be registered`,
      async () => {
        await root.patch(`/apis/core.kcp.io/v1alpha1/shards/${shard.name}`, {
          metadata: { labels: { [SHARD_LABEL]: shard.name } },
        });
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }
}

/**
 * The processes whose command line names our work directory (a fresh temp
 * path): the launcher's servers. Found by that path, not by a program name,
 * so nobody else's kcp is ever touched.
 */
function serversUsing(work: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(work)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** SIGKILL for the launcher's servers that outlived it (it was killed, or it died). */
function killLeftovers(work: string): void {
  for (const pid of serversUsing(work)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
