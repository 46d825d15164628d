// The memory curve's results: what one agent measured at one size, the
// Markdown tables (the curve and, per size, ours against upstream) and the
// plot's series. Pure: the measurements come in, text and chart data go out.
import type { CurveOptions } from './curve-options.ts';
import type { AgentKind } from './options.ts';
import type { BenchReport } from './report.ts';
import type { ServerMemory } from './servers.ts';
import type { LineChart, PlotSeries } from './svg-plot.ts';

/** One agent at one size: a fresh agent process on the objects present. */
export interface StageResult {
  readonly agent: AgentKind;
  /** Objects in the consumer workspaces when the agent started. */
  readonly objects: number;
  readonly workspaces: number;
  /** Objects without a copy when the agent started (the rest were copied at a smaller size). */
  readonly newObjects?: number;
  /** Whether every object was copied and Ready within the cap. */
  readonly finished: boolean;
  /** Objects whose copy existed at the end of the initial sync (or at the cap). */
  readonly copied: number;
  /** Agent start → all copies Ready, or → the cap. */
  readonly syncSeconds: number;
  /** Over the whole stage: start, initial sync and steady phase. */
  readonly rssPeakBytes?: number;
  /** Median over the last seconds of the initial sync, once the agent went quiet. */
  readonly rssAfterSyncBytes?: number;
  /** Median over the steady phase; for an agent that missed the cap, over its last 10 s. */
  readonly rssSteadyBytes?: number;
  readonly heapAfterSyncBytes?: number;
  readonly heapSteadyBytes?: number;
  /** The metric the heap figures come from (differs per agent). */
  readonly heapMetric?: string;
  /** CPU (user + system) from the agent's start to the end of the initial sync (or the cap). */
  readonly cpuSyncSeconds?: number;
  readonly steady?: { readonly objects: number; readonly copied: number; readonly cpuSeconds?: number };
}

export interface CurveSeries {
  /** `objects`: one workspace count, growing objects; `workspaces`: one point of the workspace axis. */
  readonly axis: 'objects' | 'workspaces';
  readonly workspaces: number;
  readonly setupSeconds: number;
  readonly stages: StageResult[];
  readonly servers: ServerMemory[];
}

/** What Node costs before the agent does anything: the floor under ours. */
export interface RuntimeFloor {
  readonly label: string;
  readonly command: string;
  /** Drawn as a reference line in the plot (the others are only in the table). */
  readonly plotted: boolean;
  readonly rssBytes?: number;
}

export interface CurveReport {
  readonly startedAt: string;
  readonly command: string;
  readonly machine: BenchReport['machine'];
  readonly curve: CurveOptions;
  readonly agents: readonly AgentKind[];
  readonly floors: readonly RuntimeFloor[];
  readonly series: readonly CurveSeries[];
  readonly wallSeconds: number;
}

const MiB = 2 ** 20;
const mib = (v: number | undefined): string => (v === undefined ? '–' : `${Math.round(v / MiB)} MiB`);
const secs = (v: number): string => `${v.toFixed(1)} s`;
const count = (v: number): string => v.toLocaleString('en-US');

const notFinished = (r: StageResult): string => `not finished: copied ${count(r.copied)}/${count(r.objects)}`;

/** CPU milliseconds per object copied by the end of the initial sync. */
export function cpuMsPerObject(r: StageResult): number | undefined {
  return r.cpuSyncSeconds === undefined || r.copied === 0 ? undefined : (r.cpuSyncSeconds * 1000) / r.copied;
}

function stageRow(r: StageResult): string {
  const fresh = r.newObjects === undefined || r.newObjects === r.objects ? '' : ` (${count(r.newObjects)} new)`;
  const done = r.objects === 0 ? 'idle' : `${secs(r.syncSeconds)}${fresh}`;
  const sync = r.finished ? done : `${notFinished(r)} in ${secs(r.syncSeconds)}`;
  const steady = r.finished ? mib(r.rssSteadyBytes) : `${mib(r.rssSteadyBytes)} at the cap (${notFinished(r)})`;
  const heap = `${mib(r.heapAfterSyncBytes)} / ${r.finished ? mib(r.heapSteadyBytes) : '–'}`;
  const perObject = cpuMsPerObject(r);
  return [
    count(r.objects),
    count(r.workspaces),
    r.agent,
    sync,
    mib(r.rssPeakBytes),
    mib(r.rssAfterSyncBytes),
    steady,
    heap,
    r.cpuSyncSeconds === undefined ? '–' : r.cpuSyncSeconds.toFixed(1),
    perObject === undefined ? '–' : perObject.toFixed(2),
  ].join(' | ');
}

/** Every stage of every series as one table, floors last. */
export function curveTable(report: Pick<CurveReport, 'series' | 'floors'>): string {
  const head =
    '| objects | workspaces | agent | initial sync | RSS peak | RSS after sync | RSS steady | heap after sync / steady | CPU s (sync) | CPU ms / object |\n' +
    '|---|---|---|---|---|---|---|---|---|---|';
  const rows = report.series.flatMap((s) => s.stages.map((r) => `| ${stageRow(r)} |`));
  const floors = report.floors.map(
    (f) => `| – | – | runtime floor: ${f.label} | – | – | – | ${mib(f.rssBytes)} | – | – | – |`,
  );
  return [head, ...rows, ...floors].join('\n');
}

/** "at or below" or "above by X MiB", with both figures. */
export function compareMiB(ours: number | undefined, upstream: number | undefined): string {
  if (ours === undefined || upstream === undefined) return '–';
  const [o, u] = [Math.round(ours / MiB), Math.round(upstream / MiB)];
  return o <= u ? `at or below (${o} vs ${u} MiB)` : `above by ${o - u} MiB (${o} vs ${u} MiB)`;
}

/** Per size, ours against upstream on steady and peak RSS. */
export function verdictTable(report: Pick<CurveReport, 'series'>): string {
  const head =
    '| objects | workspaces | RSS steady: ours vs upstream | RSS peak: ours vs upstream |\n|---|---|---|---|';
  const rows = report.series.flatMap((s) => {
    const sizes = [...new Set(s.stages.map((r) => r.objects))];
    return sizes.flatMap((objects) => {
      const at = (agent: AgentKind): StageResult | undefined =>
        s.stages.find((r) => r.objects === objects && r.agent === agent);
      const [ours, upstream] = [at('ours'), at('upstream')];
      if (ours === undefined || upstream === undefined) return [];
      const note = upstream.finished ? '' : ` (upstream at its cap, ${notFinished(upstream)})`;
      return [
        `| ${count(objects)} | ${count(s.workspaces)} | ${compareMiB(ours.rssSteadyBytes, upstream.rssSteadyBytes)}${note} | ${compareMiB(ours.rssPeakBytes, upstream.rssPeakBytes)} |`,
      ];
    });
  });
  return [head, ...rows].join('\n');
}

/** `600.0 s, upstream 120.0 s`; files from before per-agent caps have none. */
const capText = (c: CurveOptions): string =>
  [secs(c.capSeconds), ...Object.entries(c.capByAgent ?? {}).map(([agent, v]) => `${agent} ${secs(v)}`)].join(', ');

export function curveMarkdown(report: CurveReport): string {
  const c = report.curve;
  const m = report.machine;
  return [
    `### Memory/CPU curve, ${report.startedAt}`,
    '',
    `\`${report.command}\`; machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}; wall ${secs(report.wallSeconds)}.`,
    `Object axis: ${count(c.workspaces)} workspaces; workspace axis: ${count(c.axisObjects)} objects. Cap per agent and size ${capText(c)}; steady phase ${secs(c.steadySeconds)} at ${c.steadyRate}/s.`,
    `Setup per series: ${report.series.map((s) => `${count(s.workspaces)} workspaces ${secs(s.setupSeconds)}`).join(', ')}.`,
    '',
    curveTable(report),
    '',
    verdictTable(report),
    '',
  ].join('\n');
}

const COLORS: Record<AgentKind, string> = { upstream: '#d62728', ours: '#1f77b4', 'ours-limited': '#2ca02c' };

/** RSS steady (solid) and peak (dashed) against objects, one colour per agent, on the object axis. */
export function curveChart(report: Pick<CurveReport, 'series' | 'floors' | 'startedAt' | 'agents'>): LineChart {
  const axis = report.series.find((s) => s.axis === 'objects');
  const stages = axis?.stages ?? [];
  const series = report.agents.flatMap((agent): PlotSeries[] => {
    const mine = stages.filter((r) => r.agent === agent);
    if (mine.length === 0) return [];
    const points = (pick: (r: StageResult) => number | undefined): PlotSeries['points'] =>
      mine.flatMap((r) => {
        const v = pick(r);
        return v === undefined ? [] : [{ x: r.objects, y: v / MiB, hollow: !r.finished }];
      });
    return [
      { label: `${agent}: RSS steady`, color: COLORS[agent], points: points((r) => r.rssSteadyBytes) },
      { label: `${agent}: RSS peak`, color: COLORS[agent], dashed: true, points: points((r) => r.rssPeakBytes) },
    ];
  });
  return {
    title: `Agent RSS vs objects (${count(axis?.workspaces ?? 0)} workspaces), ${report.startedAt.slice(0, 10)}`,
    xLabel: 'objects in the consumer workspaces',
    yLabel: 'RSS (MiB)',
    series,
    references: report.floors.flatMap((f) =>
      f.rssBytes === undefined || !f.plotted ? [] : [{ label: `floor: ${f.label}`, y: f.rssBytes / MiB }],
    ),
    note: 'open marker: not finished within the cap',
  };
}
