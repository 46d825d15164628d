import { createServer, type Server } from 'node:http';
import type { Logger } from '../log/logger.ts';

/** Starts an HTTP server on host:port serving fixed routes; resolves once listening. */
export async function serve(address: string, routes: Record<string, () => { code: number; body: string; type?: string }>, logger: Logger): Promise<Server> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i) === '' ? '0.0.0.0' : address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  const server = createServer((req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0] ?? '/'];
    const answer = route === undefined ? { code: 404, body: 'not found\n' } : route();
    res.writeHead(answer.code, { 'content-type': answer.type ?? 'text/plain; charset=utf-8' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  logger.info('Serving HTTP', { address, routes: Object.keys(routes) });
  return server;
}
