import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';
import type { Fence } from './write-fence.ts';

/** A write refused because this replica does not hold the leader lease. */
export class WriteFencedError extends Error {}

/** Request options with the write fence of the client that sends them. */
export type FencedRequestOptions = Dispatcher.RequestOptions & {
  /** Asked when undici is about to send the request, and told when it does. */
  readonly fence?: Fence;
};

type Handler = Dispatcher.DispatchHandler;
type Controller = Parameters<NonNullable<Handler['onRequestStart']>>[0];

// undici's own pass-through handler (it forwards every callback); required
// file by file for the reason src/kube/undici-agent.ts gives.
const DecoratorHandler = createRequire(import.meta.url)('undici/lib/handler/decorator-handler.js') as new (
  handler: Handler,
) => Handler;

/**
 * Asks a request's write fence once more at the moment undici sends it. The
 * REST client asks right before it hands a request to undici, but undici may
 * hold it in its queue for a while (a busy or stuck pool), and a replica
 * frozen meanwhile sent it on waking, after another replica had taken over:
 * seen in the failover test, 4 kcp writes and 1 service write within a
 * millisecond of the thaw. undici calls onRequestStart right before it
 * writes the request; aborting there sends nothing. A write it lets through
 * is reported to the fence until its answer comes (write-fence.ts says why).
 */
export const fenceAtSend: Dispatcher.DispatcherComposeInterceptor =
  (dispatch) =>
  (options, handler): boolean => {
    const fence = (options as FencedRequestOptions).fence;
    if (fence === undefined) return dispatch(options, handler);
    return dispatch(options, new FencedHandler(handler, fence, `${options.method} ${options.path}`));
  };

type ResponseStartArgs = Parameters<NonNullable<Handler['onResponseStart']>>;
type ResponseErrorArgs = Parameters<NonNullable<Handler['onResponseError']>>;

class FencedHandler extends DecoratorHandler {
  private readonly fence: Fence;
  private readonly what: string;
  private answered: (() => void) | undefined;

  constructor(handler: Handler, fence: Fence, what: string) {
    super(handler);
    this.fence = fence;
    this.what = what;
  }

  override onRequestStart(controller: Controller, context: unknown): void {
    if (!this.fence.mayWrite()) {
      controller.abort(new WriteFencedError(`refused to ${this.what}: this replica does not hold the leader lease`));
      return;
    }
    this.answered = this.fence.sending?.(this.what);
    super.onRequestStart?.(controller, context);
  }

  override onResponseStart(...args: ResponseStartArgs): void {
    this.settle();
    super.onResponseStart?.(...args);
  }

  override onResponseError(...args: ResponseErrorArgs): void {
    this.settle();
    super.onResponseError?.(...args);
  }

  private settle(): void {
    this.answered?.();
    this.answered = undefined;
  }
}
