import type { Agent as UndiciAgent } from 'undici';
import { fenceAtSend } from './fence-at-send.ts';
import { RecyclingAgent, type RequestDispatcher } from './recycling-agent.ts';
import { Agent } from './undici-agent.ts';
import { authHeadersFor, runExecPlugin } from './credentials.ts';
import type { KubeCluster, KubeConfig } from './kubeconfig.ts';

/**
 * How to reach one API server: its base URL (which may carry a path such as
 * kcp's `/clusters/root:org`), a connection pool with the right TLS material,
 * and the request headers that authenticate us.
 */
export interface Connection {
  /** Base URL without a trailing slash, e.g. `https://127.0.0.1:6443/clusters/root`. */
  readonly server: string;
  readonly dispatcher: RequestDispatcher;
  /** Headers for one request (a fresh call lets short-lived credentials refresh). */
  authHeaders(): Promise<Record<string, string>>;
}

/** Options for building connections. */
export interface ConnectionOptions {
  /** Parallel sockets to one origin; HTTP/1.1 keep-alive connections are reused. */
  readonly maxConnections?: number;
  /** Told when the pool was replaced because a request could not be sent (for a log line). */
  readonly onRecycle?: (why: string) => void;
}

/**
 * Builds a Connection from a kubeconfig's current context. TLS material was
 * read with the kubeconfig; an exec plugin runs once now (for a client
 * certificate it may hand out) and again whenever its token expires.
 */
export async function connectionFromKubeConfig(kc: KubeConfig, opts: ConnectionOptions = {}): Promise<Connection> {
  const { cluster, user } = kc;
  const fromPlugin = user.exec === undefined ? undefined : await runExecPlugin(user.exec);
  const cert = user.clientCertificate ?? fromPlugin?.clientCertificate;
  const key = user.clientKey ?? fromPlugin?.clientKey;
  const dispatcher = new RecyclingAgent(
    () =>
      new Agent({
        connections: opts.maxConnections ?? 64,
        keepAliveTimeout: 30_000,
        connect: tlsOptions(cluster, cert, key),
      }).compose(fenceAtSend),
    { onRecycle: opts.onRecycle },
  );
  return {
    server: cluster.server.replace(/\/+$/, ''),
    dispatcher,
    authHeaders: authHeadersFor(user, fromPlugin),
  };
}

/** The same credentials and pool, aimed at another base URL (e.g. a virtual workspace). */
export function withServer(conn: Connection, server: string): Connection {
  return { ...conn, server: server.replace(/\/+$/, '') };
}

function tlsOptions(
  cluster: KubeCluster,
  cert: string | undefined,
  key: string | undefined,
): UndiciAgent.Options['connect'] {
  return {
    ...(cluster.ca === undefined ? {} : { ca: cluster.ca }),
    ...(cert === undefined || key === undefined ? {} : { cert, key }),
    ...(cluster.insecureSkipTLSVerify ? { rejectUnauthorized: false } : {}),
    ...(cluster.tlsServerName === undefined ? {} : { servername: cluster.tlsServerName }),
  };
}
