import type { Clock } from '../runtime/clock.ts';
import type { RequestDispatcher } from './recycling-agent.ts';

export interface LivenessOptions {
  /** How often a server with open watches is asked for a sign of life. */
  readonly intervalMs: number;
  /** How long its answer may take; undici's PING after a miss gets as long. */
  readonly timeoutMs: number;
}

export const DEFAULT_LIVENESS: LivenessOptions = { intervalMs: 30_000, timeoutMs: 10_000 };

/**
 * Notices connections that went silent under open watches. A watch on a
 * quiet collection receives nothing for minutes, so its own silence proves
 * nothing. Over HTTP/2 (undici's default, and what kube-apiserver and kcp
 * speak) every request to one server shares one session, and a session on
 * a black-holed path fails nothing: the watches on it wait forever, and a
 * watch resumed from our side goes out on it again. undici drops such a
 * session only when a stream times out and a PING after it goes unanswered.
 * So while watches to a server are open, a small request with a short
 * headers timeout goes out on that session now and then: whatever it answers (even
 * a 403) proves it alive; on a silent session it times out, undici's PING
 * goes unanswered, the session is destroyed, the watches on it fail, and
 * their informers relist on a fresh connection.
 *
 * The request carries the connection's credentials. An API server answers an
 * anonymous request over HTTP/2 with `Connection: close` (Kubernetes'
 * UnauthenticatedHTTP2DOSMitigation, on by default since 1.29; kcp does the
 * same), and Go then ends the whole shared session with a GOAWAY. Seen with
 * an anonymous check: every check was followed by a GOAWAY from kcp and from
 * the kube-apiserver, new requests had to open another session, and writes
 * opened in that moment were refused by the server and never failed by
 * undici; they hung until the answer timeout (33 s), in half the bench runs.
 *
 * Over HTTP/1.1 a watch has a socket of its own and the question goes out on
 * another; there the informer's watch deadline is what notices a silent watch.
 */
export class ConnectionLiveness {
  private readonly dispatcher: RequestDispatcher;
  private readonly clock: Clock;
  private readonly opts: LivenessOptions;
  /** The connection's credentials: an anonymous check would make the server end the session (see above). */
  private readonly authHeaders: () => Promise<Record<string, string>>;
  /** Open watches per origin, and what stops that origin's checks. */
  private readonly watched = new Map<string, { watches: number; stop: AbortController }>();

  constructor(
    dispatcher: RequestDispatcher,
    clock: Clock,
    opts: LivenessOptions = DEFAULT_LIVENESS,
    authHeaders: () => Promise<Record<string, string>> = () => Promise.resolve({}),
  ) {
    this.dispatcher = dispatcher;
    this.clock = clock;
    this.opts = opts;
    this.authHeaders = authHeaders;
  }

  /** Counts a watch to origin as open until the returned function is called. */
  watching(origin: string): () => void {
    let entry = this.watched.get(origin);
    if (entry === undefined) {
      const created = { watches: 0, stop: new AbortController() };
      this.watched.set(origin, created);
      void this.checkWhileWatched(origin, created.stop.signal);
      entry = created;
    }
    const counted = entry;
    counted.watches += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      counted.watches -= 1;
      if (counted.watches > 0) return;
      counted.stop.abort();
      this.watched.delete(origin);
    };
  }

  private async checkWhileWatched(origin: string, stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      try {
        await this.clock.sleep(this.opts.intervalMs, stop);
      } catch {
        return;
      }
      await this.ask(origin);
    }
  }

  /** The status does not matter (a 403 will do), only that an answer arrives. */
  private async ask(origin: string): Promise<void> {
    try {
      const res = await this.dispatcher.request({
        origin,
        path: '/version',
        method: 'GET',
        headers: await this.authHeaders(),
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
      });
      await res.body.dump();
    } catch {
      // A timeout here is undici's cue to check the session and drop it; the watches on it then fail.
    }
  }
}
