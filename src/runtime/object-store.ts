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
 * then costs no JSON parse. Bounded, so a burst of writes nobody reads
 * (a relist of thousands) costs at most this many decoded objects.
 */
const UNREAD_LIMIT = 512;

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
  /** Oldest first: the object of a set that no read has taken yet, at most UNREAD_LIMIT of them. */
  private readonly unread = new Map<string, KubeObject>();

  get(key: string): KubeObject | undefined {
    const handedOver = this.unread.get(key);
    if (handedOver !== undefined) {
      this.unread.delete(key);
      return handedOver;
    }
    const entry = this.items.get(key);
    return entry === undefined ? undefined : (JSON.parse(entry.json) as KubeObject);
  }

  resourceVersion(key: string): string | undefined {
    return this.items.get(key)?.rv;
  }

  set(key: string, obj: KubeObject): void {
    this.items.set(key, { rv: obj.metadata.resourceVersion, json: JSON.stringify(obj) });
    // Re-inserted at the end, so eviction takes the oldest unread object.
    this.unread.delete(key);
    this.unread.set(key, obj);
    if (this.unread.size > UNREAD_LIMIT) {
      const oldest = this.unread.keys().next();
      if (oldest.done !== true) this.unread.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.items.delete(key);
    this.unread.delete(key);
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
}
