import type { Dispatcher } from 'undici';
import type { FencedRequestOptions } from './fence-at-send.ts';

/** A whole answer: status, headers and the body as text. */
export interface BufferedAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** What can send one request with a handler (undici's Agent, and what wraps it). */
export interface HandlerDispatcher {
  dispatch(options: FencedRequestOptions, handler: Dispatcher.DispatchHandler): boolean;
}

type Controller = Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestStart']>>[0];

export interface BufferedRequestOptions extends FencedRequestOptions {
  readonly signal?: AbortSignal | undefined;
  /**
   * The most the whole request may take, from this call to the answer's last
   * byte: UnsentTimeoutError when undici never sent it by then,
   * AnswerTimeoutError when no answer had begun, DeadlineError when its answer
   * was still coming.
   */
  readonly deadlineMs?: number | undefined;
  /** Fails the request when its answer has not begun this long after undici sent it (AnswerTimeoutError). */
  readonly answerTimeoutMs?: number | undefined;
}

/**
 * A request undici sent got no answer in time, and undici did not end it.
 * Two ways are known: over HTTP/2, Node postpones a stream's timeout for as long as
 * the stream has a write queued and its session sends anything else, so a
 * request whose body is stuck on a busy session is never timed out by undici
 * (test/unit/kube/buffered-request.test.ts shows it); and undici 8.12.4 leaves
 * a request pending whose stream the server refused with a GOAWAY (see
 * liveness.ts and docs/reliability.md).
 */
export class AnswerTimeoutError extends Error {}

/**
 * The deadline passed while undici still held the request unsent: undici does
 * not end a request that is queued for a connection when its signal aborts
 * (it aborts it once a connection takes it up), so a pool that does not send
 * would hold it, and the reconcile awaiting it, for good. Seen in the long
 * fault soak: status writes sat in undici's queue for minutes, holding every
 * worker slot of their workspace.
 */
export class UnsentTimeoutError extends Error {}

/** The deadline passed while the answer was still coming. */
export class DeadlineError extends Error {}

/**
 * Sends one request and collects its answer straight from undici's handler
 * callbacks. Every answer but a watch's is read whole, and undici's
 * `request()` would first wrap its body in a Readable stream and its
 * callbacks in an AsyncResource: measured against a kube-apiserver, 170 µs
 * of CPU per GET through `request()` and 140 µs this way.
 *
 * The caller's signal and the deadline settle the promise at once, even
 * while undici still holds the request unsent; undici does not drop a queued
 * request, so the handler aborts it when undici starts it. One timer per
 * request does all the timing: the handler knows from onRequestStart whether
 * the request was sent, and so which error a timeout is.
 */
export function bufferedRequest(
  dispatcher: HandlerDispatcher,
  options: BufferedRequestOptions,
): Promise<BufferedAnswer> {
  const { signal, deadlineMs, answerTimeoutMs, ...dispatchOptions } = options;
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  return new Promise<BufferedAnswer>((resolve, reject) => {
    const handler = new BufferingHandler(resolve, reject, signal, { deadlineMs, answerTimeoutMs });
    try {
      dispatcher.dispatch(dispatchOptions, handler);
    } catch (err) {
      handler.fail(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

interface Timeouts {
  readonly deadlineMs: number | undefined;
  readonly answerTimeoutMs: number | undefined;
}

class BufferingHandler implements Dispatcher.DispatchHandler {
  private readonly chunks: Buffer[] = [];
  private statusCode = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private controller: Controller | undefined;
  /** Set once the promise is settled: a request undici starts after that is aborted. */
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() by which the whole request must be done (Infinity: no deadline). */
  private readonly deadlineAt: number;
  /** performance.now() when undici last sent the request (it may send it again on another connection). */
  private sentAt: number | undefined;
  /** Set once the answer has begun. */
  private answering = false;
  private readonly timeouts: Timeouts;
  private readonly resolve: (answer: BufferedAnswer) => void;
  private readonly reject: (err: Error) => void;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => {
    this.abort(abortReason(this.signal));
  };

  constructor(
    resolve: (answer: BufferedAnswer) => void,
    reject: (err: Error) => void,
    signal: AbortSignal | undefined,
    timeouts: Timeouts,
  ) {
    this.resolve = resolve;
    this.reject = reject;
    this.signal = signal;
    this.timeouts = timeouts;
    const { deadlineMs } = timeouts;
    this.deadlineAt = deadlineMs !== undefined && deadlineMs > 0 ? performance.now() + deadlineMs : Infinity;
    signal?.addEventListener('abort', this.onAbort, { once: true });
    // The earliest any timeout can fall due: the answer timeout counts from a
    // send, which comes after now. The timer is never moved later: when it
    // fires it looks at how far the request got and sleeps on if nothing is
    // due yet. Nearly every request ends long before, so each costs one timer.
    const { answerTimeoutMs } = timeouts;
    const answerAt =
      answerTimeoutMs !== undefined && answerTimeoutMs > 0 ? performance.now() + answerTimeoutMs : Infinity;
    this.schedule(Math.min(answerAt, this.deadlineAt));
  }

  onRequestStart(controller: Controller): void {
    if (this.settled) {
      controller.abort(new Error('the request was given up before it was sent'));
      return;
    }
    // undici starts a request again when it retries it on another connection.
    this.controller = controller;
    this.sentAt = performance.now();
  }

  onResponseStart(
    _controller: Controller,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // The answer has begun: undici's body timeout covers its pauses, the deadline its length.
    this.answering = true;
    this.statusCode = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.release();
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.resolve({ statusCode: this.statusCode, headers: this.headers, text: body?.toString('utf8') ?? '' });
  }

  onResponseError(_controller: Controller, err: Error): void {
    this.fail(err);
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.release();
    this.reject(err);
  }

  /** Ends the request with `err`: now when undici has sent it, when it does otherwise. */
  private abort(err: Error): void {
    this.controller?.abort(err);
    this.fail(err);
  }

  /** What ends the request at which moment, given how far it got. */
  private due(): { at: number; error: () => Error } {
    const { deadlineMs, answerTimeoutMs } = this.timeouts;
    if (this.answering)
      return { at: this.deadlineAt, error: () => new DeadlineError(`the request took longer than ${deadlineMs} ms`) };
    if (this.sentAt === undefined)
      return {
        at: this.deadlineAt,
        error: () => new UnsentTimeoutError(`the request took longer than ${deadlineMs} ms and was never sent`),
      };
    const answerAt = answerTimeoutMs !== undefined && answerTimeoutMs > 0 ? this.sentAt + answerTimeoutMs : Infinity;
    return {
      at: Math.min(answerAt, this.deadlineAt),
      error: () => new AnswerTimeoutError(`no answer within ${answerTimeoutMs} ms of sending the request`),
    };
  }

  private schedule(at: number): void {
    if (at === Infinity) return;
    this.timer = setTimeout(this.onTimer, Math.max(0, at - performance.now()));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.settled) return;
    const { at, error } = this.due();
    if (performance.now() >= at) this.abort(error());
    else this.schedule(at);
  };

  private release(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.controller = undefined;
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
