import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { connectionFromKubeConfig } from '../../src/kube/connection.ts';
import { kubeConfigFromString } from '../../src/kube/kubeconfig.ts';
import { RestClient } from '../../src/kube/rest-client.ts';
import { systemClock } from '../../src/runtime/clock.ts';

/** Everything needed to talk to a server as one identity. */
export interface Identity {
  readonly server: string;
  readonly caPem: string;
  /** Empty when the identity is a client certificate. */
  readonly token: string;
  readonly user: string;
  /** A client certificate and its key (PEM), e.g. kcp-admin's behind kcp's front-proxy. */
  readonly clientCert?: { readonly certPem: string; readonly keyPem: string };
}

function userEntry(id: Identity): Record<string, string> {
  const b64 = (pem: string): string => Buffer.from(pem).toString('base64');
  return {
    ...(id.token === '' ? {} : { token: id.token }),
    ...(id.clientCert === undefined
      ? {}
      : { 'client-certificate-data': b64(id.clientCert.certPem), 'client-key-data': b64(id.clientCert.keyPem) }),
  };
}

/** A kubeconfig document for an identity, as YAML. */
function kubeconfigYaml(id: Identity): string {
  const contextName = 'default';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: contextName,
        cluster: { server: id.server, 'certificate-authority-data': Buffer.from(id.caPem).toString('base64') },
      },
    ],
    users: [{ name: `${contextName}-${id.user}`, user: userEntry(id) }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: `${contextName}-${id.user}` } }],
    'current-context': contextName,
  });
}

export function writeKubeconfig(path: string, id: Identity): string {
  writeFileSync(path, kubeconfigYaml(id), { mode: 0o600 });
  return path;
}

/** A REST client for an identity; tests use generous limits. */
export async function clientFor(id: Identity): Promise<RestClient> {
  const conn = await connectionFromKubeConfig(kubeConfigFromString(kubeconfigYaml(id)));
  return new RestClient(conn, { qps: 0, burst: 1, clock: systemClock, userAgent: 'e2e-harness' });
}
