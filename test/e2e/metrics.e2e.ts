// An operator watches the agent through /metrics (the series the chart's
// Grafana dashboard is built on): a consumer's object syncs down and its
// status comes back up, and the series for each step move.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseMetrics, scrape } from '../../bench/metrics.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import {
  type Workspace,
  applyObject,
  bindExport,
  conditionTrue,
  createWorkspace,
  grantAgentAccess,
  uniqueName,
} from '../utils/kcp-fixtures.ts';
import { freePort } from '../utils/ports.ts';
import { installCrd, readCrd } from '../utils/service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import { waitFor } from '../utils/wait.ts';

const EXPORT = 'crontabs.example.com';
const PR = 'publish-crontabs';
const CRONTABS = '/apis/example.com/v1/namespaces/default/crontabs';
const fixture = (p: string): string => join(REPO_ROOT, p);

/** The sum of a metric's samples whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return parseMetrics(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function has(text: string, name: string): boolean {
  return parseMetrics(text).some((s) => s.name === name);
}

describe("an operator reading the agent's /metrics", function () {
  let service: ServiceCluster;
  let local: RestClient;
  let provider: Workspace;
  let consumer: Workspace;
  let agent: RunningAgent;
  let metricsUrl: string;

  before(async function () {
    const { kcp, artifacts } = suite();
    service = await startServiceCluster(artifacts, uniqueName('svc-metrics'));
    local = await service.client();
    await installCrd(local, readCrd(fixture('crds/syncagent.kcp.io_publishedresources.yaml')));
    await installCrd(local, readCrd(fixture('test/fixtures/crds/crontab.yaml')));
    await local.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'api-syncagent' },
    });
    const org = await createWorkspace(kcp, 'root', uniqueName('metrics'));
    provider = await createWorkspace(kcp, org.path, 'provider');
    consumer = await createWorkspace(kcp, org.path, 'consumer');
    await grantAgentAccess(kcp, provider.path, EXPORT);
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    agent = await startAgent(artifacts, {
      name: 'metrics-agent',
      kcp,
      providerPath: provider.path,
      exportName: EXPORT,
      service,
      namespace: 'api-syncagent',
      extraArgs: [`--metrics-address=127.0.0.1:${port}`],
    });
    await waitAgentReady(agent);
  });

  after(async function () {
    await agent.process.stop();
    await service.stop();
  });

  it("sees a consumer object's sync move the series the dashboard is built on", async function () {
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
    const before = await scrape(metricsUrl);
    expect(total(before, 'sync_agent_published_resource'), "upstream's gauge").to.equal(1);
    expect(total(before, 'syncagent_sync_create_to_copy_seconds_count'), 'no copy yet').to.equal(0);

    await tenant.create(CRONTABS, {
      apiVersion: 'example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'nightly' },
      spec: { cronSpec: '0 3 * * *' },
    });
    const copy = await waitFor(
      'the copy',
      async () =>
        (await local.list(`/apis/example.com/v1/namespaces/${consumer.cluster}/crontabs`).catch(() => ({ items: [] })))
          .items[0],
    );
    await local.replace(
      `/apis/example.com/v1/namespaces/${consumer.cluster}/crontabs/${copy.metadata.name ?? ''}/status`,
      { ...copy, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    );
    await waitFor('Ready in the consumer workspace', async () =>
      conditionTrue(await tenant.get(`${CRONTABS}/nightly`), 'Ready') ? true : undefined,
    );
    // The status write is observed right after kcp answers it; one scrape may still be a moment early.
    const after = await waitFor('the status latency recorded', async () => {
      const text = await scrape(metricsUrl);
      return total(text, 'syncagent_sync_status_to_consumer_seconds_count', { published_resource: PR }) > 0
        ? text
        : undefined;
    });

    const sync = { published_resource: PR };
    expect(total(after, 'syncagent_sync_create_to_copy_seconds_count', sync), 'create→copy').to.equal(1);
    expect(total(after, 'syncagent_sync_create_to_copy_seconds_bucket', { ...sync, le: '+Inf' })).to.equal(1);
    expect(
      total(after, 'syncagent_sync_status_to_consumer_seconds_bucket', { ...sync, le: '+Inf' }),
      'copy status→consumer status',
    ).to.equal(1);
    expect(
      total(after, 'syncagent_sync_status_to_consumer_seconds_bucket', { ...sync, le: '10' }),
      'a status within 10 s',
    ).to.equal(1);
    const reconciles = total(after, 'syncagent_reconcile_duration_seconds_count', { controller: 'sync', ...sync });
    expect(reconciles, 'sync reconciles timed').to.be.greaterThan(0);
    expect(
      total(after, 'syncagent_reconcile_duration_seconds_bucket', { controller: 'sync', ...sync, le: '10' }),
      'reconciles in the finite buckets',
    ).to.equal(reconciles);
    expect(total(after, 'syncagent_reconcile_total', { controller: 'sync' })).to.equal(reconciles);
    expect(
      total(after, 'workqueue_adds_total', { name: `sync/${PR}` }),
      "keys through the sync's queue",
    ).to.be.greaterThan(0);
    expect(
      has(after, 'workqueue_depth') && has(after, 'workqueue_longest_running_processor_seconds'),
      'queue gauges',
    ).to.equal(true);
    for (const server of ['kcp', 'service']) {
      expect(total(after, 'syncagent_requests_total', { server }), `requests to ${server}`).to.be.greaterThan(
        total(before, 'syncagent_requests_total', { server }),
      );
      expect(
        total(after, 'syncagent_request_duration_seconds_count', { server }),
        `${server} answers timed`,
      ).to.be.greaterThan(0);
    }
    expect(total(after, 'sync_agent_published_resource')).to.equal(1);
    expect(
      has(after, 'nodejs_eventloop_lag_p99_seconds') && has(after, 'process_cpu_seconds_total'),
      "Node's process metrics",
    ).to.equal(true);
  });
});
