// A provider rolls out a new agent version: Kubernetes sends the running pod
// SIGTERM and kills it when its grace period ends. The agent must be gone
// well before that, even while Events for consumers are still waiting for
// spare request budget (a busy agent always has some queued).
import { expect } from 'chai';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { logEntries, type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import {
  AGENT_NAMESPACE,
  CRONTABS,
  CRONTABS_EXPORT,
  cronTabServiceCluster,
  publishAndBindCronTabs,
} from '../utils/crontab-story.ts';
import { createWorkspace, grantAgentAccess, uniqueName, type Workspace } from '../utils/kcp-fixtures.ts';
import type { ServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';

const OBJECTS = 20;

describe('an operator stopping the agent while Events are still queued', function () {
  let service: ServiceCluster;
  let local: RestClient;
  let provider: Workspace;
  let consumer: Workspace;
  let agent: RunningAgent;

  before(async function () {
    const { kcp, artifacts } = suite();
    ({ service, local } = await cronTabServiceCluster(artifacts, 'svc-shutdown'));
    const org = await createWorkspace(kcp, 'root', uniqueName('shutdown'));
    provider = await createWorkspace(kcp, org.path, 'provider');
    consumer = await createWorkspace(kcp, org.path, 'consumer');
    await grantAgentAccess(kcp, provider.path, CRONTABS_EXPORT);
    agent = await startAgent(artifacts, {
      name: 'shutdown-agent',
      kcp,
      providerPath: provider.path,
      exportName: CRONTABS_EXPORT,
      service,
      namespace: AGENT_NAMESPACE,
      // One kcp request per second: the copies' finalizer writes use all of it,
      // so the Events (sent only from spare budget) queue up.
      extraArgs: ['--kcp-qps=1', '--kcp-burst=1'],
    });
    await waitAgentReady(agent);
  });

  after(async function () {
    await agent.process.stop();
    await service.stop();
  });

  it('exits 0 within seconds of SIGTERM, giving up the Events it could not write', async function () {
    const { kcp } = suite();
    const tenant = await publishAndBindCronTabs(kcp, local, provider, consumer);
    for (let i = 0; i < OBJECTS; i++) {
      await tenant.create(CRONTABS, {
        apiVersion: 'example.com/v1',
        kind: 'CronTab',
        metadata: { name: `job-${i}` },
        spec: { cronSpec: '0 3 * * *' },
      });
    }
    await waitFor(
      `all ${OBJECTS} copies`,
      async () => {
        const copies = await local
          .list(`/apis/example.com/v1/namespaces/${consumer.cluster}/crontabs`)
          .catch(() => ({ items: [] }));
        return copies.items.length === OBJECTS ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );

    const stopped = Date.now();
    await agent.process.stop();
    const tookMs = Date.now() - stopped;

    expect(
      logEntries(agent).some((e) => e['msg'] === 'Shutting down with events not written'),
      'Events were still queued at SIGTERM (else this proves nothing)',
    ).to.equal(true);
    expect(agent.process.exitStatus(), agent.process.logTail()).to.deep.equal({ exitCode: 0, forced: false });
    // The Event flush may take 5 s; nothing else should keep the process alive.
    expect(tookMs, 'time from SIGTERM to exit').to.be.below(8_000);
  });
});
