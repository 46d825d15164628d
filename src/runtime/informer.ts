import { answerText } from '../kube/answer-text.ts';
import { isGone, isNotFound } from '../kube/errors.ts';
import type { KubeObject, ObjectMeta, WatchEvent } from '../kube/object.ts';
import type { Query, RestClient } from '../kube/rest-client.ts';
import { type Logger, errorChain } from '../log/logger.ts';
import { setOwn } from '../translate/own-property.ts';
import type { Clock } from './clock.ts';
import { CompactStore, type ObjectStore, PlainStore } from './object-store.ts';
import { WriteEchoes } from './write-echoes.ts';

/** Called synchronously for every change the informer sees; handlers only enqueue. */
export type ChangeHandler = (obj: KubeObject, old: KubeObject | undefined, deleted: boolean) => void;

/** The two calls an informer makes; a RestClient is one (unit tests script them). */
export type InformerClient = Pick<RestClient, 'list' | 'watch'>;

export interface InformerOptions {
  readonly name: string;
  readonly client: InformerClient;
  /** Collection path, e.g. `/apis/example.com/v1/crontabs`. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** The cache key of an object; it must be stable across updates. */
  readonly keyOf: (obj: KubeObject) => string;
  /** Drops what the cache need not hold (managedFields, …), to save memory. */
  readonly transform?: (obj: KubeObject) => KubeObject;
  /**
   * Keep objects as JSON text and decode them on each read (CompactStore):
   * for collections that grow with the consumers' objects. Reads then return
   * objects nobody else holds (the first read after a change may get the
   * decoded object the change brought, without a parse).
   */
  readonly compact?: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Server-side watch timeout; the watch is then resumed from the last resourceVersion. */
  readonly watchTimeoutSeconds?: number;
  /** Page size of the initial list. */
  readonly pageSize?: number;
  /**
   * Treat 404 as "not served yet": retry quickly and log at debug. Off by
   * default, since a missing type (e.g. the PublishedResource CRD) is
   * otherwise a real problem worth a warning.
   */
  readonly notFoundIsTransient?: boolean;
}

/** A list/watch that keeps failing: the last error and when the failures began. */
export interface InformerOutage {
  /** Clock time (ms) of the first failure in a row. */
  readonly since: number;
  readonly error: string;
}

const MIN_BACKOFF_MS = 200;
/**
 * Capped at 10 s: a server that was down for a while (a kcp restart) is
 * watched again within 10 s of being back, not 30 s; a list every 10 s of a
 * server that keeps failing costs little.
 */
const MAX_BACKOFF_MS = 10_000;
const NOT_SERVED_RETRY_MS = 250;
/** A watch open this long counts as a recovery: its failure starts the backoff anew. */
const HEALTHY_WATCH_MS = 10_000;
/** How long after its timeoutSeconds a watch the server has not ended counts as dead. */
const WATCH_DEADLINE_GRACE_SECONDS = 15;

/**
 * List-then-watch of one collection, with an in-memory cache. Unlike the
 * client-node informer it never stops on its own: an expired resourceVersion
 * (410) relists, a clean end of the watch resumes it, and any other failure
 * relists after a capped exponential backoff. Bookmarks are requested so that
 * quiet collections do not expire.
 */
export class Informer {
  private readonly opts: InformerOptions;
  private readonly store: ObjectStore;
  private readonly handlers: ChangeHandler[] = [];
  /** Whether any handler reads the old object: decoding it from a compact store is a JSON parse per change. */
  private oldWanted = false;
  private synced = false;
  /** False from a failed list or watch until the next list succeeds. */
  private connected = false;
  private resourceVersion = '';
  /** Failures in a row, the type-not-served-yet ones (notServed) apart: those say nothing of the connection. */
  private failures = 0;
  private notServed = 0;
  /** Set while list or watch fails; cleared by the next full list. */
  private outage: InformerOutage | undefined;
  /** The writes recordWrite took in whose watch events are still to come. */
  private readonly echoes = new WriteEchoes();

  constructor(opts: InformerOptions) {
    this.opts = opts;
    this.store = opts.compact === true ? new CompactStore() : new PlainStore();
  }

  /**
   * Registers a handler; call before start(). `{ old: false }` says the
   * handler never reads the old object: when no handler does, all are given
   * undefined and the cache is not decoded for it.
   */
  onChange(handler: ChangeHandler, options: { readonly old?: boolean } = {}): void {
    this.handlers.push(handler);
    if (options.old !== false) this.oldWanted = true;
  }

  /** True once the first full list has been loaded. */
  hasSynced(): boolean {
    return this.synced;
  }

  /**
   * Why the cache is not following the server right now (the last failure
   * and since when, on the informer's clock), or undefined while it is. The
   * cache keeps what it had; a successful relist ends the outage.
   */
  outageInfo(): InformerOutage | undefined {
    return this.outage;
  }

  /**
   * True while the cache follows the server: the last list succeeded and no
   * watch has failed since. A server that is down makes this false within
   * one failed attempt; the cache then holds what it last saw.
   */
  isConnected(): boolean {
    return this.connected;
  }

  get(key: string): KubeObject | undefined {
    return this.store.get(key);
  }

  list(): KubeObject[] {
    return this.store.values();
  }

  keys(): IterableIterator<string> {
    return this.store.keys();
  }

  get size(): number {
    return this.store.size;
  }

  /**
   * Takes the server's answer to one of our own writes into the cache, as if
   * its watch event had arrived: the next reconcile then starts from what we
   * wrote instead of waiting for the echo, which arrives late under load.
   * `basedOn` is the resourceVersion the write was made against (undefined
   * for a create). Only a cache still holding exactly that takes the answer:
   * if the watch has moved on (the echo, or a newer change), the cache is
   * already as new as the answer or newer. The echo itself then changes
   * nothing (same resourceVersion). With `notify: false` handlers are not
   * told: the writer knows nothing more needs doing about it. The cache
   * takes `written` over: the writer may still read it, but must not change it.
   * When `written` is a RestClient's answer, its echo is then dropped from the
   * watch undecoded (WriteEchoes).
   */
  recordWrite(key: string, basedOn: string | undefined, written: KubeObject, notify = true): void {
    if (this.store.resourceVersion(key) !== basedOn) return;
    const text = answerText(written);
    const obj = this.prepare(written);
    if (this.opts.keyOf(obj) !== key) return;
    this.apply(key, obj, false, notify);
    const rv = obj.metadata.resourceVersion;
    if (text !== undefined && rv !== undefined && rv !== '' && rv !== basedOn) this.echoes.expect(text, rv);
  }

  /** Runs until signal aborts. Never rejects because of the server. */
  async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      let watchSince: number | undefined;
      try {
        if (needList) await this.relist(signal);
        needList = false;
        watchSince = this.opts.clock.now();
        await this.watchOnce(signal);
        this.failures = 0;
        this.notServed = 0;
      } catch (err) {
        if (signal.aborted) return;
        needList = true;
        this.connected = false;
        if (isGone(err)) {
          this.opts.logger.debug('Watch expired, relisting…', { informer: this.opts.name });
          continue;
        }
        // A watch that ran a while before it failed ends a healthy spell: a
        // new fault, retried soon, not the next step of an old backoff. Seen
        // with a cut kcp connection: the virtual workspace's informer still
        // counted its 404s from start-up and waited 10 s.
        if (watchSince !== undefined && this.opts.clock.now() - watchSince >= HEALTHY_WATCH_MS) this.failures = 0;
        // The 404s of a type not served yet (start-up) are counted apart:
        // seen adding 10 s to the first cut connection after them.
        if (this.transient(err)) this.notServed += 1;
        else this.failures += 1;
        this.outage = { since: this.outage?.since ?? this.opts.clock.now(), error: errorChain(err) };
        const delay = this.retryDelay(err);
        const fields = { informer: this.opts.name, error: errorChain(err), retryInMs: delay };
        if (this.transient(err)) this.opts.logger.debug('List/watch failed, retrying…', fields);
        else this.opts.logger.warn('List/watch failed, retrying…', fields);
        await this.opts.clock.sleep(delay, signal).catch(() => undefined);
      }
    }
  }

  /**
   * Capped exponential backoff, except for 404: a virtual workspace serves a
   * newly bound type moments after the binding, and a consumer's first object
   * should not wait out a long backoff for that.
   */
  private retryDelay(err: unknown): number {
    const exponential = (n: number): number => Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.min(n - 1, 10));
    return this.transient(err)
      ? Math.min(exponential(this.notServed), NOT_SERVED_RETRY_MS)
      : exponential(this.failures);
  }

  private transient(err: unknown): boolean {
    return this.opts.notFoundIsTransient === true && isNotFound(err);
  }

  private selectors(): Query {
    return { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
  }

  /** Loads the full list (paged) and replaces the cache, reporting the differences. */
  private async relist(signal: AbortSignal): Promise<void> {
    this.echoes.clear();
    const seen = new Map<string, KubeObject>();
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await this.opts.client.list(
        this.opts.path,
        { ...this.selectors(), limit: this.opts.pageSize ?? 500, continue: cont },
        signal,
      );
      for (const item of page.items) {
        const obj = this.prepare(item);
        seen.set(this.opts.keyOf(obj), obj);
      }
      cont = page.metadata.continue !== undefined && page.metadata.continue !== '' ? page.metadata.continue : undefined;
      rv = page.metadata.resourceVersion ?? '';
    } while (cont !== undefined);
    for (const key of [...this.store.keys()]) {
      const old = seen.has(key) ? undefined : this.store.get(key);
      if (old !== undefined) this.apply(key, old, true);
    }
    for (const [key, obj] of seen) this.apply(key, obj, false);
    this.resourceVersion = rv ?? '';
    // The watch resumes from this resourceVersion: with the per-change debug lines it shows whether a change fell between.
    this.opts.logger.debug('Listed', {
      informer: this.opts.name,
      items: seen.size,
      resourceVersion: this.resourceVersion,
    });
    this.synced = true;
    this.outage = undefined;
    this.connected = true;
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const timeout = this.opts.watchTimeoutSeconds ?? 300;
    // Jitter spreads the reconnects of many informers.
    const timeoutSeconds = Math.round(timeout * (0.9 + Math.random() * 0.2));
    // The server ends the watch after timeoutSeconds. On a connection that
    // went silent (a black-holed network path, a stalled proxy) that end
    // never arrives and nothing fails: the deadline ends the watch from our
    // side instead, and it resumes from the last resourceVersion.
    const deadline = new AbortController();
    const onAbort = (): void => {
      deadline.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = this.opts.clock.sleep((timeoutSeconds + WATCH_DEADLINE_GRACE_SECONDS) * 1000, deadline.signal).then(
      () => {
        deadline.abort();
      },
      () => undefined,
    );
    try {
      await this.opts.client.watch(
        this.opts.path,
        { ...this.selectors(), resourceVersion: this.resourceVersion, timeoutSeconds },
        {
          onEvent: (event) => {
            this.handleEvent(event);
          },
          skipLine: (line) => this.skipEcho(line),
        },
        deadline.signal,
      );
    } catch (err) {
      if (signal.aborted || !deadline.signal.aborted) throw err;
      this.opts.logger.debug('Watch outlived its timeout without an end from the server; resuming', {
        informer: this.opts.name,
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
      deadline.abort();
      await timer;
    }
  }

  /** An echo of a recorded write changes nothing but where the watch resumes from. */
  private skipEcho(line: string): boolean {
    const rv = this.echoes.take(line);
    if (rv === undefined) return false;
    this.resourceVersion = rv;
    return true;
  }

  private handleEvent(event: WatchEvent): void {
    const rv = event.object.metadata.resourceVersion;
    if (rv !== undefined && rv !== '') this.resourceVersion = rv;
    if (event.type === 'BOOKMARK') return;
    const obj = this.prepare(event.object);
    this.apply(this.opts.keyOf(obj), obj, event.type === 'DELETED');
  }

  private apply(key: string, obj: KubeObject, deleted: boolean, notify = true): void {
    // A relist reports unchanged objects too; only real changes reach handlers.
    const cachedRv = this.store.resourceVersion(key);
    if (!deleted && cachedRv !== undefined && cachedRv === obj.metadata.resourceVersion) return;
    const old = notify && this.oldWanted ? this.store.get(key) : undefined;
    if (deleted) this.store.delete(key);
    else this.store.set(key, obj);
    if (!notify) return;
    for (const handler of this.handlers) {
      try {
        handler(obj, old, deleted);
      } catch (err) {
        this.opts.logger.error('Informer handler failed', { informer: this.opts.name, error: errorChain(err) });
      }
    }
  }

  private prepare(obj: KubeObject): KubeObject {
    if (obj.metadata.managedFields !== undefined) obj.metadata = withoutManagedFields(obj.metadata);
    return this.opts.transform === undefined ? obj : this.opts.transform(obj);
  }
}

/**
 * The metadata without managedFields, as a new object with the other keys in
 * their order. Deleting the key instead (it is not the last one) turns the
 * object into a dictionary in V8, and every later read and JSON.stringify of
 * it takes the slow path: measured, parsing, dropping and encoding a typical
 * object cost 8–9 µs with `delete` and 6–6.5 µs with this.
 */
function withoutManagedFields(m: ObjectMeta): ObjectMeta {
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(m)) {
    if (key !== 'managedFields') setOwn(kept, key, m[key]);
  }
  return kept;
}
