// `make bench-curve` (node bench/run.ts --memory-curve): the memory and CPU
// of each agent against the objects it syncs (one set of servers, objects
// grown in stages, a fresh agent process per stage) and against the number of
// workspaces (fresh servers per point). Results are rewritten after every
// stage, so a run stopped early keeps what it measured. See bench/README.md.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CurveOptions } from './curve-options.ts';
import { curveChart, curveMarkdown, type CurveReport, type CurveSeries } from './curve-report.ts';
import { type AgentObjects, growTo, measureStage } from './curve-stage.ts';
import { Operator } from './operator.ts';
import type { AgentKind, BenchOptions } from './options.ts';
import { machineInfo } from './report.ts';
import { measureRuntimeFloors } from './runtime-floor.ts';
import { lineChartSvg } from './svg-plot.ts';
import { ReadyTracker } from './tracker.ts';
import { log, now } from './util.ts';
import { Workload } from './workload.ts';
import { buildWorld, type World } from './world.ts';
import { Artifacts } from '../test/utils/artifacts.ts';
import { onInterrupt, stopAllProcesses } from '../test/utils/processes.ts';
import { REPO_ROOT } from '../test/utils/tools.ts';

/** Where the README's plot lives. */
export const README_PLOT = 'bench/memory-curve.svg';

interface SeriesPlan {
  readonly axis: CurveSeries['axis'];
  readonly workspaces: number;
  readonly sizes: readonly number[];
}

/** The object axis first, then one point per workspace count. */
export function seriesPlans(curve: CurveOptions): SeriesPlan[] {
  return [
    ...(curve.sizes.length === 0
      ? []
      : [{ axis: 'objects' as const, workspaces: curve.workspaces, sizes: curve.sizes }]),
    ...curve.workspaceAxis.map((w): SeriesPlan => ({ axis: 'workspaces', workspaces: w, sizes: [curve.axisObjects] })),
  ];
}

function writeCurve(report: CurveReport, outDir: string, readmePlot: boolean): { md: string; svg: string } {
  mkdirSync(outDir, { recursive: true });
  const stem = join(outDir, `${report.startedAt.replace(/[:.]/g, '-')}-curve`);
  const md = curveMarkdown(report);
  writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${stem}.md`, md);
  writeFileSync(`${stem}.svg`, lineChartSvg(curveChart(report)));
  if (readmePlot) copyFileSync(`${stem}.svg`, join(REPO_ROOT, README_PLOT));
  return { md, svg: `${stem}.svg` };
}

/** One agent through every size of a series, on the world's servers. */
async function agentSeries(
  world: World,
  run: { opts: BenchOptions; curve: CurveOptions; kind: AgentKind; sizes: readonly number[] },
  onStage: (r: Awaited<ReturnType<typeof measureStage>>) => void,
): Promise<void> {
  const { env } = world;
  const api = env.apis.get(run.kind)!;
  const operator = new Operator(env.local, api, `bench-${run.kind}`);
  const tracker = new ReadyTracker(
    world.vwUrls.get(run.kind)!.map((url) => env.kcpAdmin.forServer(url)),
    api,
  );
  await operator.start();
  await tracker.start();
  const objects: AgentObjects = {
    env,
    kind: run.kind,
    api,
    consumers: world.consumers,
    operator,
    tracker,
    workload: new Workload(env.kcpAdmin, api),
    keys: [],
    next: 0,
  };
  try {
    for (const [i, size] of run.sizes.entries()) {
      await growTo(objects, size, run.opts.concurrency);
      onStage(await measureStage(objects, run.curve, i));
    }
  } finally {
    operator.stop();
    tracker.stop();
  }
}

/** Fresh servers and workspaces for one series, every agent through its sizes, servers stopped. */
async function runSeries(
  run: { opts: BenchOptions; curve: CurveOptions; write: () => void },
  plan: SeriesPlan,
  out: CurveSeries,
): Promise<void> {
  const { opts, curve } = run;
  const artifacts = new Artifacts();
  onInterrupt(() => {
    artifacts.markFailed();
    artifacts.cleanup();
  });
  const t0 = now();
  let world: World | undefined;
  let ok = false;
  try {
    log(`curve: ${plan.workspaces} workspaces, sizes ${plan.sizes.join(', ')}: starting the servers…`);
    world = await buildWorld({ ...opts, workspaces: plan.workspaces, firstBinds: 0, skipLimit: true }, artifacts);
    Object.assign(out, { setupSeconds: (now() - t0) / 1000 });
    for (const kind of opts.agents) {
      await agentSeries(world, { opts, curve, kind, sizes: plan.sizes }, (r) => {
        out.stages.push(r);
        run.write();
      });
    }
    ok = true;
  } finally {
    if (world !== undefined) {
      out.servers.push(...world.env.servers.memory());
      world.env.servers.stop();
      await world.env.kcp.stop();
      await world.env.service.stop();
    }
    if (!ok) {
      artifacts.markFailed();
      log(`logs kept in ${artifacts.logDir}`);
    }
    artifacts.cleanup();
  }
}

export async function runCurve(opts: BenchOptions, curve: CurveOptions, argv: readonly string[]): Promise<void> {
  const startedAt = new Date().toISOString();
  const t0 = now();
  const outDir = resolve(REPO_ROOT, opts.out);
  log('curve: measuring the runtime floor (idle Node, Node with our modules)…');
  const floors = await measureRuntimeFloors();
  const series: CurveSeries[] = [];
  const report = (): CurveReport => ({
    startedAt,
    command: `node bench/run.ts ${argv.join(' ')}`,
    machine: machineInfo(),
    curve,
    agents: opts.agents,
    floors,
    series,
    wallSeconds: (now() - t0) / 1000,
  });
  const write = (): void => {
    writeCurve(report(), outDir, curve.writeReadmePlot);
  };
  try {
    for (const plan of seriesPlans(curve)) {
      const s: CurveSeries = { axis: plan.axis, workspaces: plan.workspaces, setupSeconds: 0, stages: [], servers: [] };
      series.push(s);
      await runSeries({ opts, curve, write }, plan, s).catch((err: unknown) => {
        log(
          `curve: the series at ${plan.workspaces} workspaces failed, going on: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
      });
      write();
    }
  } finally {
    await stopAllProcesses();
  }
  const written = writeCurve(report(), outDir, curve.writeReadmePlot);
  console.log(`\n${written.md}\nplot: ${written.svg}${curve.writeReadmePlot ? ` and ${README_PLOT}` : ''}`);
}
