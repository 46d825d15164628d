import { type Cluster, KubeConfig } from '@kubernetes/client-node';
import { Agent } from 'undici';

/**
 * How to reach one API server: its base URL (which may carry a path such as
 * kcp's `/clusters/root:org`), a connection pool with the right TLS material,
 * and the request headers that authenticate us.
 */
export interface Connection {
  /** Base URL without a trailing slash, e.g. `https://127.0.0.1:6443/clusters/root`. */
  readonly server: string;
  readonly dispatcher: Agent;
  /** Headers for one request (a fresh call lets short-lived credentials refresh). */
  authHeaders(): Promise<Record<string, string>>;
}

/** Options for building connections. */
export interface ConnectionOptions {
  /** Parallel sockets to one origin; HTTP/1.1 keep-alive connections are reused. */
  readonly maxConnections?: number;
}

/** Reads a kubeconfig file (or the in-cluster / default config when path is empty). */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined && path !== '') {
    kc.loadFromFile(path);
  } else {
    kc.loadFromDefault();
  }
  if (kc.getCurrentCluster() === null) {
    throw new Error(`kubeconfig ${path ?? '(default)'} has no current cluster`);
  }
  return kc;
}

/** Parses a kubeconfig given as YAML text. */
export function kubeConfigFromString(text: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(text);
  return kc;
}

/**
 * Builds a Connection from a kubeconfig's current context. TLS material is read
 * once; auth headers are cached unless the user has an exec or auth-provider
 * plugin, whose tokens expire.
 */
export async function connectionFromKubeConfig(kc: KubeConfig, opts: ConnectionOptions = {}): Promise<Connection> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('kubeconfig has no current cluster');
  const tls: HttpsMaterial = {};
  await kc.applyToHTTPSOptions(tls);
  const dispatcher = new Agent({
    connections: opts.maxConnections ?? 64,
    keepAliveTimeout: 30_000,
    connect: tlsOptions(tls, cluster),
  });
  const user = kc.getCurrentUser();
  const dynamic = user?.exec !== undefined || user?.authProvider !== undefined;
  const fixed = headersOf(tls.headers);
  return {
    server: cluster.server.replace(/\/+$/, ''),
    dispatcher,
    authHeaders: dynamic
      ? async () => {
          const fresh: { headers?: unknown } = {};
          await kc.applyToHTTPSOptions(fresh);
          return headersOf(fresh.headers);
        }
      : () => Promise.resolve(fixed),
  };
}

/** The same credentials and pool, aimed at another base URL (e.g. a virtual workspace). */
export function withServer(conn: Connection, server: string): Connection {
  return { ...conn, server: server.replace(/\/+$/, '') };
}

/** What client-node's applyToHTTPSOptions fills in. */
interface HttpsMaterial {
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  headers?: unknown;
}

function tlsOptions(tls: HttpsMaterial, cluster: Cluster): ConnectionOptionsTls {
  const out: ConnectionOptionsTls = {};
  if (isPem(tls.ca)) out.ca = tls.ca;
  if (isPem(tls.cert)) out.cert = tls.cert;
  if (isPem(tls.key)) out.key = tls.key;
  if (cluster.skipTLSVerify) out.rejectUnauthorized = false;
  if (cluster.tlsServerName !== undefined) out.servername = cluster.tlsServerName;
  return out;
}

type ConnectionOptionsTls = {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
};

function isPem(v: unknown): v is string | Buffer {
  return typeof v === 'string' || Buffer.isBuffer(v);
}

function headersOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') out[k] = val;
  }
  return out;
}
