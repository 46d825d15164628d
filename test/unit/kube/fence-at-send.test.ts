import { expect } from 'chai';
import type { Dispatcher } from 'undici';
import { fenceAtSend, WriteFencedError } from '../../../src/kube/fence-at-send.ts';
import { RestClient } from '../../../src/kube/rest-client.ts';
import { Agent } from '../../../src/kube/undici-agent.ts';
import { type Fence, WriteFence } from '../../../src/kube/write-fence.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { startQuietWatchServer } from '../../utils/quiet-watch-server.ts';

// The REST client asks the write fence before it hands a request to undici;
// undici may hold it longer (here: behind a watch on the pool's only
// connection). A lease lost meanwhile must still stop it: nothing reaches the server.
describe('the write fence, asked again when undici sends', function () {
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

  it('refuses a write queued while the replica held the lease, once it no longer does', async function () {
    let leader = true;
    const { client, dispatcher } = fencedClient(url, { mayWrite: () => leader });
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
    expect(server.received.filter((r) => r.startsWith('PATCH'))).to.deep.equal([]);
    await dispatcher.destroy();
  });
});

// What no check can stop: a write already sent when the lease is lost (in
// the agent, a process frozen between the check and the socket). The fence
// reports it, so the operator knows which writes may have raced the new leader.
describe('the write fence, telling of writes that crossed the loss of the lease', function () {
  this.timeout(10_000);
  const PATH = '/api/v1/namespaces/default/configmaps/cm';

  it('reports a write sent while leading and answered after the lease was lost', async function () {
    const server = await startQuietWatchServer({ holdWrites: true });
    let leader = true;
    const raced: string[] = [];
    const fence = new WriteFence((write) => raced.push(write));
    fence.guardWith(() => leader);
    const { client, dispatcher } = fencedClient(server.url, fence);
    const answered = client.patch(PATH, { data: { a: 'b' } });
    await waitUntil(() => server.received.length === 1);
    leader = false;
    server.releaseWrites();
    await answered;
    expect(raced).to.deep.equal([`PATCH ${PATH}`]);
    await dispatcher.destroy();
    await server.close();
  });

  it('reports nothing for writes answered while leading', async function () {
    const server = await startQuietWatchServer();
    const raced: string[] = [];
    const fence = new WriteFence((write) => raced.push(write));
    fence.guardWith(() => true);
    const { client, dispatcher } = fencedClient(server.url, fence);
    await client.patch(PATH, { data: { a: 'b' } });
    fence.lost();
    expect(raced).to.deep.equal([]);
    await dispatcher.destroy();
    await server.close();
  });

  it('reports, when the loss is noticed, the writes still unanswered, once', function () {
    const raced: string[] = [];
    let leader = true;
    const fence = new WriteFence((write) => raced.push(write));
    fence.guardWith(() => leader);
    const answeredA = fence.sending('PATCH /a');
    fence.sending('POST /b');
    answeredA();
    leader = false;
    fence.lost();
    fence.lost();
    expect(raced).to.deep.equal(['POST /b']);
  });
});

/** A REST client on a one-connection pool with the fence at send, as connection.ts builds it. */
function fencedClient(url: string, fence: Fence): { client: RestClient; dispatcher: Dispatcher } {
  const dispatcher = new Agent({ connections: 1 }).compose(fenceAtSend);
  const client = new RestClient(
    { server: url, dispatcher, authHeaders: () => Promise.resolve({}) },
    { qps: 0, burst: 1, clock: systemClock, timeoutMs: 2_000, fence },
  );
  return { client, dispatcher };
}

async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
}
