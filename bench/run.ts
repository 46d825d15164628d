// `make bench`: the upstream agent and ours, one after another, on the same
// freshly started kcp and service cluster, with the same workload; one table.
// See bench/README.md.
import { resolve } from 'node:path';
import { startBenchAgent } from './agents.ts';
import { measureLimit } from './limit.ts';
import { type AgentResult, measureAgent } from './measure.ts';
import { type AgentKind, type BenchOptions, parseOptions } from './options.ts';
import { type BenchReport, machineInfo, writeReport } from './report.ts';
import {
  type BenchApi,
  type BenchEnv,
  createProviders,
  getExport,
  prepareAgentApi,
  prepareLimitApi,
  sliceUrl,
  sliceUrls,
  startServers,
} from './setup.ts';
import { pinnedShard } from './shards.ts';
import { log, now } from './util.ts';
import { Workload } from './workload.ts';
import { bindAll, createWorkspaces, type BenchWorkspace, type ExportRef } from './workspaces.ts';
import type { PermissionClaim } from '../src/apis/kcp.ts';
import { Artifacts } from '../test/utils/artifacts.ts';
import { onInterrupt, stopAllProcesses } from '../test/utils/processes.ts';
import { REPO_ROOT, toolPath } from '../test/utils/tools.ts';
import { waitFor } from '../test/utils/wait.ts';

interface World {
  readonly env: BenchEnv;
  readonly refs: Map<string, ExportRef>;
  /** Each API's endpoint-slice URLs: one, or one per shard. */
  readonly vwUrls: Map<string, string[]>;
  readonly consumers: BenchWorkspace[];
  readonly fresh: Map<AgentKind, BenchWorkspace[]>;
  readonly shardOfCluster: ReadonlyMap<string, string> | undefined;
}

const hasResource = (exp: Awaited<ReturnType<typeof getExport>>, group: string): boolean =>
  ((exp['spec'] as { resources?: { group?: string }[] } | undefined)?.resources ?? []).some((r) => r.group === group);

/** Runs each agent once, before anything is bound, so its schema is in its export; then stops it. */
async function publish(env: BenchEnv, kind: AgentKind, api: BenchApi): Promise<void> {
  await waitFor(`the endpoint slice of ${api.exportName}`, () => sliceUrl(env, api).then(() => true), {
    timeoutMs: 30_000,
  });
  const agent = await startBenchAgent(env, kind, api, 'publish');
  try {
    await waitFor(
      `${kind} to publish its schema`,
      async () => (hasResource(await getExport(env, api), api.group) ? true : undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 200,
        failFast: () => {
          if (agent.process.exited()) throw new Error(`agent ${kind} exited:\n${agent.process.logTail(30)}`);
        },
      },
    );
  } finally {
    await agent.process.stop();
  }
  const groups =
    ((await getExport(env, api))['spec'] as { resources?: { group?: string }[] } | undefined)?.resources?.map(
      (r) => r.group,
    ) ?? [];
  if (groups.some((g) => g !== api.group)) {
    throw new Error(
      `agent ${kind} put other agents' APIs into its export ${api.exportName}: ${groups.join(', ')} (is --published-resource-selector honoured?)`,
    );
  }
}

async function exportRef(env: BenchEnv, api: BenchApi): Promise<ExportRef> {
  const exp = await getExport(env, api);
  const claims = (exp['spec'] as { permissionClaims?: PermissionClaim[] } | undefined)?.permissionClaims ?? [];
  return { path: api.provider.path, name: api.exportName, claims };
}

async function buildWorld(opts: BenchOptions, artifacts: Artifacts): Promise<World> {
  log('starting kcp and the service cluster…');
  const env = await startServers(artifacts, opts.shards);
  const ids = [...(opts.skipLimit ? [] : ['limit']), ...opts.agents];
  await createProviders(env, ids);
  for (const kind of opts.agents) await prepareAgentApi(env, kind);
  if (!opts.skipLimit) await prepareLimitApi(env);
  for (const kind of opts.agents) {
    log(`publishing ${kind}'s schema (the agent runs once, unmeasured)…`);
    await publish(env, kind, env.apis.get(kind)!);
  }
  const refs = new Map<string, ExportRef>();
  for (const id of ids) refs.set(id, await exportRef(env, env.apis.get(id)!));
  log(`creating ${opts.workspaces} consumer workspaces…`);
  const [org] = await createWorkspaces(env.kcpAdmin, 'root', ['bench-consumers'], { concurrency: 1 });
  const names = Array.from({ length: opts.workspaces }, (_, i) => `c-${String(i).padStart(5, '0')}`);
  const freshNames = opts.agents.flatMap((k) => Array.from({ length: opts.firstBinds }, (_, i) => `fresh-${k}-${i}`));
  // On a sharded kcp the consumers take the shards in turn (the fresh ones too).
  const all = await createWorkspaces(env.kcpAdmin, org!.path, [...names, ...freshNames], {
    concurrency: opts.concurrency,
    shardOf: (i) => pinnedShard(i, env.shardNames),
  });
  const shardOfCluster = new Map(all.map((ws, i) => [ws.cluster, pinnedShard(i, env.shardNames) ?? '']));
  const consumers = all.slice(0, names.length);
  const fresh = new Map(
    opts.agents.map((k, j) => [
      k,
      all.slice(names.length + j * opts.firstBinds, names.length + (j + 1) * opts.firstBinds),
    ]),
  );
  log(`binding ${ids.length} exports into each of ${opts.workspaces} workspaces…`);
  await bindAll(env.kcpAdmin, consumers, [...refs.values()], opts.concurrency);
  const vwUrls = new Map<string, string[]>();
  const wanted = Math.max(1, env.shardNames.length);
  for (const id of ids)
    vwUrls.set(
      id,
      await waitFor(
        `${wanted} endpoint URL(s) of ${id}`,
        async () => {
          const urls = await sliceUrls(env, env.apis.get(id)!);
          return urls.length >= wanted ? urls : undefined;
        },
        { timeoutMs: 60_000 },
      ),
    );
  return {
    env,
    refs,
    vwUrls,
    consumers,
    fresh,
    shardOfCluster: env.shardNames.length === 0 ? undefined : shardOfCluster,
  };
}

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
  log(`limit: ${limit.objects} objects in ${limit.seconds.toFixed(1)} s`);
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
