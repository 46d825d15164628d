import type { KubeObject } from '../kube/object.ts';

/** An informer's cache: objects by key. */
export interface ObjectStore {
  get(key: string): KubeObject | undefined;
  /** The cached object's resourceVersion, without decoding it. */
  resourceVersion(key: string): string | undefined;
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
 * Holds each object as its JSON text, decoded on every read: several times
 * smaller than the decoded object, for collections that grow with the number
 * of consumer objects. Every read returns a fresh copy, so callers may keep or
 * change it without touching the cache.
 */
export class CompactStore implements ObjectStore {
  private readonly items = new Map<string, { readonly rv: string | undefined; readonly json: string }>();

  get(key: string): KubeObject | undefined {
    const entry = this.items.get(key);
    return entry === undefined ? undefined : (JSON.parse(entry.json) as KubeObject);
  }

  resourceVersion(key: string): string | undefined {
    return this.items.get(key)?.rv;
  }

  set(key: string, obj: KubeObject): void {
    this.items.set(key, { rv: obj.metadata.resourceVersion, json: JSON.stringify(obj) });
  }

  delete(key: string): void {
    this.items.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  values(): KubeObject[] {
    return [...this.items.values()].map((e) => JSON.parse(e.json) as KubeObject);
  }

  get size(): number {
    return this.items.size;
  }
}
