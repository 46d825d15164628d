// bufferedRequest reads a whole answer from undici's handler callbacks. The
// answers come from a node:http server on 127.0.0.1: a transport, not an API
// server fake.
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { bufferedRequest } from '../../../src/kube/buffered-request.ts';

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
});
