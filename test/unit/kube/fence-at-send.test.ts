import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { fenceAtSend, WriteFencedError } from '../../../src/kube/fence-at-send.ts';
import { RestClient } from '../../../src/kube/rest-client.ts';
import { Agent } from '../../../src/kube/undici-agent.ts';
import { systemClock } from '../../../src/runtime/clock.ts';

// The REST client asks the write fence before it hands a request to undici;
// undici may hold it longer (here: behind a watch on the pool's only
// connection). A lease lost meanwhile must still stop it: nothing reaches the server.
describe('the write fence, asked again when undici sends', function () {
  this.timeout(10_000);
  let server: Server;
  let url: string;
  const received: string[] = [];

  before(async function () {
    server = createServer((req, res) => {
      received.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.startsWith('/watch') === true) {
        res.flushHeaders();
        return;
      }
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a write queued while the replica held the lease, once it no longer does', async function () {
    let leader = true;
    const dispatcher = new Agent({ connections: 1 }).compose(fenceAtSend);
    const client = new RestClient(
      { server: url, dispatcher, authHeaders: () => Promise.resolve({}) },
      { qps: 0, burst: 1, clock: systemClock, timeoutMs: 2_000, mayWrite: () => leader },
    );
    const stopWatch = new AbortController();
    const watching = client.watch('/watch', {}, () => undefined, stopWatch.signal).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Passes the client's own check, then waits in undici for the connection.
    const write = client.patch('/api/v1/namespaces/default/configmaps/cm', { data: { a: 'b' } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    leader = false;
    stopWatch.abort();

    expect(await write).to.be.instanceOf(WriteFencedError);
    await watching;
    expect(received.filter((r) => r.startsWith('PATCH'))).to.deep.equal([]);
    await dispatcher.destroy();
  });
});
