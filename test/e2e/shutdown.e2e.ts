// A provider rolls out a new agent version: Kubernetes sends the running pod
// SIGTERM and kills it when its grace period ends. The agent must be gone
// well before that, even while Events for consumers are still waiting for
// spare request budget (a busy agent always has some queued).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { logEntries, type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import {
  applyObject,
  bindExport,
  conditionTrue,
  createWorkspace,
  grantAgentAccess,
  uniqueName,
  type Workspace,
} from '../utils/kcp-fixtures.ts';
import { installCrd, readCrd } from '../utils/service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import { waitFor } from '../utils/wait.ts';

const EXPORT = 'crontabs.example.com';
const PR = 'publish-crontabs';
const CRONTABS = '/apis/example.com/v1/namespaces/default/crontabs';
const OBJECTS = 20;
const fixture = (p: string): string => join(REPO_ROOT, p);

describe('an operator stopping the agent while Events are still queued', function () {
  let service: ServiceCluster;
  let local: RestClient;
  let provider: Workspace;
  let consumer: Workspace;
  let agent: RunningAgent;

  before(async function () {
    const { kcp, artifacts } = suite();
    service = await startServiceCluster(artifacts, uniqueName('svc-shutdown'));
    local = await service.client();
    await installCrd(local, readCrd(fixture('crds/syncagent.kcp.io_publishedresources.yaml')));
    await installCrd(local, readCrd(fixture('test/fixtures/crds/crontab.yaml')));
    await local.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'api-syncagent' },
    });
    const org = await createWorkspace(kcp, 'root', uniqueName('shutdown'));
    provider = await createWorkspace(kcp, org.path, 'provider');
    consumer = await createWorkspace(kcp, org.path, 'consumer');
    await grantAgentAccess(kcp, provider.path, EXPORT);
    agent = await startAgent(artifacts, {
      name: 'shutdown-agent',
      kcp,
      providerPath: provider.path,
      exportName: EXPORT,
      service,
      namespace: 'api-syncagent',
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
    await applyObject(
      local,
      parse(readFileSync(fixture('test/fixtures/publishedresources/crontabs.yaml'), 'utf8')) as KubeObject,
    );
    await waitFor('ExportReady on the PublishedResource', async () =>
      conditionTrue(await local.get(`/apis/syncagent.kcp.io/v1alpha1/publishedresources/${PR}`), 'ExportReady')
        ? true
        : undefined,
    );
    await bindExport(kcp, consumer.path, { path: provider.path, name: EXPORT });
    const tenant = await kcp.client('admin', consumer.path);
    await waitFor('the API in the consumer workspace', () => tenant.list(CRONTABS));
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
