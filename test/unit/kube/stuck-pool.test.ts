import { expect } from 'chai';
import { RecyclingAgent } from '../../../src/kube/recycling-agent.ts';
import { RestClient } from '../../../src/kube/rest-client.ts';
import { Agent } from '../../../src/kube/undici-agent.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { startQuietWatchServer } from '../../utils/quiet-watch-server.ts';

// undici leaves a request that waits for a connection pending after its
// signal aborts. A pool of one HTTP/1.1 connection held by a watch makes every
// other request wait like that: the request must still fail at its deadline,
// and the pool be replaced so that the next one gets through.
describe('a request stuck in a pool that does not send', function () {
  this.timeout(10_000);
  let server: Awaited<ReturnType<typeof startQuietWatchServer>>;
  let url: string;

  before(async function () {
    server = await startQuietWatchServer();
    url = server.url;
  });

  after(async function () {
    await server.close();
  });

  it('fails at its deadline instead of hanging, and the replaced pool serves the next request', async function () {
    const recycled: string[] = [];
    const dispatcher = new RecyclingAgent(() => new Agent({ connections: 1 }), {
      onRecycle: (why) => recycled.push(why),
    });
    const client = new RestClient(
      { server: url, dispatcher, authHeaders: () => Promise.resolve({}) },
      { qps: 0, burst: 1, clock: systemClock, timeoutMs: 200 },
    );
    const stopWatch = new AbortController();
    const watching = client
      .watch('/watch', {}, () => undefined, stopWatch.signal)
      .then(
        () => 'ended',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = Date.now();
    const stuck = await client.get('/api/v1/namespaces/default/configmaps/cm').then(
      () => 'answered',
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    expect(stuck).to.include('took longer than 400 ms');
    expect(Date.now() - started).to.be.below(2_000);
    expect(recycled).to.have.length(1);

    const next = await client.get('/api/v1/namespaces/default/configmaps/cm');
    expect(next.metadata.name).to.equal('cm');
    // The watch was on the old pool: it fails, and its informer would relist.
    expect(await watching).to.include('connection pool replaced');
    stopWatch.abort();
    await dispatcher.destroy();
  });
});
