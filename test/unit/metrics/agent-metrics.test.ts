import { expect } from 'chai';
import { parseMetrics } from '../../../bench/metrics.ts';
import { type AgentMetrics, createAgentMetrics } from '../../../src/metrics/agent-metrics.ts';
import type { WorkQueueStats } from '../../../src/runtime/workqueue.ts';

/** `name{a="1",b="2"}` → value, for every sample of the exposition. */
async function samples(metrics: AgentMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of parseMetrics(await metrics.render())) {
    const labels = Object.entries(s.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    out.set(labels === '' ? s.name : `${s.name}{${labels}}`, s.value);
  }
  return out;
}

const NOW = Date.parse('2026-12-06T12:00:10Z');
const stats = (s: Partial<WorkQueueStats>): WorkQueueStats => ({
  adds: 0,
  depth: 0,
  retries: 0,
  longestRunningMs: 0,
  ...s,
});

interface Case {
  name: string;
  feed: (m: AgentMetrics) => void;
  /** Samples that must be present with these values. */
  want: Record<string, number>;
  /** Samples that must be absent. */
  absent?: string[];
}

const cases: Case[] = [
  {
    name: 'reconciles count by controller, all syncs as one, and time per PublishedResource in a histogram',
    feed: (m) => {
      m.observer.onReconcile('sync/crontabs', 'success', 20);
      m.observer.onReconcile('sync/crontabs', 'conflict', 4);
      m.observer.onReconcile('apiexport', 'error', 300);
    },
    want: {
      'syncagent_reconcile_total{controller="sync",outcome="success"}': 1,
      'syncagent_reconcile_total{controller="apiexport",outcome="error"}': 1,
      'syncagent_reconcile_seconds_total{controller="sync"}': 0.024,
      'syncagent_reconcile_duration_seconds_count{controller="sync",published_resource="crontabs"}': 2,
      'syncagent_reconcile_duration_seconds_bucket{controller="sync",le="0.005",published_resource="crontabs"}': 1,
      'syncagent_reconcile_duration_seconds_bucket{controller="sync",le="0.025",published_resource="crontabs"}': 2,
      'syncagent_reconcile_duration_seconds_bucket{controller="apiexport",le="0.25",published_resource=""}': 0,
      'syncagent_reconcile_duration_seconds_bucket{controller="apiexport",le="0.5",published_resource=""}': 1,
    },
  },
  {
    name: "a copy is timed from its consumer object's creationTimestamp; clock skew counts as 0, a missing timestamp not at all",
    feed: (m) => {
      m.observer.onCopyCreated('crontabs', '2026-12-06T12:00:07Z');
      m.observer.onCopyCreated('crontabs', '2026-12-06T12:00:11Z');
      m.observer.onCopyCreated('crontabs', undefined);
    },
    want: {
      'syncagent_sync_create_to_copy_seconds_count{published_resource="crontabs"}': 2,
      'syncagent_sync_create_to_copy_seconds_sum{published_resource="crontabs"}': 3,
      'syncagent_sync_create_to_copy_seconds_bucket{le="1",published_resource="crontabs"}': 1,
      'syncagent_sync_create_to_copy_seconds_bucket{le="2",published_resource="crontabs"}': 1,
      'syncagent_sync_create_to_copy_seconds_bucket{le="3",published_resource="crontabs"}': 2,
    },
  },
  {
    name: 'a status on its way up is timed per PublishedResource',
    feed: (m) => {
      m.observer.onStatusSynced('crontabs', 40);
    },
    want: {
      'syncagent_sync_status_to_consumer_seconds_bucket{le="0.025",published_resource="crontabs"}': 0,
      'syncagent_sync_status_to_consumer_seconds_bucket{le="0.05",published_resource="crontabs"}': 1,
    },
  },
  {
    name: 'requests count per server and code (429s included); watches are counted but not timed',
    feed: (m) => {
      const kcp = m.requests('kcp');
      kcp.onResponse({ method: 'PUT', path: '/x', code: 429, durationMs: 2, waitedMs: 0 });
      kcp.onResponse({ method: 'PUT', path: '/x', code: 200, durationMs: 30, waitedMs: 1500 });
      kcp.onResponse({ method: 'WATCH', path: '/x', code: 200, durationMs: 0, waitedMs: 0 });
      kcp.onResponse({ method: 'WATCH', path: '/x', code: 200, durationMs: 0, waitedMs: 0 });
      m.requests('service').onResponse({ method: 'GET', path: '/y', code: 200, durationMs: 5, waitedMs: 0 });
    },
    want: {
      'syncagent_requests_total{code="429",method="PUT",server="kcp"}': 1,
      'syncagent_requests_total{code="200",method="PUT",server="kcp"}': 1,
      'syncagent_requests_total{code="200",method="WATCH",server="kcp"}': 2,
      'syncagent_requests_total{code="200",method="GET",server="service"}': 1,
      'syncagent_request_duration_seconds_count{method="PUT",server="kcp"}': 2,
      'syncagent_request_wait_seconds_bucket{le="1",server="kcp"}': 1,
      'syncagent_request_wait_seconds_bucket{le="2.5",server="kcp"}': 2,
    },
    absent: ['syncagent_request_duration_seconds_count{method="WATCH",server="kcp"}'],
  },
  {
    name: "upstream's gauge reads the number of PublishedResources at scrape time",
    feed: (m) => {
      m.observer.trackPublishedResources(() => 3);
    },
    want: { sync_agent_published_resource: 3 },
  },
  {
    name: "upstream's gauge is 0 before the agent hands over its PublishedResources (a standby replica)",
    feed: () => undefined,
    want: { sync_agent_published_resource: 0 },
  },
  {
    name: 'discarded events count by why',
    feed: (m) => {
      m.eventDiscarded('replaced');
      m.eventDiscarded('replaced');
    },
    want: { 'syncagent_events_discarded_total{why="replaced"}': 2 },
  },
];

describe('agent metrics', function () {
  for (const c of cases) {
    it(c.name, async function () {
      const metrics = createAgentMetrics({ wallClockMs: () => NOW, processMetrics: false });
      c.feed(metrics);
      const got = await samples(metrics);
      for (const [series, value] of Object.entries(c.want)) expect(got.get(series), series).to.be.closeTo(value, 1e-9);
      for (const series of c.absent ?? []) expect(got.has(series), series).to.equal(false);
    });
  }

  describe('work queues', function () {
    it('reads depth, adds, retries and the longest-running key from each running queue at scrape time', async function () {
      const metrics = createAgentMetrics({ processMetrics: false });
      let current = stats({ adds: 5, depth: 3, retries: 1, longestRunningMs: 1500 });
      metrics.observer.trackQueue('sync/crontabs', () => current);
      expect(Object.fromEntries(await samples(metrics))).to.deep.include({
        'workqueue_depth{name="sync/crontabs"}': 3,
        'workqueue_adds_total{name="sync/crontabs"}': 5,
        'workqueue_retries_total{name="sync/crontabs"}': 1,
        'workqueue_longest_running_processor_seconds{name="sync/crontabs"}': 1.5,
      });
      current = stats({ adds: 7, depth: 0, retries: 1 });
      expect(Object.fromEntries(await samples(metrics))).to.deep.include({
        'workqueue_depth{name="sync/crontabs"}': 0,
        'workqueue_adds_total{name="sync/crontabs"}': 7,
      });
    });

    it("drops a stopped queue's gauges and keeps its counters growing across a restart, so rate() sees no reset", async function () {
      const metrics = createAgentMetrics({ processMetrics: false });
      let first = stats({ adds: 4, depth: 2 });
      const untrack = metrics.observer.trackQueue('sync/crontabs', () => first);
      await samples(metrics);
      first = stats({ adds: 9, retries: 2 });
      untrack();
      let got = await samples(metrics);
      expect(got.has('workqueue_depth{name="sync/crontabs"}'), 'depth of a stopped queue').to.equal(false);
      expect(got.get('workqueue_adds_total{name="sync/crontabs"}'), 'adds counted until it stopped').to.equal(9);
      metrics.observer.trackQueue('sync/crontabs', () => stats({ adds: 2, retries: 1 }));
      got = await samples(metrics);
      expect(got.get('workqueue_adds_total{name="sync/crontabs"}')).to.equal(11);
      expect(got.get('workqueue_retries_total{name="sync/crontabs"}')).to.equal(3);
    });
  });

  it("includes Node's process metrics: CPU, memory and event-loop lag", async function () {
    const got = await samples(createAgentMetrics());
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(got.has(name), name).to.equal(true);
    }
  });
});
