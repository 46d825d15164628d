// An operator watches the agent through /metrics (the series the chart's
// Grafana dashboard is built on): a consumer's object syncs down and its
// status comes back up, and the series for each step move.
import { expect } from 'chai';
import { parseMetrics, scrape } from '../../bench/metrics.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import {
  AGENT_NAMESPACE,
  CRONTABS,
  CRONTABS_EXPORT,
  CRONTABS_PR as PR,
  cronTabServiceCluster,
  publishAndBindCronTabs,
} from '../utils/crontab-story.ts';
import { type Workspace, conditionTrue, createWorkspace, grantAgentAccess, uniqueName } from '../utils/kcp-fixtures.ts';
import { freePort } from '../utils/ports.ts';
import type { ServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { waitFor } from '../utils/wait.ts';

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
    ({ service, local } = await cronTabServiceCluster(artifacts, 'svc-metrics'));
    const org = await createWorkspace(kcp, 'root', uniqueName('metrics'));
    provider = await createWorkspace(kcp, org.path, 'provider');
    consumer = await createWorkspace(kcp, org.path, 'consumer');
    await grantAgentAccess(kcp, provider.path, CRONTABS_EXPORT);
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    agent = await startAgent(artifacts, {
      name: 'metrics-agent',
      kcp,
      providerPath: provider.path,
      exportName: CRONTABS_EXPORT,
      service,
      namespace: AGENT_NAMESPACE,
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
    const tenant = await publishAndBindCronTabs(kcp, local, provider, consumer);
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
