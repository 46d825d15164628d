import { expect } from 'chai';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { authHeadersFor, parseExecCredential } from '../../../src/kube/credentials.ts';
import { type KubeConfig, kubeConfigFromString, loadKubeConfig } from '../../../src/kube/kubeconfig.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A kubeconfig with one context, `ctx`, joining the cluster and user given. */
function doc(
  cluster: Record<string, unknown>,
  user: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
    ...extra,
  });
}

describe('kubeconfig reading', function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA FROM FILE');
    writeFileSync(join(dir, 'token'), 'file-token\n');
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: {
    name: string;
    cluster: Record<string, unknown>;
    user: Record<string, unknown>;
    expected: (dir: string) => Pick<KubeConfig, 'cluster' | 'user'>;
  }[] = [
    {
      name: 'inline CA, client certificate and key are decoded',
      cluster: { server: 'https://k:6443', 'certificate-authority-data': b64('CA') },
      user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
      expected: () => ({
        cluster: { server: 'https://k:6443', ca: 'CA', insecureSkipTLSVerify: false },
        user: { clientCertificate: 'CERT', clientKey: 'KEY' },
      }),
    },
    {
      name: 'files are read relative to the kubeconfig',
      cluster: { server: 'https://k', 'certificate-authority': 'ca.pem', 'tls-server-name': 'kcp' },
      user: { tokenFile: 'token' },
      expected: (d) => ({
        cluster: { server: 'https://k', ca: 'CA FROM FILE', insecureSkipTLSVerify: false, tlsServerName: 'kcp' },
        user: { tokenFile: join(d, 'token') },
      }),
    },
    {
      name: 'a token and skipping TLS verification',
      cluster: { server: 'https://k', 'insecure-skip-tls-verify': true },
      user: { token: 'abc' },
      expected: () => ({ cluster: { server: 'https://k', insecureSkipTLSVerify: true }, user: { token: 'abc' } }),
    },
    {
      name: 'an exec plugin keeps its command, arguments and environment',
      cluster: { server: 'https://k' },
      user: { exec: { command: 'get-token', args: ['--x'], env: [{ name: 'A', value: '1' }] } },
      expected: () => ({
        cluster: { server: 'https://k', insecureSkipTLSVerify: false },
        user: {
          exec: { command: 'get-token', args: ['--x'], env: { A: '1' }, apiVersion: 'client.authentication.k8s.io/v1' },
        },
      }),
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const path = join(dir, 'config');
      writeFileSync(path, doc(c.cluster, c.user));
      const kc = loadKubeConfig(path);
      expect({ cluster: kc.cluster, user: kc.user }).to.deep.equal(c.expected(dir));
    });
  }

  it('merges $KUBECONFIG files: the first file naming the current context and each entry wins', function () {
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    writeFileSync(first, stringify({ 'current-context': 'ctx', users: [{ name: 'u', user: { token: 'first' } }] }));
    writeFileSync(second, doc({ server: 'https://second' }, { token: 'second' }, { 'current-context': 'other' }));
    const kc = loadKubeConfig(undefined, { KUBECONFIG: [first, second].join(delimiter) });
    expect(kc.cluster.server).to.equal('https://second');
    expect(kc.user).to.deep.equal({ token: 'first' });
  });

  it('falls back to the in-cluster ServiceAccount, with an IPv6 host in brackets', function () {
    const kc = loadKubeConfig(undefined, {
      HOME: dir,
      KUBERNETES_SERVICE_HOST: 'fd00::1',
      KUBERNETES_SERVICE_PORT: '443',
    });
    expect(kc.cluster.server).to.equal('https://[fd00::1]:443');
    expect(kc.user).to.deep.equal({ tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
  });

  const failures: { name: string; text: string; message: RegExp }[] = [
    { name: 'no current context', text: stringify({ clusters: [] }), message: /no current context/ },
    {
      name: 'a context naming a missing cluster',
      text: stringify({ contexts: [{ name: 'x', context: { cluster: 'gone' } }], 'current-context': 'x' }),
      message: /no current cluster/,
    },
    {
      name: 'an auth-provider user',
      text: doc({ server: 'https://k' }, { 'auth-provider': { name: 'oidc' } }),
      message: /auth-provider "oidc".*exec credential plugin/,
    },
  ];
  for (const f of failures) {
    it(`refuses ${f.name}`, function () {
      expect(() => kubeConfigFromString(f.text)).to.throw(f.message);
    });
  }
});

describe('kubeconfig credentials', function () {
  it('sends a fixed token, or basic auth', async function () {
    expect(await authHeadersFor({ token: 't' })()).to.deep.equal({ authorization: 'Bearer t' });
    expect(await authHeadersFor({ username: 'a', password: 'b' })()).to.deep.equal({
      authorization: `Basic ${b64('a:b')}`,
    });
    expect(await authHeadersFor({})()).to.deep.equal({});
  });

  it('reads a token file again after a minute', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'one\n');
    let now = 0;
    const headers = authHeadersFor({ tokenFile: file }, undefined, () => now);
    expect(await headers()).to.deep.equal({ authorization: 'Bearer one' });
    writeFileSync(file, 'two');
    now = 59_000;
    expect(await headers()).to.deep.equal({ authorization: 'Bearer one' });
    now = 60_000;
    expect(await headers()).to.deep.equal({ authorization: 'Bearer two' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs an exec plugin again when its token is about to expire', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'exec-'));
    const plugin = join(dir, 'plugin.sh');
    // Each run answers with a new token: the number of lines in its run log.
    writeFileSync(
      plugin,
      `#!/bin/sh\necho run >> "${dir}/runs"\nn=$(wc -l < "${dir}/runs" | tr -d ' ')\n` +
        `echo "{\\"status\\":{\\"token\\":\\"t$n\\",\\"expirationTimestamp\\":\\"1970-01-01T00:01:00Z\\"}}"\n`,
    );
    chmodSync(plugin, 0o755);
    let now = 0;
    const exec = { command: plugin, args: [], env: {}, apiVersion: 'client.authentication.k8s.io/v1' };
    const headers = authHeadersFor({ exec }, undefined, () => now);
    expect(await headers()).to.deep.equal({ authorization: 'Bearer t1' });
    now = 49_000;
    expect(await headers()).to.deep.equal({ authorization: 'Bearer t1' });
    now = 50_000;
    expect(await headers()).to.deep.equal({ authorization: 'Bearer t2' });
    rmSync(dir, { recursive: true, force: true });
  });

  const answers: { name: string; stdout: string; expected: ReturnType<typeof parseExecCredential> | RegExp }[] = [
    {
      name: 'a token with its expiry',
      stdout: JSON.stringify({ status: { token: 'x', expirationTimestamp: '2030-01-01T00:00:00Z' } }),
      expected: { token: 'x', expiresAt: Date.parse('2030-01-01T00:00:00Z') },
    },
    {
      name: 'a client certificate',
      stdout: JSON.stringify({ status: { clientCertificateData: 'C', clientKeyData: 'K' } }),
      expected: { clientCertificate: 'C', clientKey: 'K' },
    },
    { name: 'no credential', stdout: JSON.stringify({ status: {} }), expected: /neither a token nor/ },
    { name: 'not JSON', stdout: 'oops', expected: /did not print JSON/ },
  ];
  for (const a of answers) {
    it(`reads an exec plugin's answer: ${a.name}`, function () {
      if (a.expected instanceof RegExp) expect(() => parseExecCredential(a.stdout, 'p')).to.throw(a.expected);
      else expect(parseExecCredential(a.stdout, 'p')).to.deep.equal(a.expected);
    });
  }
});
