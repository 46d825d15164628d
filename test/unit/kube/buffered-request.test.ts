// bufferedRequest reads a whole answer from undici's handler callbacks. The
// answers come from a node:http server on 127.0.0.1: a transport, not an API
// server fake.
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import {
  AnswerTimeoutError,
  bufferedRequest,
  DeadlineError,
  UnsentTimeoutError,
} from '../../../src/kube/buffered-request.ts';
import { RecyclingAgent } from '../../../src/kube/recycling-agent.ts';
import { RestClient } from '../../../src/kube/rest-client.ts';
import { Agent as UndiciAgent } from '../../../src/kube/undici-agent.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { selfSignedCert } from '../../utils/self-signed-cert.ts';

type Responder = (req: IncomingMessage, res: ServerResponse) => void;

describe('bufferedRequest', function () {
  let server: Server;
  let origin: string;
  let respond: Responder = () => undefined;
  let received = 0;
  let closedEarly = 0;
  const agent = new Agent();

  before(async function () {
    server = createServer((req, res) => {
      received++;
      res.on('close', () => {
        if (!res.writableFinished) closedEarly++;
      });
      respond(req, res);
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(function () {
    received = 0;
    closedEarly = 0;
  });

  after(async function () {
    await agent.close();
    server.closeAllConnections();
    await new Promise((resolve) => {
      server.close(resolve);
    });
  });

  it('returns the status, the headers and the whole body, whatever the chunks (a character split between two)', async function () {
    respond = (_req, res) => {
      res.writeHead(409, { 'retry-after': '3' });
      const bytes = Buffer.from('{"name":"größe"}');
      res.write(bytes.subarray(0, 13));
      res.end(bytes.subarray(13));
    };
    const answer = await bufferedRequest(agent, { origin, path: '/x', method: 'GET' });
    expect(answer).to.deep.include({ statusCode: 409, text: '{"name":"größe"}' });
    expect(answer.headers['retry-after']).to.equal('3');
  });

  it('gives an empty body as an empty string', async function () {
    respond = (_req, res) => {
      res.writeHead(204).end();
    };
    expect(await bufferedRequest(agent, { origin, path: '/x', method: 'DELETE' })).to.deep.include({
      statusCode: 204,
      text: '',
    });
  });

  it('sends nothing for a signal aborted before, and rejects with its reason', async function () {
    const reason = new Error('given up');
    const err = await bufferedRequest(agent, {
      origin,
      path: '/x',
      method: 'GET',
      signal: AbortSignal.abort(reason),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.equal(reason);
    expect(received).to.equal(0);
  });

  it('rejects at once when the signal aborts while the answer is pending, and ends the request', async function () {
    respond = () => undefined; // never answers
    const abort = new AbortController();
    const pending = bufferedRequest(agent, { origin, path: '/slow', method: 'GET', signal: abort.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    while (received === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error('deadline');
    abort.abort(reason);
    expect(await pending).to.equal(reason);
    while (closedEarly === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  });

  it('rejects with the transport error when the connection is cut mid-answer', async function () {
    respond = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 10);
    };
    const err = await bufferedRequest(agent, { origin, path: '/x', method: 'GET' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Error);
  });

  it('says UnsentTimeoutError when the deadline passes while undici still holds the request, and never sends it', async function () {
    respond = () => undefined; // never answers: the pool's one connection stays busy
    const single = new Agent({ connections: 1, pipelining: 1 });
    const blocker = bufferedRequest(single, { origin, path: '/held', method: 'GET', deadlineMs: 300 }).catch(
      () => undefined,
    );
    while (received === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const err = await bufferedRequest(single, { origin, path: '/queued', method: 'GET', deadlineMs: 100 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(UnsentTimeoutError);
    // The connection comes free when the first request is given up: undici
    // then takes the second one up, and the handler ends it unsent.
    await blocker;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).to.equal(1);
    await single.destroy();
  });

  it('says AnswerTimeoutError when a sent request gets no answer by its deadline', async function () {
    respond = () => undefined;
    const err = await bufferedRequest(agent, { origin, path: '/slow', method: 'GET', deadlineMs: 100 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AnswerTimeoutError);
  });

  it('ends an answer still streaming at its deadline with a plain timeout, not a pool problem', async function () {
    respond = (_req, res) => {
      res.writeHead(200);
      const drip = setInterval(() => res.write(' '), 20);
      res.on('close', () => {
        clearInterval(drip);
      });
    };
    const err = await bufferedRequest(agent, { origin, path: '/drip', method: 'GET', deadlineMs: 150 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DeadlineError);
    expect(err).not.to.be.instanceOf(AnswerTimeoutError);
    expect(err).not.to.be.instanceOf(UnsentTimeoutError);
  });
});

// A server that takes no request body (a stream flow-control window of 0)
// while it answers GETs: the session stays busy, so Node postpones the PUT
// stream's timeout for as long as its body waits to be written, and undici's
// headers timeout never fires. Seen against kcp on a loaded machine: status
// PUTs waited for the 60 s backstop.
describe('bufferedRequest over HTTP/2 when the body cannot be sent', function () {
  this.timeout(10_000);
  let server: Http2SecureServer;
  let origin: string;
  let agent: Agent;

  before(async function () {
    const tls = selfSignedCert();
    server = createSecureServer({ ...tls, settings: { initialWindowSize: 0 } });
    server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      if (headers[':method'] !== 'GET') return; // never reads, never answers
      stream.respond({ ':status': 200 });
      stream.end('{}');
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    agent = new Agent({ connect: { ca: tls.cert } });
  });

  after(async function () {
    await agent.destroy();
    await new Promise((resolve) => {
      server.close(resolve);
    });
  });

  /** Sends a GET every 20 ms on the same session until stopped. */
  function keepSessionBusy(): () => Promise<void> {
    let stopped = false;
    const loop = (async (): Promise<void> => {
      while (!stopped) {
        await bufferedRequest(agent, { origin, path: '/busy', method: 'GET' });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    return async () => {
      stopped = true;
      await loop;
    };
  }

  const put = (timeouts: { headersTimeout: number; answerTimeoutMs?: number }): Promise<unknown> =>
    bufferedRequest(agent, {
      origin,
      path: '/stuck',
      method: 'PUT',
      body: 'x'.repeat(10_000),
      bodyTimeout: timeouts.headersTimeout,
      ...timeouts,
    }).then(
      () => 'answered',
      (err: unknown) => err,
    );

  it("is not ended by undici's headers timeout while the session is busy (why the answer timeout exists)", async function () {
    const stop = keepSessionBusy();
    const outcome = await Promise.race([
      put({ headersTimeout: 300 }),
      new Promise((resolve) => {
        setTimeout(() => {
          resolve('pending');
        }, 1_500);
      }),
    ]);
    await stop();
    expect(outcome).to.equal('pending');
  });

  it('fails with AnswerTimeoutError at its answer timeout', async function () {
    const stop = keepSessionBusy();
    const started = Date.now();
    const err = await put({ headersTimeout: 5_000, answerTimeoutMs: 500 });
    await stop();
    expect(err).to.be.instanceOf(AnswerTimeoutError);
    expect(Date.now() - started).to.be.below(1_500);
  });
});

describe('RestClient on a session that takes no request body', function () {
  this.timeout(10_000);

  it('fails the write at its answer timeout, not at the 2× deadline, and replaces the pool', async function () {
    const tls = selfSignedCert();
    const server = createSecureServer({ ...tls, settings: { initialWindowSize: 0 } });
    server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      if (headers[':method'] !== 'GET') return;
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'busy' } }));
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    const recycled: string[] = [];
    const dispatcher = new RecyclingAgent(() => new UndiciAgent({ connect: { ca: tls.cert } }), {
      onRecycle: (why) => recycled.push(why),
    });
    const client = new RestClient(
      {
        server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        dispatcher,
        authHeaders: () => Promise.resolve({}),
      },
      { qps: 0, burst: 1, clock: systemClock, timeoutMs: 1_000 },
    );
    let stopped = false;
    const busy = (async (): Promise<void> => {
      while (!stopped) {
        await client.get('/api/v1/namespaces/default/configmaps/busy').catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const started = Date.now();
      const err = await client
        .replace('/api/v1/namespaces/default/configmaps/stuck', { data: { x: 'x'.repeat(10_000) } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).to.be.instanceOf(AnswerTimeoutError);
      // At 1.1 × the 1 s timeout; the deadline (2 ×) would have said "unsent".
      expect(Date.now() - started).to.be.below(2_000);
      expect(recycled).to.deep.equal(['a PUT got no answer and no timeout from undici']);
    } finally {
      stopped = true;
      await busy;
      await dispatcher.destroy();
      await new Promise((resolve) => {
        server.close(resolve);
      });
    }
  });
});
