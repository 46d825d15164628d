// A provider runs the agent as the chart does, with the container's memory
// limit handed to it: the heap is capped below that limit, /metrics shows how
// full it is, and when it passes the warning threshold the provider reads why
// on the PublishedResource, before the process runs out of memory.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseMetrics, scrape } from '../../bench/metrics.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import { createWorkspace, grantAgentAccess, uniqueName } from '../utils/kcp-fixtures.ts';
import { installCrd, readCrd } from '../utils/service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import { waitFor } from '../utils/wait.ts';

const EXPORT = 'crontabs.example.com';
const PR = 'publish-crontabs';
const MIB = 2 ** 20;
const fixture = (p: string): string => join(REPO_ROOT, p);

function sample(text: string, name: string): number | undefined {
  return parseMetrics(text).find((s) => s.name === name)?.value;
}

describe("an agent's memory, as a provider sees it", function () {
  let service: ServiceCluster;
  let local: RestClient;
  let agent: RunningAgent;

  before(async function () {
    const { kcp, artifacts } = suite();
    service = await startServiceCluster(artifacts, uniqueName('svc-memory'));
    local = await service.client();
    await installCrd(local, readCrd(fixture('crds/syncagent.kcp.io_publishedresources.yaml')));
    await installCrd(local, readCrd(fixture('test/fixtures/crds/crontab.yaml')));
    await local.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'agent' } });
    await local.create(
      '/apis/syncagent.kcp.io/v1alpha1/publishedresources',
      parse(readFileSync(fixture('test/fixtures/publishedresources/crontabs.yaml'), 'utf8')) as KubeObject,
    );
    const org = await createWorkspace(kcp, 'root', uniqueName('memory'));
    const provider = await createWorkspace(kcp, org.path, 'provider');
    await grantAgentAccess(kcp, provider.path, EXPORT);
    agent = await startAgent(artifacts, {
      name: 'memory-agent',
      kcp,
      providerPath: provider.path,
      exportName: EXPORT,
      service,
      namespace: 'agent',
      metrics: true,
      // What the chart's downward API passes for a 256 Mi limit.
      env: { SYNCAGENT_MEMORY_LIMIT_MIB: '256' },
      // Any heap is above 1% of its limit: the warning an agent near its limit gives.
      extraArgs: ['--memory-pressure-threshold=0.01'],
    });
    await waitAgentReady(agent);
  });

  after(async function () {
    await agent.process.stop();
    await service.stop();
  });

  it('caps the heap at 75% of the container limit and shows how full it is', async function () {
    const text = await scrape(`${agent.metricsUrl ?? ''}/metrics`);
    const limit = sample(text, 'syncagent_heap_limit_bytes') ?? 0;
    // 192 MiB of old generation, plus the young generation V8 adds on top.
    expect(limit / MIB).to.be.within(192, 256);
    const ratio = sample(text, 'syncagent_heap_limit_ratio') ?? 0;
    expect(ratio).to.be.greaterThan(0).and.lessThan(1);
  });

  it('warns on the PublishedResource, once, when the heap passes the threshold', async function () {
    const warnings = async (): Promise<KubeObject[]> =>
      (await local.list('/api/v1/namespaces/default/events')).items.filter(
        (e) => e['reason'] === 'MemoryPressure' && (e['involvedObject'] as { name?: string }).name === PR,
      );
    const [event] = await waitFor('a MemoryPressure event on the PublishedResource', async () => {
      const found = await warnings();
      return found.length > 0 ? found : undefined;
    });
    expect(event?.['type']).to.equal('Warning');
    expect(String(event?.['message'])).to.match(/heap is at \d+% of its limit \(\d+ of \d+ MiB\)/);
    // The agent checks every 10 s; a heap that stays above the threshold is not reported again.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect(await warnings()).to.have.length(1);
  });
});
