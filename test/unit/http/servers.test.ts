import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { serve } from '../../../src/http/servers.ts';
import { nopLogger } from '../../../src/log/logger.ts';

describe('serve', function () {
  const cases: { name: string; path: string; code: number; body: string; type: string }[] = [
    {
      name: 'answers a route that resolves later (a scrape)',
      path: '/metrics',
      code: 200,
      body: 'm 1\n',
      type: 'text/plain; version=0.0.4',
    },
    {
      name: 'answers a plain route',
      path: '/healthz?verbose',
      code: 200,
      body: 'ok\n',
      type: 'text/plain; charset=utf-8',
    },
    {
      name: 'answers 500 when a route fails (a broken scrape never takes the agent down)',
      path: '/broken',
      code: 500,
      body: 'internal error\n',
      type: 'text/plain; charset=utf-8',
    },
    {
      name: 'answers 404 for an unknown path',
      path: '/nope',
      code: 404,
      body: 'not found\n',
      type: 'text/plain; charset=utf-8',
    },
  ];
  for (const c of cases) {
    it(c.name, async function () {
      const server = await serve(
        '127.0.0.1:0',
        {
          '/metrics': () => Promise.resolve({ code: 200, body: 'm 1\n', type: 'text/plain; version=0.0.4' }),
          '/healthz': () => ({ code: 200, body: 'ok\n' }),
          '/broken': () => Promise.reject(new Error('registry failed')),
        },
        nopLogger,
      );
      try {
        const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${c.path}`);
        expect({ code: res.status, body: await res.text(), type: res.headers.get('content-type') }).to.deep.equal({
          code: c.code,
          body: c.body,
          type: c.type,
        });
      } finally {
        server.close();
      }
    });
  }
});
