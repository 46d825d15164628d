import { apiErrorFromResponse, type ApiError } from './errors.ts';
import { isWatchEvent, type WatchEvent } from './object.ts';

/**
 * Says, from an event's JSON line, that the event needs no decoding (the
 * echo of a write whose answer the reader already has); true drops it.
 */
export type SkipLine = (line: string) => boolean;

/** What a watch reports to: every event, and which lines need no decoding. */
export interface WatchReader {
  readonly onEvent: (event: WatchEvent) => void;
  readonly skipLine?: SkipLine | undefined;
}

/**
 * Reads a watch's body: one JSON event per line. Resolves when the stream
 * ends; an ERROR event (e.g. 410 for an expired resourceVersion) rejects
 * with its ApiError, so callers handle one error path. Lines the reader's
 * `skipLine` claims are neither decoded nor reported.
 */
export async function readWatchEvents(body: AsyncIterable<Buffer>, path: string, reader: WatchReader): Promise<void> {
  const { onEvent, skipLine } = reader;
  await forEachLine(body, (line) => {
    if (skipLine?.(line) === true) return;
    const event: unknown = JSON.parse(line);
    if (!isWatchEvent(event)) return;
    if (event.type === 'ERROR') throw watchError(path, event.object);
    onEvent(event);
  });
}

function watchError(path: string, status: Record<string, unknown>): ApiError {
  const code = typeof status['code'] === 'number' ? status['code'] : 500;
  return apiErrorFromResponse({ method: 'WATCH', path }, code, JSON.stringify(status), undefined);
}

/**
 * Calls onLine for every non-blank line of a byte stream (a watch's JSON
 * lines), whatever the chunk boundaries: a line or a character may be split
 * across chunks. A last line without a newline counts too. Only each new
 * chunk is searched for newlines, and the pieces of a line are joined once:
 * an object of a megabyte comes in about a hundred HTTP/2 frames, and joining
 * and splitting the whole line so far at every frame cost time quadratic in
 * its size, on the watch every consumer's events share.
 */
export async function forEachLine(body: AsyncIterable<Buffer>, onLine: (line: string) => void): Promise<void> {
  // The decoder keeps a multi-byte character that is split across chunks.
  const decoder = new TextDecoder();
  /** The current line's text from earlier chunks (none of it a newline). */
  let pieces: string[] = [];
  const emit = (line: string): void => {
    if (line.trim() !== '') onLine(line);
  };
  for await (const chunk of body) {
    const text = decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const tail = text.slice(start, nl);
      start = nl + 1;
      if (pieces.length === 0) {
        emit(tail);
        continue;
      }
      pieces.push(tail);
      const line = pieces.join('');
      pieces = [];
      emit(line);
    }
    if (start < text.length) pieces.push(text.slice(start));
  }
  emit(pieces.join('') + decoder.decode());
}
