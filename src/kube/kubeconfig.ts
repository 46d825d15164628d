import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { isRecord } from './object.ts';

/**
 * The current context of a kubeconfig, resolved: file references read, paths
 * made absolute. Our own reader rather than client-node's KubeConfig, whose
 * module pulls in the whole generated Kubernetes API (measured: 84 MiB of RSS
 * and 24 MiB of heap at start, half of the idle agent) for the few fields we
 * read here.
 */
export interface KubeConfig {
  /** Where it came from (a path, several joined by the path delimiter, or "in-cluster"), for messages. */
  readonly source: string;
  readonly cluster: KubeCluster;
  readonly user: KubeUser;
}

export interface KubeCluster {
  readonly server: string;
  /** PEM of the CA bundle, when the kubeconfig names one. */
  readonly ca?: string;
  readonly insecureSkipTLSVerify: boolean;
  readonly tlsServerName?: string;
}

export interface KubeUser {
  readonly token?: string;
  /** A token file, read again while running (ServiceAccount tokens rotate). */
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
  /** PEM of the client certificate and its key. */
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  readonly exec?: ExecPlugin;
}

/** A client-go credential plugin (`users[].user.exec`). */
export interface ExecPlugin {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly apiVersion: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Reads a kubeconfig file, or when path is empty the default one: the files
 * in $KUBECONFIG (merged, the first definition of a name wins), else
 * ~/.kube/config, else the pod's ServiceAccount (in-cluster).
 */
export function loadKubeConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  if (path !== undefined && path !== '') return fromFiles([path]);
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '' && existsSync(p));
  if (listed.length > 0) return fromFiles(listed);
  const home = join(env['HOME'] ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return fromFiles([home]);
  const host = env['KUBERNETES_SERVICE_HOST'];
  if (host !== undefined && host !== '') return inCluster(host, env['KUBERNETES_SERVICE_PORT'] ?? '443');
  throw new Error('no kubeconfig: neither $KUBECONFIG, ~/.kube/config nor an in-cluster ServiceAccount');
}

/** Parses a kubeconfig given as YAML text; relative file references resolve against dir. */
export function kubeConfigFromString(text: string, dir = process.cwd()): KubeConfig {
  return currentContext([parseDocument(text, dir, '(text)')], '(text)');
}

function fromFiles(paths: readonly string[]): KubeConfig {
  const docs = paths.map((p) => {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      throw new Error(`failed to read kubeconfig ${p}`, { cause: err });
    }
    return parseDocument(text, dirname(resolve(p)), p);
  });
  return currentContext(docs, paths.join(delimiter));
}

function inCluster(host: string, port: string): KubeConfig {
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const ca = join(SERVICE_ACCOUNT_DIR, 'ca.crt');
  return {
    source: 'in-cluster',
    cluster: { server, insecureSkipTLSVerify: false, ...(existsSync(ca) ? { ca: readFileSync(ca, 'utf8') } : {}) },
    user: { tokenFile: join(SERVICE_ACCOUNT_DIR, 'token') },
  };
}

type Entries = ReadonlyMap<string, Record<string, unknown>>;

/** One kubeconfig file, its clusters, users and contexts by name. */
interface Document {
  readonly source: string;
  readonly dir: string;
  readonly currentContext: string;
  readonly clusters: Entries;
  readonly users: Entries;
  readonly contexts: Entries;
}

function parseDocument(text: string, dir: string, source: string): Document {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`failed to parse kubeconfig ${source}`, { cause: err });
  }
  const root = isRecord(doc) ? doc : {};
  return {
    source,
    dir,
    currentContext: str(root['current-context']) ?? '',
    clusters: named(root['clusters'], 'cluster'),
    users: named(root['users'], 'user'),
    contexts: named(root['contexts'], 'context'),
  };
}

/** A kubeconfig list (`[{name, <field>: {…}}]`) by name; the first of a name wins. */
function named(list: unknown, field: string): Entries {
  const out = new Map<string, Record<string, unknown>>();
  if (!Array.isArray(list)) return out;
  for (const item of list as unknown[]) {
    if (!isRecord(item)) continue;
    const name = str(item['name']);
    const body = item[field];
    if (name !== undefined && isRecord(body) && !out.has(name)) out.set(name, body);
  }
  return out;
}

/** Finds the first definition of a name in the merged documents, with the document it came from. */
function lookup(
  docs: readonly Document[],
  kind: 'clusters' | 'users' | 'contexts',
  name: string,
): { entry: Record<string, unknown>; doc: Document } | undefined {
  for (const doc of docs) {
    const entry = doc[kind].get(name);
    if (entry !== undefined) return { entry, doc };
  }
  return undefined;
}

function currentContext(docs: readonly Document[], source: string): KubeConfig {
  const name = docs.find((d) => d.currentContext !== '')?.currentContext ?? '';
  const context = lookup(docs, 'contexts', name);
  if (context === undefined) throw new Error(`kubeconfig ${source} has no current context`);
  const cluster = lookup(docs, 'clusters', str(context.entry['cluster']) ?? '');
  if (cluster === undefined) throw new Error(`kubeconfig ${source} has no current cluster`);
  const userName = str(context.entry['user']);
  const user = userName === undefined ? undefined : lookup(docs, 'users', userName);
  return {
    source,
    cluster: clusterOf(cluster.entry, cluster.doc),
    user: user === undefined ? {} : userOf(user.entry, user.doc, userName ?? ''),
  };
}

function clusterOf(c: Record<string, unknown>, doc: Document): KubeCluster {
  const server = str(c['server']) ?? '';
  if (server === '') throw new Error(`kubeconfig ${doc.source}: the current cluster has no server`);
  const ca = pem(c, 'certificate-authority', doc);
  const tlsServerName = str(c['tls-server-name']);
  return {
    server,
    insecureSkipTLSVerify: c['insecure-skip-tls-verify'] === true,
    ...(ca === undefined ? {} : { ca }),
    ...(tlsServerName === undefined ? {} : { tlsServerName }),
  };
}

function userOf(u: Record<string, unknown>, doc: Document, name: string): KubeUser {
  const provider = u['auth-provider'];
  if (isRecord(provider)) {
    throw new Error(
      `kubeconfig ${doc.source}: user ${name} uses the auth-provider "${str(provider['name']) ?? '?'}", which is not supported; use an exec credential plugin`,
    );
  }
  const fields: Record<string, unknown> = {
    token: str(u['token']),
    tokenFile: pathIn(doc, str(u['tokenFile'])),
    username: str(u['username']),
    password: str(u['password']),
    clientCertificate: pem(u, 'client-certificate', doc),
    clientKey: pem(u, 'client-key', doc),
    exec: isRecord(u['exec']) ? execOf(u['exec'], doc) : undefined,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''));
}

function execOf(e: Record<string, unknown>, doc: Document): ExecPlugin {
  const command = str(e['command']) ?? '';
  if (command === '') throw new Error(`kubeconfig ${doc.source}: an exec plugin has no command`);
  const env: Record<string, string> = {};
  for (const item of Array.isArray(e['env']) ? (e['env'] as unknown[]) : []) {
    if (isRecord(item) && typeof item['name'] === 'string') env[item['name']] = str(item['value']) ?? '';
  }
  // client-go runs a command given with a relative path from the kubeconfig's directory.
  const resolved = command.includes('/') ? (pathIn(doc, command) ?? command) : command;
  return {
    command: resolved,
    args: Array.isArray(e['args']) ? (e['args'] as unknown[]).filter((a): a is string => typeof a === 'string') : [],
    env,
    apiVersion: str(e['apiVersion']) ?? 'client.authentication.k8s.io/v1',
  };
}

/** `<field>-data` (base64 PEM) or `<field>` (a file), read now. */
function pem(entry: Record<string, unknown>, field: string, doc: Document): string | undefined {
  const data = str(entry[`${field}-data`]);
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  const file = pathIn(doc, str(entry[field]));
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`kubeconfig ${doc.source}: failed to read ${field} ${file}`, { cause: err });
  }
}

function pathIn(doc: Document, p: string | undefined): string | undefined {
  if (p === undefined || p === '') return undefined;
  return isAbsolute(p) ? p : join(doc.dir, p);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
