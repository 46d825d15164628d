import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { request } from 'undici';
import type { CustomResourceDefinition } from '../../src/apis/apiextensions.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import type { Artifacts } from './artifacts.ts';
import { applyObject } from './kcp-fixtures.ts';
import { exitedCheck } from './kcp-server.ts';
import { freePort } from './ports.ts';
import { type ManagedProcess, startProcess } from './processes.ts';
import type { ServiceCluster } from './service-cluster.ts';
import { toolPath } from './tools.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

/** Where Crossplane runs and keeps its TLS Secrets, as its Helm chart would put it. */
export const CROSSPLANE_NAMESPACE = 'crossplane-system';
const CA_SECRET = 'crossplane-root-ca';
const CLIENT_SECRET = 'crossplane-tls-client';
/** The field manager the harness applies Crossplane's CRDs with. */
const FIELD_MANAGER = 'e2e-harness';

/** Crossplane core running as a local process against a service cluster. */
export interface Crossplane {
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts Crossplane v1.20 core against the service cluster the way its
 * container would run, minus the container: its CRDs applied server-side from
 * the module (`core init` only knows the image's /crds), `core init` for the
 * TLS Secrets, then `core start` with the client certificate as files (a pod
 * would mount the Secret). No webhooks and no package runtime: only
 * Resources-mode Compositions are used, which run inside the core.
 */
export async function startCrossplane(artifacts: Artifacts, service: ServiceCluster): Promise<Crossplane> {
  const name = `${service.name}/crossplane`;
  const dir = artifacts.scratchDir(name);
  const client = await service.client();
  const binary = toolPath('crossplane');
  await applyObject(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CROSSPLANE_NAMESPACE } });
  await applyCrossplaneCrds(client, `${binary}.crds`);
  const env = { POD_NAMESPACE: CROSSPLANE_NAMESPACE, KUBECONFIG: service.adminKubeconfig };
  const initLog = artifacts.logFile(`${name}-init.log`);
  await initTls(binary, env, initLog);
  const certsDir = await writeClientCerts(client, dir).catch((err: unknown) => {
    throw new Error(`crossplane core init wrote no client certificate; its output:\n${readFileSync(initLog, 'utf8')}`, {
      cause: err,
    });
  });
  const healthPort = await freePort();
  const proc = startProcess(
    name,
    binary,
    [
      'core',
      'start',
      '--enable-webhooks=false',
      '--package-runtime=External',
      `--tls-client-secret-name=${CLIENT_SECRET}`,
      `--tls-client-certs-dir=${certsDir}`,
      `--metrics-port=${await freePort()}`,
      `--health-probe-port=${healthPort}`,
      `--xpkg-cache-dir=${join(dir, 'xpkg')}`,
      '--debug',
    ],
    { logFile: artifacts.logFile(`${name}.log`), env },
  );
  await waitFor(
    'crossplane /readyz',
    async () => {
      const res = await request(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await res.body.text();
      return res.statusCode === 200 ? true : undefined;
    },
    {
      timeoutMs: 60_000,
      intervalMs: 200,
      failFast: () => {
        exitedCheck(proc);
      },
    },
  ).catch(async (err: unknown) => {
    await proc.stop();
    throw new Error(`crossplane did not become ready; last lines of ${proc.logFile}:\n${proc.logTail()}`, {
      cause: err,
    });
  });
  return { process: proc, stop: () => proc.stop() };
}

/**
 * Applies every CRD of the module's cluster/crds server-side (several are too
 * large for a client-side apply's last-applied annotation) and waits until
 * each is Established.
 */
async function applyCrossplaneCrds(client: RestClient, crdDir: string): Promise<void> {
  const crds = readdirSync(crdDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(join(crdDir, f), 'utf8')) as CustomResourceDefinition);
  for (const crd of crds) {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name ?? ''}`;
    await client.patch(path, crd, 'apply', { fieldManager: FIELD_MANAGER, force: true });
  }
  for (const crd of crds) {
    const name = crd.metadata.name ?? '';
    await waitFor(`CRD ${name} to be Established`, async () => {
      const obj = await client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      const conditions =
        (obj['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
      return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
  }
}

/**
 * `core init` writes the CA and client-certificate Secrets first, then reads
 * the CRDs from the image's /crds and fails there (they are applied already),
 * so its exit status says nothing; the client Secret appearing is the signal.
 */
async function initTls(binary: string, env: Record<string, string>, logFile: string): Promise<void> {
  const result = await run(binary, ['core', 'init'], {
    env: {
      ...process.env,
      ...env,
      WEBHOOK_ENABLED: 'false',
      TLS_CA_SECRET_NAME: CA_SECRET,
      TLS_CLIENT_SECRET_NAME: CLIENT_SECRET,
    },
  }).then(
    (r) => `${r.stdout}${r.stderr}`,
    (err: unknown) => {
      const e = err as { stdout?: string; stderr?: string };
      return `${e.stdout ?? ''}${e.stderr ?? ''}`;
    },
  );
  writeFileSync(logFile, result);
}

/** Writes the client Secret's tls.crt, tls.key and ca.crt where a pod would mount them. */
async function writeClientCerts(client: RestClient, dir: string): Promise<string> {
  const secret = await waitFor(
    `Secret ${CROSSPLANE_NAMESPACE}/${CLIENT_SECRET} from core init`,
    async () => {
      const obj = await client.get(`/api/v1/namespaces/${CROSSPLANE_NAMESPACE}/secrets/${CLIENT_SECRET}`);
      const data = obj['data'] as Record<string, string> | undefined;
      return data?.['tls.crt'] !== undefined && data['tls.key'] !== undefined && data['ca.crt'] !== undefined
        ? data
        : undefined;
    },
    { timeoutMs: 10_000 },
  );
  const certsDir = join(dir, 'tls-client');
  mkdirSync(certsDir, { recursive: true });
  for (const key of ['tls.crt', 'tls.key', 'ca.crt']) {
    writeFileSync(join(certsDir, key), Buffer.from(secret[key] ?? '', 'base64'), { mode: 0o600 });
  }
  return certsDir;
}
