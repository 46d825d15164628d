import type { KubeObject } from '../kube/object.ts';

/** An informer's cache: objects by key. */
export interface ObjectStore {
  get(key: string): KubeObject | undefined;
  /** The cached object's resourceVersion, without decoding it. */
  resourceVersion(key: string): string | undefined;
  /** Takes `obj` over: the caller must not change it afterwards. */
  set(key: string, obj: KubeObject): void;
  delete(key: string): void;
  keys(): IterableIterator<string>;
  values(): KubeObject[];
  readonly size: number;
}

/** Holds the objects themselves: cheapest to read, for small collections. */
export class PlainStore implements ObjectStore {
  private readonly items = new Map<string, KubeObject>();

  get(key: string): KubeObject | undefined {
    return this.items.get(key);
  }

  resourceVersion(key: string): string | undefined {
    return this.items.get(key)?.metadata.resourceVersion;
  }

  set(key: string, obj: KubeObject): void {
    this.items.set(key, obj);
  }

  delete(key: string): void {
    this.items.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  values(): KubeObject[] {
    return [...this.items.values()];
  }

  get size(): number {
    return this.items.size;
  }
}

/**
 * Objects written but not yet read that a CompactStore keeps decoded. The
 * read that usually follows a write (the reconcile a watch event queues)
 * then costs no JSON parse. Bounded in number and in their JSON's length, so
 * a burst of writes nobody reads (a relist of thousands, a tenant's large
 * objects) costs at most a few MiB of decoded objects.
 */
const UNREAD_LIMIT = 512;
const UNREAD_JSON_CHARS = 2 * 1024 * 1024;

/**
 * Holds each object as its JSON text, decoded on read: several times
 * smaller than the decoded object, for collections that grow with the number
 * of consumer objects. Every read returns an object nobody else holds, so
 * callers may keep or change it without touching the cache.
 *
 * `set` takes the object over: its caller may still read it (the informer
 * hands it to its change handlers) but must neither change it nor keep it.
 * The first read after a set may then return that very object instead of a
 * decoded copy, once; later reads decode.
 */
export class CompactStore implements ObjectStore {
  private readonly items = new Map<string, { readonly rv: string | undefined; readonly json: string }>();
  /** Oldest first: the object of a set that no read has taken yet, with its JSON's length. */
  private readonly unread = new Map<string, { readonly obj: KubeObject; readonly chars: number }>();
  private unreadChars = 0;

  get(key: string): KubeObject | undefined {
    const handedOver = this.unread.get(key);
    if (handedOver !== undefined) {
      this.forgetUnread(key);
      return handedOver.obj;
    }
    const entry = this.items.get(key);
    return entry === undefined ? undefined : (JSON.parse(entry.json) as KubeObject);
  }

  resourceVersion(key: string): string | undefined {
    return this.items.get(key)?.rv;
  }

  set(key: string, obj: KubeObject): void {
    const json = JSON.stringify(obj);
    this.items.set(key, { rv: obj.metadata.resourceVersion, json });
    // Re-inserted at the end, so eviction takes the oldest unread object.
    this.forgetUnread(key);
    if (json.length > UNREAD_JSON_CHARS) return;
    this.unread.set(key, { obj, chars: json.length });
    this.unreadChars += json.length;
    while (this.unread.size > UNREAD_LIMIT || this.unreadChars > UNREAD_JSON_CHARS) {
      const oldest = this.unread.keys().next();
      if (oldest.done === true) break;
      this.forgetUnread(oldest.value);
    }
  }

  delete(key: string): void {
    this.items.delete(key);
    this.forgetUnread(key);
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  /** Decoded copies, all of them: list readers may keep them while the unread objects stay for `get`. */
  values(): KubeObject[] {
    return [...this.items.values()].map((e) => JSON.parse(e.json) as KubeObject);
  }

  get size(): number {
    return this.items.size;
  }

  private forgetUnread(key: string): void {
    const entry = this.unread.get(key);
    if (entry === undefined) return;
    this.unread.delete(key);
    this.unreadChars -= entry.chars;
  }
}
