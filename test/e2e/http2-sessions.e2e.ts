// The agent shares one HTTP/2 session per server between its watches and its
// requests. These stories pin down what makes kcp and the kube-apiserver end
// such a session, and that the agent's own sign-of-life checks do not.
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent as UndiciAgent } from 'undici';
import { RestClient } from '../../src/kube/rest-client.ts';
import { RecyclingAgent } from '../../src/kube/recycling-agent.ts';
import { Agent } from '../../src/kube/undici-agent.ts';
import { systemClock } from '../../src/runtime/clock.ts';
import type { Identity } from '../utils/kubeconfig.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { uniqueName } from '../utils/kcp-fixtures.ts';
import { suite } from '../utils/suite.ts';

/** A fresh HTTP/2 pool trusting the server, and a count of the connections it opened. */
function countingPool(id: Identity): { agent: UndiciAgent; connections: () => number } {
  const agent = new Agent({
    connect: {
      ca: id.caPem,
      ...(id.clientCert === undefined ? {} : { cert: id.clientCert.certPem, key: id.clientCert.keyPem }),
    },
  });
  let connections = 0;
  agent.on('connect', () => {
    connections++;
  });
  return { agent, connections: () => connections };
}

const credentials = (id: Identity): Record<string, string> =>
  id.token === '' ? {} : { authorization: `Bearer ${id.token}` };

/** How many connections three GET /version, one after another, take (a GOAWAY after an answer makes the next one connect again). */
async function connectionsForThreeVersionGets(id: Identity, headers: Record<string, string>): Promise<number> {
  const { agent, connections } = countingPool(id);
  try {
    for (let i = 0; i < 3; i++) {
      const res = await agent.request({ origin: new URL(id.server).origin, path: '/version', method: 'GET', headers });
      await res.body.dump();
      // The GOAWAY follows the answer.
      await sleep(300);
    }
    return connections();
  } finally {
    await agent.destroy();
  }
}

describe('HTTP/2 sessions to the real servers', function () {
  this.timeout(120_000);
  let service: ServiceCluster;

  before(async function () {
    service = await startServiceCluster(suite().artifacts, uniqueName('sessions'));
  });

  after(async function () {
    await service.stop();
  });

  // Kubernetes' UnauthenticatedHTTP2DOSMitigation (on by default since 1.29):
  // an anonymous request is answered with `Connection: close`, and Go ends
  // the session with a GOAWAY. The agent's liveness check was anonymous once.
  for (const server of ['kcp', 'the kube-apiserver'] as const) {
    it(`${server} ends a session after an anonymous request, and keeps it after an authenticated one`, async function () {
      const id = server === 'kcp' ? suite().kcp.identity('admin', 'root') : service.admin;
      expect(await connectionsForThreeVersionGets(id, {})).to.equal(3);
      expect(await connectionsForThreeVersionGets(id, credentials(id))).to.equal(1);
    });
  }

  it("keeps one session while the client's liveness checks run next to a watch", async function () {
    const id = service.admin;
    const { agent, connections } = countingPool(id);
    const client = new RestClient(
      {
        server: id.server,
        dispatcher: new RecyclingAgent(() => agent),
        authHeaders: () => Promise.resolve(credentials(id)),
      },
      { qps: 0, burst: 1, clock: systemClock, liveness: { intervalMs: 300, timeoutMs: 5_000 } },
    );
    const stop = new AbortController();
    const watching = client.watch('/api/v1/namespaces/default/configmaps', {}, () => undefined, stop.signal);
    try {
      // Five checks go out meanwhile; each request after them finds the same session.
      for (let i = 0; i < 6; i++) {
        await sleep(300);
        await client.get('/api/v1/namespaces/default');
      }
      expect(connections()).to.equal(1);
    } finally {
      stop.abort();
      await watching.catch(() => undefined);
      await agent.destroy();
    }
  });
});
