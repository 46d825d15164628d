// List, then watch from the list's resourceVersion, re-watching when the
// server ends the stream and re-listing when the version expired. Every event
// (and every listed item) is handed over with the time it was received.
import { isGone } from '../src/kube/errors.ts';
import type { KubeObject } from '../src/kube/object.ts';
import type { Query, RestClient } from '../src/kube/rest-client.ts';
import { log, now, sleep } from './util.ts';

export type ObjectHandler = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, receivedAt: number) => void;

export interface Stream {
  readonly client: RestClient;
  readonly path: string;
  readonly query: Query;
}

/** Streams `path` until the signal aborts. Resolves once the first list is handled. */
export async function watchAll(stream: Stream, onObject: ObjectHandler, signal: AbortSignal): Promise<void> {
  const { client, path, query } = stream;
  let rv = await relist(stream, onObject, signal);
  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await client.watch(
          path,
          { ...query, resourceVersion: rv, timeoutSeconds: 300 },
          (event) => {
            const at = now();
            const v = event.object.metadata.resourceVersion;
            if (v !== undefined) rv = v;
            if (event.type !== 'BOOKMARK' && event.type !== 'ERROR') onObject(event.type, event.object, at);
          },
          signal,
        );
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        if (isGone(err)) {
          rv = await relist(stream, onObject, signal).catch(() => rv);
          continue;
        }
        failures++;
        if (failures % 10 === 1)
          log(`watch ${path} broke (${err instanceof Error ? err.message : String(err)}); retrying`);
        await sleep(Math.min(2_000, 100 * failures), undefined, { signal }).catch(() => undefined);
      }
    }
  };
  void loop();
}

async function relist({ client, path, query }: Stream, onObject: ObjectHandler, signal: AbortSignal): Promise<string> {
  const list = await client.list(path, query, signal);
  const at = now();
  for (const item of list.items) onObject('ADDED', item, at);
  return list.metadata?.resourceVersion ?? '0';
}
