// The servers and workspaces a benchmark run measures on: one kcp and one
// service cluster, a provider per agent with its schema published, and the
// consumer workspaces bound to every export. Shared by the full table and the
// memory curve.
import { startBenchAgent } from './agents.ts';
import type { BenchOptions, AgentKind } from './options.ts';
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
import { log } from './util.ts';
import { bindAll, createWorkspaces, type BenchWorkspace, type ExportRef } from './workspaces.ts';
import type { PermissionClaim } from '../src/apis/kcp.ts';
import type { Artifacts } from '../test/utils/artifacts.ts';
import { waitFor } from '../test/utils/wait.ts';

export interface World {
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

export async function buildWorld(opts: BenchOptions, artifacts: Artifacts): Promise<World> {
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
