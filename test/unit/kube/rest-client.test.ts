// Unit tests of our REST client's own logic (429 retries, watch streams).
// The answers come from a node:http server on 127.0.0.1 that replays canned
// responses: a transport for the client, not an API server fake, and no
// claim about what a real server does.
import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { AnswerTimeoutError } from '../../../src/kube/buffered-request.ts';
import { ApiError, isGone, isTooManyRequests } from '../../../src/kube/errors.ts';
import type { WatchEvent } from '../../../src/kube/object.ts';
import { RestClient, WriteFencedError } from '../../../src/kube/rest-client.ts';
import { forEachLine } from '../../../src/kube/watch-stream.ts';
import { answerText } from '../../../src/kube/answer-text.ts';
import { FakeClock } from '../../utils/fake-clock.ts';

type Responder = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Answers the n-th request with the n-th responder (the last one repeats), recording request paths. */
class CannedServer {
  readonly requests: string[] = [];
  readonly methods: string[] = [];
  private readonly server: Server;
  private responders: Responder[] = [];

  constructor() {
    this.server = createServer((req, res) => {
      this.requests.push(req.url ?? '');
      this.methods.push(req.method ?? '');
      const responder = this.responders[Math.min(this.requests.length, this.responders.length) - 1];
      void Promise.resolve(responder?.(req, res)).catch(() => {
        res.destroy();
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => {
      this.server.listen(0, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(...responders: Responder[]): void {
    this.responders = responders;
    this.requests.length = 0;
    this.methods.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => {
      this.server.close(resolve);
    });
  }
}

const json =
  (code: number, body: unknown, headers: Record<string, string> = {}): Responder =>
  (_req, res) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const tooManyRequests = (retryAfter: string): Responder =>
  json(
    429,
    { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'TooManyRequests', code: 429, message: 'slow down' },
    { 'retry-after': retryAfter },
  );
const CONFIGMAP = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'default', resourceVersion: '7' },
};
const PATH = '/api/v1/namespaces/default/configmaps/settings';

/** Waits (in real time) until cond holds; the client runs on real sockets. */
async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await sleep(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('RestClient', function () {
  const server = new CannedServer();
  let clock: FakeClock;
  let client: RestClient;
  let dispatcher: Agent;
  let url: string;

  before(async function () {
    url = await server.listen();
    dispatcher = new Agent();
    clock = new FakeClock();
    client = new RestClient(
      { server: url, dispatcher, authHeaders: () => Promise.resolve({}) },
      { qps: 0, burst: 1, clock },
    );
  });

  after(async function () {
    await dispatcher.close();
    await server.close();
  });

  describe('request deadline', function () {
    const silent: Responder = () => new Promise(() => undefined);

    it('fails a request the server does not answer within the timeout', async function () {
      server.answer(silent);
      const impatient = new RestClient(
        { server: url, dispatcher, authHeaders: () => Promise.resolve({}) },
        { qps: 0, burst: 1, clock, timeoutMs: 100 },
      );
      const err = await impatient.get(PATH).then(
        () => undefined,
        (e: unknown) => e,
      );
      // Sent and not answered: the answer timeout (1.1 × the timeout) ends it
      // before the deadline (2 ×); undici's own 100 ms timer is coarser.
      expect(err).to.be.instanceOf(AnswerTimeoutError);
    });

    it("ends a request when the caller's signal aborts, and lets go of the signal once answered", async function () {
      server.answer(silent);
      const caller = new AbortController();
      const answer = client.get(PATH, undefined, caller.signal).then(
        () => undefined,
        (e: unknown) => e,
      );
      await until('the request', () => server.requests.length === 1);
      caller.abort(new Error('shutting down'));
      expect(String(await answer)).to.include('shutting down');

      server.answer(json(200, CONFIGMAP));
      const kept = new AbortController();
      await client.get(PATH, undefined, kept.signal);
      expect(getEventListeners(kept.signal, 'abort'), 'listeners left on a long-lived signal').to.have.length(0);
    });
  });

  describe('429 Too Many Requests', function () {
    const retries = [
      { name: 'waits as long as Retry-After says, then sends the request again', retryAfter: '2', waitMs: 2_000 },
      { name: 'waits at most 10 s, whatever Retry-After says', retryAfter: '120', waitMs: 10_000 },
      { name: 'waits 1 s when Retry-After is missing or not a number', retryAfter: 'soon', waitMs: 1_000 },
    ];
    for (const c of retries) {
      it(c.name, async function () {
        server.answer(tooManyRequests(c.retryAfter), json(200, CONFIGMAP));

        const answer = client.get(PATH);
        await until('the first request', () => server.requests.length === 1 && clock.pending() > 0);
        clock.advance(c.waitMs - 1);
        await sleep(20);
        expect(server.requests, 'sent again before the wait was over').to.have.length(1);
        clock.advance(1);

        expect((await answer).metadata.resourceVersion).to.equal('7');
        expect(server.requests).to.have.length(2);
      });
    }

    it('gives up after five retries with the 429 error', async function () {
      server.answer(tooManyRequests('1'));

      const answer = client.get(PATH).then(
        () => undefined,
        (err: unknown) => err,
      );
      for (let sent = 1; sent <= 5; sent++) {
        await until(`request ${sent}`, () => server.requests.length === sent && clock.pending() > 0);
        clock.advance(1_000);
      }

      expect(isTooManyRequests(await answer)).to.equal(true);
      expect(server.requests).to.have.length(6);
    });

    it('does not retry other errors', async function () {
      server.answer(
        json(409, { kind: 'Status', reason: 'Conflict', code: 409, message: 'modified' }),
        json(200, CONFIGMAP),
      );

      const error = await client.get(PATH).then(
        () => undefined,
        (err: unknown) => err,
      );

      expect(error).to.be.instanceOf(ApiError);
      expect((error as ApiError).code).to.equal(409);
      expect(server.requests).to.have.length(1);
    });
  });

  describe('write fence', function () {
    it('asks again after the rate limit: a write that waited while the lease was lost is not sent', async function () {
      let allowed = true;
      const fenced = new RestClient(
        { server: url, dispatcher, authHeaders: () => Promise.resolve({}) },
        { qps: 1, burst: 1, clock, fence: { mayWrite: () => allowed } },
      );
      server.answer(json(200, CONFIGMAP));
      await fenced.patch(PATH, { data: {} });

      const waiting = fenced
        .background()
        .patch(PATH, { data: {} })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      await until('the write to wait for the rate limit', () => clock.pending() > 0);
      allowed = false;
      clock.advance(2_000);

      expect(await waiting).to.be.instanceOf(WriteFencedError);
      expect(server.methods).to.deep.equal(['PATCH']);
    });

    it('asks again after the credentials are read: a write whose token read outlasted the lease is not sent', async function () {
      let allowed = true;
      let releaseToken = (): void => undefined;
      const tokenRead = new Promise<Record<string, string>>((resolve) => {
        releaseToken = () => {
          resolve({ authorization: 'Bearer t' });
        };
      });
      const fenced = new RestClient(
        { server: url, dispatcher, authHeaders: () => tokenRead },
        { qps: 0, burst: 1, clock, fence: { mayWrite: () => allowed } },
      );
      server.answer(json(200, CONFIGMAP));

      const waiting = fenced.patch(PATH, { data: {} }).then(
        () => undefined,
        (err: unknown) => err,
      );
      await sleep(20);
      allowed = false;
      releaseToken();

      expect(await waiting).to.be.instanceOf(WriteFencedError);
      expect(server.methods).to.deep.equal([]);
    });

    it('refuses every request but GET, without sending it, while mayWrite says no', async function () {
      let allowed = false;
      const fenced = new RestClient(
        { server: url, dispatcher, authHeaders: () => Promise.resolve({}) },
        { qps: 0, burst: 1, clock, fence: { mayWrite: () => allowed } },
      );
      server.answer(json(200, CONFIGMAP), json(200, CONFIGMAP));

      const refused = await Promise.all([
        fenced.create('/api/v1/namespaces/default/configmaps', CONFIGMAP).then(
          () => undefined,
          (err: unknown) => err,
        ),
        fenced.patch(PATH, { data: {} }).then(
          () => undefined,
          (err: unknown) => err,
        ),
        fenced.delete(PATH).then(
          () => undefined,
          (err: unknown) => err,
        ),
      ]);
      const read = await fenced.get(PATH);
      allowed = true;
      const written = await fenced.patch(PATH, { data: {} });

      expect(refused.map((e) => e instanceof WriteFencedError)).to.deep.equal([true, true, true]);
      expect(read.metadata.resourceVersion).to.equal('7');
      expect(written.metadata.resourceVersion).to.equal('7');
      expect(server.methods).to.deep.equal(['GET', 'PATCH']);
    });
  });

  describe("a write's answer text", function () {
    const cases: { name: string; send: () => Promise<unknown>; remembered: boolean }[] = [
      { name: 'is kept beside the object of a PATCH', send: () => client.patch(PATH, { data: {} }), remembered: true },
      { name: 'is kept beside the object of a PUT', send: () => client.replace(PATH, CONFIGMAP), remembered: true },
      { name: 'is not kept for a GET', send: () => client.get(PATH), remembered: false },
    ];
    for (const c of cases) {
      it(c.name, async function () {
        const text = JSON.stringify(CONFIGMAP);
        server.answer((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`${text}\n`);
        });

        const answer = await c.send();

        expect(answer).to.deep.equal(CONFIGMAP);
        expect(typeof answer === 'object' && answer !== null ? answerText(answer) : 'not an object').to.equal(
          c.remembered ? text : undefined,
        );
      });
    }
  });

  describe('watch', function () {
    const events: WatchEvent[] = [
      { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' }, data: { greeting: 'grüße 👋' } } },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } },
      { type: 'DELETED', object: { metadata: { name: 'a', resourceVersion: '3' } } },
    ];

    it('delivers every event of a stream whose lines and characters are split across chunks', async function () {
      const text = Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      // Cut inside the first event, inside the 4-byte emoji, and right after a newline.
      const emoji = text.indexOf(Buffer.from('👋'));
      const cuts = [10, emoji + 2, text.indexOf('\n') + 1, text.length];
      server.answer(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        let from = 0;
        for (const to of cuts) {
          res.write(text.subarray(from, to));
          from = to;
          await sleep(10);
        }
        res.end();
      });

      const got: WatchEvent[] = [];
      await client.watch(
        '/api/v1/configmaps',
        { resourceVersion: '0' },
        (e) => {
          got.push(e);
        },
        new AbortController().signal,
      );

      expect(got).to.deep.equal(events);
      expect(server.requests[0])
        .to.include('watch=true')
        .and.include('allowWatchBookmarks=true')
        .and.include('resourceVersion=0');
    });

    it('turns an ERROR event into a rejection with its status (410 Expired is Gone)', async function () {
      const expired = {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
          message: 'too old resource version',
        },
      };
      server.answer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify(events[0])}\n${JSON.stringify(expired)}\n`);
      });

      const got: WatchEvent[] = [];
      const error = await client
        .watch(
          '/api/v1/configmaps',
          {},
          (e) => {
            got.push(e);
          },
          new AbortController().signal,
        )
        .then(
          () => undefined,
          (err: unknown) => err,
        );

      expect(got).to.have.length(1);
      expect(isGone(error)).to.equal(true);
    });

    it('leaves the lines its skipLine claims undecoded and unreported', async function () {
      const lines = events.map((e) => JSON.stringify(e));
      server.answer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`${lines.join('\n')}\n`);
      });

      const got: WatchEvent[] = [];
      await client.watch(
        '/api/v1/configmaps',
        {},
        {
          onEvent: (e) => {
            got.push(e);
          },
          skipLine: (line) => line === lines[0],
        },
        new AbortController().signal,
      );

      expect(got).to.deep.equal(events.slice(1));
    });

    it("rejects with the server's error when the watch is refused", async function () {
      server.answer(json(410, { kind: 'Status', reason: 'Gone', code: 410, message: 'gone' }));

      const error = await client
        .watch('/api/v1/configmaps', {}, () => undefined, new AbortController().signal)
        .then(
          () => undefined,
          (err: unknown) => err,
        );

      expect(isGone(error)).to.equal(true);
    });
  });
});

describe('forEachLine', function () {
  async function* chunks(...parts: (string | Buffer)[]): AsyncIterable<Buffer> {
    for (const p of parts) {
      await Promise.resolve();
      yield typeof p === 'string' ? Buffer.from(p) : p;
    }
  }
  const euro = Buffer.from('€');
  const cases: { name: string; parts: (string | Buffer)[]; want: string[] }[] = [
    { name: 'one line per chunk', parts: ['{"a":1}\n', '{"b":2}\n'], want: ['{"a":1}', '{"b":2}'] },
    { name: 'a line split across three chunks', parts: ['{"a"', ':', '1}\n'], want: ['{"a":1}'] },
    { name: 'several lines in one chunk', parts: ['x\ny\nz\n'], want: ['x', 'y', 'z'] },
    {
      name: 'a multi-byte character split between chunks',
      parts: [
        Buffer.concat([Buffer.from('"'), euro.subarray(0, 1)]),
        Buffer.concat([euro.subarray(1), Buffer.from('"\n')]),
      ],
      want: ['"€"'],
    },
    { name: 'blank lines are skipped', parts: ['\n', 'x\n\n  \n'], want: ['x'] },
    { name: 'a last line without a newline', parts: ['x\n', 'y'], want: ['x', 'y'] },
    {
      name: 'a newline that opens a chunk ends the line before it',
      parts: ['{"a"', ':1}', '\n{"b":2}\n'],
      want: ['{"a":1}', '{"b":2}'],
    },
    {
      name: 'the end of a split line and whole lines in one chunk',
      parts: ['{"a"', ':1}\nx\ny'],
      want: ['{"a":1}', 'x', 'y'],
    },
    {
      name: 'a line of a megabyte in 16 KiB chunks',
      parts: [...'y'.repeat(1 << 20).matchAll(/.{1,16384}/g)].map((m) => m[0]).concat('\nz\n'),
      want: ['y'.repeat(1 << 20), 'z'],
    },
  ];
  for (const c of cases) {
    it(c.name, async function () {
      const lines: string[] = [];
      await forEachLine(chunks(...c.parts), (l) => {
        lines.push(l);
      });
      expect(lines).to.deep.equal(c.want);
    });
  }
});
