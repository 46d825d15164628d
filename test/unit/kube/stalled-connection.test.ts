// Our REST client on a connection that goes silent (a black-holed path: the
// socket stays open, nothing fails, nothing arrives). The server is a real
// node:http2 TLS server behind a loopback TCP proxy that stops forwarding: a
// test of the client's connection handling (undici speaks HTTP/2 to it, as it
// does to kube-apiserver and kcp), not a claim about any API server.
import { expect } from 'chai';
import {
  createSecureServer,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { type Connection, connectionFromKubeConfig } from '../../../src/kube/connection.ts';
import { kubeConfigFromString } from '../../../src/kube/kubeconfig.ts';
import { RestClient } from '../../../src/kube/rest-client.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { TcpProxy } from '../../faults/tcp-proxy.ts';
import { selfSignedCert } from '../../utils/self-signed-cert.ts';

/** Answers `/version`; holds every watch open without sending a byte, as a quiet collection's watch is. */
class Http2Server {
  readonly watches: ServerHttp2Stream[] = [];
  private readonly server: Http2SecureServer;

  constructor(tls: { key: string; cert: string }) {
    this.server = createSecureServer(tls);
    this.server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      if (String(headers[':path']).includes('watch=true')) {
        this.watches.push(stream);
        return;
      }
      stream.end(JSON.stringify({ kind: 'Version', apiVersion: 'v1', metadata: { name: 'version' } }));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => {
      this.server.listen(0, '127.0.0.1', resolve);
    });
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.close();
    await new Promise((resolve) => {
      this.server.close(resolve);
    });
  }
}

async function connectionThrough(server: string, caPem: string): Promise<Connection> {
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'u', user: { token: 'secret' } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  };
  return connectionFromKubeConfig(kubeConfigFromString(stringify(kubeconfig)));
}

const settled = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (err: unknown) => err,
  );

describe('RestClient on a connection that goes silent', function () {
  this.timeout(15_000);
  let tls: { key: string; cert: string };
  let server: Http2Server;
  let proxy: TcpProxy;
  let conn: Connection;
  let client: RestClient;

  before(function () {
    tls = selfSignedCert();
  });

  beforeEach(async function () {
    server = new Http2Server(tls);
    proxy = new TcpProxy(await server.listen());
    conn = await connectionThrough(await proxy.listen(), tls.cert);
    client = new RestClient(conn, {
      qps: 0,
      burst: 1,
      clock: systemClock,
      timeoutMs: 1_000,
      liveness: { intervalMs: 500, timeoutMs: 1_000 },
    });
  });

  afterEach(async function () {
    await conn.dispatcher.destroy();
    await proxy.close();
    await server.close();
  });

  it('shares one HTTP/2 connection between a watch and the requests next to it', async function () {
    const watching = new AbortController();
    const watch = settled(client.watch('/apis/x/v1/things', {}, () => undefined, watching.signal));
    await client.get('/version');
    await client.get('/version');

    expect(server.watches).to.have.length(1);
    expect(proxy.accepted, 'connections opened').to.equal(1);
    watching.abort();
    await watch;
  });

  it('leaves a connection on which a request timed out: the next request goes out on a new one', async function () {
    await client.get('/version');
    proxy.stall();

    const timedOut = await settled(client.get('/version'));
    const started = performance.now();
    const next = await settled(client.get('/version'));

    expect(timedOut).to.be.instanceOf(Error);
    expect(next, 'the request after the timeout').to.not.be.instanceOf(Error);
    expect(performance.now() - started, 'ms until it was answered').to.be.below(3_000);
    expect(proxy.accepted, 'connections opened').to.equal(2);
  });

  it('ends a watch whose connection went silent with an error, although the watch itself is quiet', async function () {
    const watch = settled(client.watch('/apis/x/v1/things', {}, () => undefined, new AbortController().signal));
    await waitFor(() => server.watches.length === 1);
    proxy.stall();
    const started = performance.now();

    const ended = await watch;

    expect(ended, 'how the watch ended').to.be.instanceOf(Error);
    // Liveness check every 500 ms; its request and the PING after it get 1 s each.
    expect(performance.now() - started, 'ms until the watch failed').to.be.below(4_000);
    expect(await settled(client.get('/version')), 'a request afterwards').to.not.be.instanceOf(Error);
    // Requests sent while the pool reconnects may open a second new connection.
    expect(proxy.accepted, 'connections opened').to.be.above(1);
  });

  it('gives a watch resumed on a silent connection (ended from our side) an error instead of a hang', async function () {
    const quiet = new RestClient(conn, { qps: 0, burst: 1, clock: systemClock, timeoutMs: 1_000 });
    const first = new AbortController();
    const watch = settled(quiet.watch('/apis/x/v1/things', {}, () => undefined, first.signal));
    await waitFor(() => server.watches.length === 1);
    proxy.stall();
    // What the informer does when a watch outlives its deadline: end it, resume it.
    first.abort();
    await watch;

    const resumed = await settled(quiet.watch('/apis/x/v1/things', {}, () => undefined, new AbortController().signal));

    expect(resumed, 'the resumed watch').to.be.instanceOf(Error);
    expect(await settled(quiet.get('/version')), 'a request afterwards').to.not.be.instanceOf(Error);
    expect(proxy.accepted, 'connections opened').to.equal(2);
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('timed out waiting');
}
