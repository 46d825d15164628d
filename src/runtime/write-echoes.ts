/** How a watch line starts for the events that can echo a write: an update's, a create's. */
const ECHO_PREFIXES = ['{"type":"MODIFIED","object":', '{"type":"ADDED","object":'] as const;
/**
 * Echoes come within moments; more than this many waiting, or this much
 * text, means a watch moved on without them (or a tenant's objects are
 * large): all are forgotten, and their events, if they come, are decoded.
 */
const MOST_WAITING = 1024;
const MOST_WAITING_CHARS = 8 * 1024 * 1024;

interface Expected {
  readonly text: string;
  readonly resourceVersion: string;
}

/**
 * The writes whose answers a cache took in and whose watch events have not
 * come yet. The API server sends the object in the event as the same JSON
 * text it answered the write with, so the event is recognised by comparing
 * its line with that text, without decoding it. Echoes are most of what a
 * sync's watches carry (a finalizer, a status and a copy's create per
 * object), and decoding each was as much work as decoding a real change.
 *
 * A line is taken only when it is exactly the event the write's answer makes
 * (the same object, byte for byte, so the same resourceVersion): anything
 * else, including an event that differs only in a tenant's field, is decoded
 * as usual.
 */
export class WriteEchoes {
  /** By the answer text's length: a line of another length is told apart without comparing text. */
  private readonly byLength = new Map<number, Expected[]>();
  private waiting = 0;
  private waitingChars = 0;

  /** Expects the watch event of a write the server answered with `text` (the object's JSON). */
  expect(text: string, resourceVersion: string): void {
    if (text.length > MOST_WAITING_CHARS) return;
    if (this.waiting >= MOST_WAITING || this.waitingChars + text.length > MOST_WAITING_CHARS) this.clear();
    const list = this.byLength.get(text.length);
    if (list === undefined) this.byLength.set(text.length, [{ text, resourceVersion }]);
    else list.push({ text, resourceVersion });
    this.waiting += 1;
    this.waitingChars += text.length;
  }

  /** The resourceVersion of the write `line` is the echo of (expected no more), or undefined. */
  take(line: string): string | undefined {
    if (this.waiting === 0 || !line.endsWith('}')) return undefined;
    for (const prefix of ECHO_PREFIXES) {
      if (!line.startsWith(prefix)) continue;
      const length = line.length - prefix.length - 1;
      const list = this.byLength.get(length);
      const i = list?.findIndex((e) => line.startsWith(e.text, prefix.length)) ?? -1;
      const found = list?.[i];
      if (list === undefined || found === undefined) return undefined;
      list.splice(i, 1);
      if (list.length === 0) this.byLength.delete(length);
      this.waiting -= 1;
      this.waitingChars -= found.text.length;
      return found.resourceVersion;
    }
    return undefined;
  }

  /** Forgets every expected echo (a relist replaces the cache). */
  clear(): void {
    this.byLength.clear();
    this.waiting = 0;
    this.waitingChars = 0;
  }
}
