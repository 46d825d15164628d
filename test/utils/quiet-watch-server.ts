import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain HTTP server for client tests: a path starting with /watch gets its
 * headers and then silence (a quiet watch that holds its connection), any
 * other path a ConfigMap. `received` lists every request as "METHOD url".
 */
export async function startQuietWatchServer(): Promise<{
  url: string;
  received: string[];
  close(): Promise<void>;
}> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url?.startsWith('/watch') === true) {
      res.flushHeaders();
      return;
    }
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
