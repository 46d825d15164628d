import type * as http from 'node:http';
import { createRequire } from 'node:module';
import { errorChain, type Logger } from '../log/logger.ts';

// Not `import { createServer } from 'node:http'`: an ESM import builds the
// module's namespace from all its exports, and reading node:http's lazy
// WebSocket/CloseEvent/MessageEvent getters loads Node's bundled undici (its
// fetch), which the agent never uses: 15 MiB resident (60 vs 45 MiB for Node
// with only node:http loaded). require() reads only what is asked for.
const { createServer } = createRequire(import.meta.url)('node:http') as typeof http;

interface Answer {
  code: number;
  body: string;
  type?: string;
}

/** Starts an HTTP server on host:port serving fixed routes; resolves once listening. */
export async function serve(
  address: string,
  routes: Record<string, () => Answer | Promise<Answer>>,
  logger: Logger,
): Promise<http.Server> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i) === '' ? '0.0.0.0' : address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  const server = createServer((req, res) => {
    void answer(routes, req.url, logger).then((a) => {
      res.writeHead(a.code, { 'content-type': a.type ?? 'text/plain; charset=utf-8' });
      res.end(a.body);
    });
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

/** The route's answer; a route that fails is a 500 (the scrape fails, the agent goes on). */
async function answer(
  routes: Record<string, () => Answer | Promise<Answer>>,
  url: string | undefined,
  logger: Logger,
): Promise<Answer> {
  const route = routes[(url ?? '/').split('?')[0] ?? '/'];
  if (route === undefined) return { code: 404, body: 'not found\n' };
  try {
    return await route();
  } catch (err) {
    logger.error('HTTP handler failed', { path: url, error: errorChain(err) });
    return { code: 500, body: 'internal error\n' };
  }
}
