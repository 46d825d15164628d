/**
 * A bounded FIFO of keyed items in which adding a key that is still waiting
 * replaces its item in place: only the latest item per key is ever taken.
 * When full, the oldest item makes room (best-effort work such as Events).
 */
export class CoalescingQueue<T> {
  private readonly items = new Map<string, T>();
  private readonly capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new TypeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Queues `item` under `key`; says whether it replaced a waiting item or pushed the oldest out. */
  add(key: string, item: T): 'added' | 'replaced' | 'dropped-oldest' {
    if (this.items.has(key)) {
      // Map.set on an existing key keeps its place in the order.
      this.items.set(key, item);
      return 'replaced';
    }
    let dropped = false;
    if (this.items.size >= this.capacity) {
      const oldest = this.items.keys().next();
      if (oldest.done !== true) this.items.delete(oldest.value);
      dropped = true;
    }
    this.items.set(key, item);
    return dropped ? 'dropped-oldest' : 'added';
  }

  /** The item waiting under `key`, if any. */
  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    const first = this.items.values().next();
    return first.done === true ? undefined : first.value;
  }

  /** Removes and returns the oldest item. */
  take(): T | undefined {
    const first = this.items.entries().next();
    if (first.done === true) return undefined;
    this.items.delete(first.value[0]);
    return first.value[1];
  }

  get size(): number {
    return this.items.size;
  }
}
