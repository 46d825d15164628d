import type { Clock } from '../runtime/clock.ts';
import { IdleGate } from '../runtime/idle-gate.ts';
import { TokenBucket } from '../runtime/token-bucket.ts';
import { AnswerTimeoutError, bufferedRequest, UnsentTimeoutError } from './buffered-request.ts';
import { type Connection, withServer } from './connection.ts';
import { ApiError, apiErrorFromResponse, isTooManyRequests } from './errors.ts';
import { WriteFencedError } from './fence-at-send.ts';
import type { Fence } from './write-fence.ts';
import { ConnectionLiveness, type LivenessOptions } from './liveness.ts';
import { requestDeadline } from './request-deadline.ts';
import { type KubeList, type KubeObject, type WatchEvent, isKubeList, isKubeObject, isRecord } from './object.ts';
import { readWatchEvents, type WatchReader } from './watch-stream.ts';
import { rememberAnswerText } from './answer-text.ts';

export type Query = Record<string, string | number | boolean | undefined>;

/** Counts what a client sent, for metrics and benchmarks. */
export interface RequestObserver {
  onResponse(response: ObservedResponse): void;
}

export interface ObservedResponse {
  readonly method: string;
  /** The URL path (no query). */
  readonly path: string;
  readonly code: number;
  /** Request sent → answer read. */
  readonly durationMs: number;
  /** How long the request waited before it was sent (rate limit, a busy server for background requests). */
  readonly waitedMs: number;
}

export interface RestClientOptions {
  /** Requests per second to this server; 0 disables client-side limiting. */
  readonly qps: number;
  readonly burst: number;
  readonly clock: Clock;
  readonly userAgent?: string;
  /**
   * Timeout for the answer's headers, and for each pause in its body, of one
   * non-watch request (and for a watch's headers). Passed to undici as such,
   * not as an abort: a stream that times out makes undici check that its
   * HTTP/2 session still answers, and drop it when not. A non-watch request
   * is given up after twice this long in all, whatever held it.
   */
  readonly timeoutMs?: number;
  /** How connections under open watches are checked (default: every 30 s, 10 s to answer). */
  readonly liveness?: LivenessOptions;
  readonly observer?: RequestObserver;
  /**
   * Asked before every request that is not a GET; false refuses it. A
   * replica that is not (or no longer) sure it holds the leader lease must
   * not write, whatever work it still has queued.
   */
  readonly fence?: Fence;
}

export { WriteFencedError };

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/**
 * Background requests (Events) only use rate budget nothing else needs, and
 * wait while the server is answering requests that do the work.
 */
export type RequestPriority = 'normal' | 'background';

interface SendOptions {
  query?: Query | undefined;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal | undefined;
}

const MAX_THROTTLE_RETRIES = 5;

/** One request's answer and when it was sent and answered (clock ms). */
interface Exchanged {
  readonly code: number;
  readonly text: string;
  readonly retryAfter: string | undefined;
  readonly started: number;
  readonly answered: number;
}

/** What every client for one server shares, whatever base URL or priority it has. */
interface SharedByServer {
  /** The client-side rate limit. */
  readonly limiter: TokenBucket;
  /** Holds background requests back while requests that do the work await answers. */
  readonly idle: IdleGate;
  /** Notices when the connection under the open watches goes silent. */
  readonly liveness: ConnectionLiveness;
}

/**
 * A small REST client for one API server (or one kcp workspace / virtual
 * workspace URL). Paths are absolute API paths (`/api/v1/...`,
 * `/apis/group/version/...`) appended to the connection's base URL, so the
 * same code works against `/clusters/<name>` prefixes. It limits its own rate
 * with a token bucket shared by every client derived from it, and waits out
 * 429 answers as the server asks.
 */
export class RestClient {
  private readonly conn: Connection;
  private readonly shared: SharedByServer;
  private readonly opts: RestClientOptions;
  private readonly priority: RequestPriority;

  constructor(
    conn: Connection,
    opts: RestClientOptions,
    shared?: SharedByServer,
    priority: RequestPriority = 'normal',
  ) {
    this.conn = conn;
    this.opts = opts;
    this.shared = shared ?? {
      limiter: new TokenBucket(opts.qps, Math.max(1, opts.burst), opts.clock),
      idle: new IdleGate(opts.clock),
      liveness: new ConnectionLiveness(conn.dispatcher, opts.clock, opts.liveness, () => conn.authHeaders()),
    };
    this.priority = priority;
  }

  /** The base URL requests go to. */
  get server(): string {
    return this.conn.server;
  }

  /** A client for another base URL with the same credentials, pool and rate limit. */
  forServer(server: string): RestClient {
    return new RestClient(withServer(this.conn, server), this.opts, this.shared, this.priority);
  }

  /** The same client for background requests, which yield rate budget and the server's time to normal ones. */
  background(): RestClient {
    return new RestClient(this.conn, this.opts, this.shared, 'background');
  }

  async get(path: string, query?: Query, signal?: AbortSignal): Promise<KubeObject> {
    return expectObject(await this.send('GET', path, { query, signal }), 'GET', path);
  }

  async list(path: string, query?: Query, signal?: AbortSignal): Promise<KubeList> {
    const body = await this.send('GET', path, { query, signal });
    if (!isKubeList(body)) throw new Error(`failed to list ${path}: the answer is not a list`);
    return body;
  }

  async create(path: string, obj: unknown, query?: Query): Promise<KubeObject> {
    return expectObject(await this.send('POST', path, { body: obj, query }), 'POST', path);
  }

  async replace(path: string, obj: unknown, query?: Query): Promise<KubeObject> {
    return expectObject(await this.send('PUT', path, { body: obj, query }), 'PUT', path);
  }

  async patch(path: string, patch: unknown, type: PatchType = 'merge', query?: Query): Promise<KubeObject> {
    const contentType = PATCH_CONTENT_TYPES[type];
    const body = type === 'apply' ? JSON.stringify(patch) : patch;
    return expectObject(await this.send('PATCH', path, { body, contentType, query }), 'PATCH', path);
  }

  /** Deletes; the answer is the object (when finalizers delay it) or a Status. */
  async delete(
    path: string,
    options?: {
      propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
      preconditions?: { uid?: string; resourceVersion?: string };
    },
  ): Promise<unknown> {
    const body = options === undefined ? undefined : { kind: 'DeleteOptions', apiVersion: 'v1', ...options };
    return this.send('DELETE', path, { body });
  }

  /** Any request; the answer is parsed JSON (or undefined when empty). */
  async send(method: string, path: string, options: SendOptions = {}): Promise<unknown> {
    this.refuseUnfencedWrite(method, path);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sendOnce(method, path, options);
      } catch (err) {
        // A 429 was not processed by the server, so sending it again is safe.
        if (!isTooManyRequests(err) || attempt >= MAX_THROTTLE_RETRIES) throw err;
        const seconds = err instanceof ApiError ? (err.retryAfterSeconds ?? 1) : 1;
        await this.opts.clock.sleep(Math.min(seconds, 10) * 1000, options.signal);
      }
    }
  }

  private async sendOnce(method: string, path: string, options: SendOptions): Promise<unknown> {
    const queued = this.opts.clock.now();
    const { limiter, idle } = this.shared;
    if (this.priority === 'background') await limiter.takeSpare(options.signal);
    else await limiter.take(options.signal);
    const url = this.url(path, options.query);
    // Background requests may wait for the server to be idle first; that is
    // not answer time, so the exchange times itself.
    const exchange = async (): Promise<Exchanged> => {
      const headers = await this.headers(options);
      // Asked again after every wait, the headers' included, with nothing
      // async left before undici takes the request: the lease may have been
      // lost meanwhile (seen: Events queued behind busy work, and writes whose
      // token read was pending, sent after a freeze).
      this.refuseUnfencedWrite(method, path);
      const started = this.opts.clock.now();
      const res = await bufferedRequest(this.conn.dispatcher, {
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers,
        ...(options.body === undefined
          ? {}
          : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
        signal: options.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        // Just after undici's own headers timeout, for when Node keeps that
        // from firing (AnswerTimeoutError says why).
        answerTimeoutMs: Math.round(this.timeoutMs * 1.1),
        // undici's timeouts cover a stream once it is sent; a request still
        // queued for a connection gets this backstop, set so that it never
        // fires before them.
        deadlineMs: this.timeoutMs * 2,
        // Asked again when undici sends it, which may be later (fence-at-send.ts).
        ...(method === 'GET' || this.opts.fence === undefined ? {} : { fence: this.opts.fence }),
      }).catch((err: unknown) => {
        // No answer and no timeout from undici: the request never left its
        // pool, or it was sent on a session that does not take its body or
        // that refused it. Either way that pool does not send.
        if (err instanceof UnsentTimeoutError)
          this.conn.dispatcher.recycle?.(`a ${method} waited ${this.timeoutMs * 2} ms unsent`);
        else if (err instanceof AnswerTimeoutError)
          this.conn.dispatcher.recycle?.(`a ${method} got no answer and no timeout from undici`);
        throw err;
      });
      return {
        code: res.statusCode,
        text: res.text,
        retryAfter: headerValue(res.headers['retry-after']),
        started,
        answered: this.opts.clock.now(),
      };
    };
    const { code, text, retryAfter, started, answered } =
      this.priority === 'background'
        ? await idle.background(exchange, options.signal)
        : await idle.foreground(exchange);
    this.opts.observer?.onResponse({
      method,
      path: url.pathname,
      code,
      durationMs: answered - started,
      waitedMs: started - queued,
    });
    if (code >= 300) throw apiErrorFromResponse({ method, path }, code, text, retryAfter);
    if (text === '') return undefined;
    const body: unknown = JSON.parse(text);
    // A write's answer: its watch event will carry the same text.
    if (method !== 'GET' && method !== 'DELETE' && isRecord(body)) rememberAnswerText(body, text);
    return body;
  }

  /**
   * Streams a watch until the server ends it, the signal aborts or the stream
   * breaks. Resolves on a clean end; rejects with an ApiError when the server
   * refuses the watch (e.g. 410 for an expired resourceVersion). ERROR events
   * are turned into a rejection too, so callers handle one error path.
   */
  async watch(
    path: string,
    query: Query,
    reader: WatchReader | ((event: WatchEvent) => void),
    signal: AbortSignal,
  ): Promise<void> {
    await this.shared.limiter.take(signal);
    const url = this.url(path, { ...query, watch: true, allowWatchBookmarks: true });
    const ended = this.shared.liveness.watching(url.origin);
    try {
      await this.streamWatch(url, path, typeof reader === 'function' ? { onEvent: reader } : reader, signal);
    } finally {
      ended();
    }
  }

  private async streamWatch(url: URL, path: string, reader: WatchReader, signal: AbortSignal): Promise<void> {
    // Settled by the caller's signal even while undici still holds the request unsent.
    const started = requestDeadline(this.timeoutMs * 2, signal);
    const res = await started
      .settle(
        this.conn.dispatcher.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: 'GET',
          headers: await this.headers({}),
          signal,
          // The server sends a watch's headers at once; its body may rest for minutes.
          headersTimeout: this.timeoutMs,
          bodyTimeout: 0,
        }),
        drain,
      )
      .catch((err: unknown) => {
        if (started.timedOut) this.conn.dispatcher.recycle?.(`a watch waited ${this.timeoutMs * 2} ms unsent`);
        throw err;
      })
      .finally(() => {
        started.done();
      });
    this.opts.observer?.onResponse({
      method: 'WATCH',
      path: url.pathname,
      code: res.statusCode,
      durationMs: 0,
      waitedMs: 0,
    });
    if (res.statusCode >= 300) {
      const text = await res.body.text();
      throw apiErrorFromResponse(
        { method: 'WATCH', path },
        res.statusCode,
        text,
        headerValue(res.headers['retry-after']),
      );
    }
    await readWatchEvents(res.body, path, reader);
  }

  private refuseUnfencedWrite(method: string, path: string): void {
    if (method !== 'GET' && this.opts.fence?.mayWrite() === false) {
      throw new WriteFencedError(`refused to ${method} ${path}: this replica does not hold the leader lease`);
    }
  }

  private get timeoutMs(): number {
    return this.opts.timeoutMs ?? 30_000;
  }

  private url(path: string, query: Query | undefined): URL {
    const url = new URL(this.conn.server + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  private async headers(options: SendOptions): Promise<Record<string, string>> {
    return {
      ...(await this.conn.authHeaders()),
      accept: 'application/json',
      'user-agent': this.opts.userAgent ?? 'api-syncagent-ts',
      ...(options.body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
    };
  }
}

function expectObject(body: unknown, method: string, path: string): KubeObject {
  if (!isKubeObject(body)) throw new Error(`failed to ${method} ${path}: the answer is not an object`);
  return body;
}

/** Reads and drops the body of an answer that came after its request was given up. */
function drain(late: { body: { dump(): Promise<void> } }): void {
  late.body.dump().catch(() => undefined);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
