import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain HTTP server for client tests: a path starting with /watch gets its
 * headers and then silence (a quiet watch that holds its connection), any
 * other path a ConfigMap. `received` lists every request as "METHOD url".
 * With `holdWrites`, a request that is not a GET is answered only once
 * `releaseWrites()` is called.
 */
export async function startQuietWatchServer(opts: { holdWrites?: boolean } = {}): Promise<{
  url: string;
  received: string[];
  releaseWrites(): void;
  close(): Promise<void>;
}> {
  const received: string[] = [];
  const held: (() => void)[] = [];
  const server = createServer((req, res) => {
    received.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (req.url?.startsWith('/watch') === true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return;
    }
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }));
    };
    if (opts.holdWrites === true && req.method !== 'GET') held.push(answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    releaseWrites: () => {
      for (const answer of held.splice(0)) answer();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
