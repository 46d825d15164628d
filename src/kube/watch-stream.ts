import { apiErrorFromResponse, type ApiError } from './errors.ts';
import { isWatchEvent, type WatchEvent } from './object.ts';

/**
 * Reads a watch's body: one JSON event per line. Resolves when the stream
 * ends; an ERROR event (e.g. 410 for an expired resourceVersion) rejects
 * with its ApiError, so callers handle one error path.
 */
export async function readWatchEvents(
  body: AsyncIterable<Buffer>,
  path: string,
  onEvent: (event: WatchEvent) => void,
): Promise<void> {
  await forEachLine(body, (line) => {
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
 * across chunks. A last line without a newline counts too.
 */
export async function forEachLine(body: AsyncIterable<Buffer>, onLine: (line: string) => void): Promise<void> {
  // The decoder keeps a multi-byte character that is split across chunks.
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() !== '') onLine(line);
    }
  }
  if (rest.trim() !== '') onLine(rest);
}
