// `make bench`: the upstream agent and ours, one after another, on the same
// freshly started kcp and service cluster, with the same workload; one table.
// `--memory-curve` measures memory and CPU at growing sizes instead
// (bench/curve.ts). See bench/README.md.
import { resolve } from 'node:path';
import { runCurve } from './curve.ts';
import { measureLimit } from './limit.ts';
import { type AgentResult, measureAgent } from './measure.ts';
import { type BenchOptions, parseOptions } from './options.ts';
import { type BenchReport, machineInfo, writeReport } from './report.ts';
import { log, now } from './util.ts';
import { Workload } from './workload.ts';
import { buildWorld, type World } from './world.ts';
import { Artifacts } from '../test/utils/artifacts.ts';
import { onInterrupt, stopAllProcesses } from '../test/utils/processes.ts';
import { REPO_ROOT, toolPath } from '../test/utils/tools.ts';

async function runLimit(world: World, opts: BenchOptions): Promise<BenchReport['limit']> {
  const api = world.env.apis.get('limit')!;
  const targets = world.consumers.flatMap((ws) =>
    Array.from({ length: opts.objects }, (_, i) => ({ ws, name: `o-${i}` })),
  );
  log(
    `limit: creating ${targets.length} objects, then the bare client's writes at ${opts.limitConcurrency} in flight…`,
  );
  await new Workload(world.env.kcpAdmin, api).createAll(targets, opts.concurrency);
  const vw = world.env.kcpAdmin.forServer(world.vwUrls.get('limit')![0]!);
  const limit = await measureLimit({ local: world.env.local, vw, api }, targets, opts.limitConcurrency);
  log(`limit: ${limit.objects} objects in ${limit.seconds.toFixed(1)} s, ${limit.cpuSeconds.toFixed(1)} CPU s`);
  return limit;
}

async function runAgents(world: World, opts: BenchOptions): Promise<AgentResult[]> {
  const results: AgentResult[] = [];
  for (const kind of opts.agents) {
    const api = world.env.apis.get(kind)!;
    results.push(
      await measureAgent({
        env: world.env,
        opts,
        kind,
        api,
        vws: world.vwUrls.get(kind)!.map((url) => world.env.kcpAdmin.forServer(url)),
        ...(world.shardOfCluster === undefined ? {} : { shardOfCluster: world.shardOfCluster }),
        ref: world.refs.get(kind)!,
        consumers: world.consumers,
        fresh: world.fresh.get(kind) ?? [],
      }),
    );
  }
  return results;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.agents.includes('upstream')) toolPath('upstream-syncagent');
  if (opts.curve !== undefined) {
    await runCurve(opts, opts.curve, process.argv.slice(2));
    return;
  }
  const startedAt = new Date().toISOString();
  const t0 = now();
  const artifacts = new Artifacts();
  onInterrupt(() => {
    artifacts.markFailed();
    artifacts.cleanup();
  });
  let ok = false;
  let world: World | undefined;
  try {
    world = await buildWorld(opts, artifacts);
    const setupSeconds = (now() - t0) / 1000;
    const limit = opts.skipLimit ? undefined : await runLimit(world, opts);
    const agents = await runAgents(world, opts);
    const report: BenchReport = {
      startedAt,
      wallSeconds: (now() - t0) / 1000,
      machine: machineInfo(),
      options: opts,
      setupSeconds,
      ...(limit === undefined ? {} : { limit }),
      agents,
      servers: world.env.servers.memory(),
    };
    const out = writeReport(report, resolve(REPO_ROOT, opts.out));
    console.log(`\n${out.table}\nwritten: ${out.json}\n         ${out.md}`);
    ok = true;
  } finally {
    world?.env.servers.stop();
    await stopAllProcesses();
    if (!ok) {
      artifacts.markFailed();
      console.log(`logs kept in ${artifacts.logDir}`);
    }
    artifacts.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
