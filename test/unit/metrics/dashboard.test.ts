import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMetrics } from '../../../bench/metrics.ts';
import { createAgentMetrics } from '../../../src/metrics/agent-metrics.ts';
import { REPO_ROOT } from '../../utils/tools.ts';

const DASHBOARD = join(REPO_ROOT, 'charts/api-syncagent/dashboards/api-syncagent.json');

interface Panel {
  targets?: { expr?: string }[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { definition?: string }[] };
}

/** Every PromQL expression of the dashboard's panels and variables. */
function expressions(dashboard: Dashboard): string[] {
  const fromPanels = (panels: Panel[]): string[] =>
    panels.flatMap((p) => [
      ...(p.targets ?? []).flatMap((t) => (t.expr === undefined ? [] : [t.expr])),
      ...fromPanels(p.panels ?? []),
    ]);
  return [
    ...fromPanels(dashboard.panels),
    ...dashboard.templating.list.flatMap((v) => (v.definition === undefined ? [] : [v.definition])),
  ];
}

/** Metric names in PromQL: identifiers with a selector (`name{…}`), and label_values' first argument. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b([a-z_][a-z0-9_]*)\{|label_values\((\w+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

describe("the chart's Grafana dashboard", function () {
  it('queries only series the agent exports, so no panel stays empty for a typo', async function () {
    const metrics = createAgentMetrics();
    // One observation each, so every labelled series has a sample.
    metrics.observer.onReconcile('sync/crontabs', 'success', 5);
    metrics.observer.onCopyCreated('crontabs', new Date().toISOString());
    metrics.observer.onStatusSynced('crontabs', 5);
    metrics.observer.trackQueue('sync/crontabs', () => ({ adds: 1, depth: 1, retries: 1, longestRunningMs: 1 }));
    metrics.requests('kcp').onResponse({ method: 'GET', path: '/', code: 429, durationMs: 1, waitedMs: 1 });
    metrics.eventDiscarded('dropped');
    const exported = new Set(parseMetrics(await metrics.render()).map((s) => s.name));

    const queried = new Set(expressions(JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard).flatMap(metricNames));
    expect(queried.size, 'metrics found in the dashboard').to.be.greaterThan(15);
    expect([...queried].filter((name) => !exported.has(name))).to.deep.equal([]);
  });
});
