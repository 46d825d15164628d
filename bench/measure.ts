// One agent's run: the workload is created, the agent starts, and the
// initial sync, the steady state, the first copy after a binding, memory,
// CPU, requests and (optionally) a noisy neighbour are measured.
import { writeFileSync } from 'node:fs';
import type { RestClient } from '../src/kube/rest-client.ts';
import { agentAlive, type BenchAgent, startBenchAgent } from './agents.ts';
import { type RequestCounts, requestCounts, scrape } from './metrics.ts';
import { measureNoisy, type NoisyResult } from './noisy.ts';
import { Operator } from './operator.ts';
import type { AgentKind, BenchOptions } from './options.ts';
import { cpuSeconds, ProcSampler } from './sampler.ts';
import type { BenchApi, BenchEnv } from './setup.ts';
import { perShard, type ShardFigures } from './shards.ts';
import { ReadyTracker } from './tracker.ts';
import { between, log, now, percentiles, type Percentiles, until } from './util.ts';
import { Workload } from './workload.ts';
import { bindExport, type BenchWorkspace, type ExportRef } from './workspaces.ts';

export interface AgentResult {
  readonly kind: AgentKind;
  readonly initial: {
    objects: number;
    copied: number;
    ready: number;
    copiesSeconds?: number;
    readySeconds?: number;
    waitedSeconds?: number;
    timedOut?: string;
  };
  steady?: {
    created: number;
    errors: number;
    createToCopyMs: Percentiles;
    readyToReadyMs: Percentiles;
    notCopied: number;
    notReady: number;
    /** kcp's own answer time for the consumer creates: a floor under create→copy no agent can beat. */
    createAnswerMs: Percentiles;
  };
  firstCopyAfterBindMs?: number[];
  /** kcp's own answer to each of those creates: the servers' share of the line above. */
  firstCopyCreateAnswerMs?: number[];
  rss?: { peakBytes?: number; steadyBytes?: number };
  cpuSeconds?: { initial?: number; total?: number };
  requests?: RequestCounts & { syncedObjects: number; perObject: number };
  noisy?: NoisyResult;
  operatorErrors?: number;
  /** On a sharded kcp: the initial sync and the steady phase split by the consumers' shard. */
  perShard?: ShardFigures[];
}

export interface AgentRunInputs {
  readonly env: BenchEnv;
  readonly opts: BenchOptions;
  readonly kind: AgentKind;
  readonly api: BenchApi;
  /** Clients for the export's endpoint-slice URLs (kcp admin), one per shard. */
  readonly vws: readonly RestClient[];
  /** Logical cluster → shard it is pinned to (sharded kcp only). */
  readonly shardOfCluster?: ReadonlyMap<string, string>;
  readonly ref: ExportRef;
  readonly consumers: readonly BenchWorkspace[];
  /** Fresh workspaces to bind while the agent runs. */
  readonly fresh: readonly BenchWorkspace[];
}

interface Run {
  readonly inputs: AgentRunInputs;
  readonly agent: BenchAgent;
  readonly operator: Operator;
  readonly tracker: ReadyTracker;
  readonly workload: Workload;
  readonly sampler: ProcSampler;
  readonly startedAt: number;
  readonly alive: () => void;
}

/** Waits until every key is in the map; checks each key once overall. */
async function allIn(
  what: string,
  keys: readonly string[],
  map: ReadonlyMap<string, number>,
  wait: { timeoutMs: number; alive: () => void },
): Promise<void> {
  let i = 0;
  await until(
    what,
    () => {
      while (i < keys.length && map.has(keys[i]!)) i++;
      return i === keys.length;
    },
    wait.timeoutMs,
    wait.alive,
  );
}

const latest = (keys: readonly string[], map: ReadonlyMap<string, number>): number =>
  Math.max(...keys.map((k) => map.get(k) ?? Number.NaN));
const count = (keys: readonly string[], map: ReadonlyMap<string, number>): number =>
  keys.filter((k) => map.has(k)).length;

export async function measureAgent(inputs: AgentRunInputs): Promise<AgentResult> {
  const { env, opts, kind, api, vws, consumers } = inputs;
  const operator = new Operator(env.local, api, `bench-${kind}`);
  const tracker = new ReadyTracker(vws, api);
  await operator.start();
  await tracker.start();
  const workload = new Workload(env.kcpAdmin, api);
  const targets = consumers.flatMap((ws) => Array.from({ length: opts.objects }, (_, i) => ({ ws, name: `o-${i}` })));
  log(`${kind}: creating ${targets.length} objects in ${consumers.length} workspaces (bare client)…`);
  const keys = await workload.createAll(targets, opts.concurrency);
  log(`${kind}: starting the agent`);
  const agent = await startBenchAgent(env, kind, api, 'measure');
  const run: Run = {
    inputs,
    agent,
    operator,
    tracker,
    workload,
    sampler: new ProcSampler(agent.process.pid),
    startedAt: now(),
    alive: () => {
      inputs.env.servers.assertAlive();
      agentAlive(agent);
    },
  };
  run.sampler.start();
  const result: AgentResult = { kind, initial: { objects: keys.length, copied: 0, ready: 0 } };
  try {
    await phases(run, keys, result);
  } finally {
    run.sampler.stop();
    await agent.process.stop();
    operator.stop();
    tracker.stop();
  }
  return result;
}

async function phases(run: Run, keys: string[], result: AgentResult): Promise<void> {
  const { opts, kind } = run.inputs;
  const ok = await initialSync(run, keys, result);
  result.cpuSeconds = { initial: cpuSeconds(run.agent.process.pid) };
  let synced = result.initial.copied;
  let steadyWindow: [number, number] | undefined;
  let steadyKeys: string[] = [];
  if (ok) {
    log(
      `${kind}: initial sync done (copies ${result.initial.copiesSeconds?.toFixed(1)} s, Ready ${result.initial.readySeconds?.toFixed(1)} s); steady phase`,
    );
    const steadyFrom = now();
    steadyKeys = await steady(run, result);
    synced += steadyKeys.length;
    steadyWindow = [steadyFrom, now()];
    const first = await firstCopies(run);
    result.firstCopyAfterBindMs = first.createToCopyMs;
    result.firstCopyCreateAnswerMs = first.createAnswerMs;
    synced += first.createToCopyMs.length;
  }
  if (run.inputs.shardOfCluster !== undefined) {
    result.perShard = perShard(run.inputs.env.shardNames, {
      shardOfCluster: run.inputs.shardOfCluster,
      initialKeys: keys,
      steadyKeys,
      startedAt: run.startedAt,
      createdAt: run.workload.createdAt,
      copyAt: run.operator.copyAt,
      markedAt: run.operator.markedAt,
      readyAt: run.tracker.readyAt,
    });
  }
  result.rss = {
    peakBytes: run.sampler.peak(),
    steadyBytes: steadyWindow === undefined ? undefined : run.sampler.median(...steadyWindow),
  };
  result.cpuSeconds.total = cpuSeconds(run.agent.process.pid);
  const metrics = await scrape(run.agent.metricsUrl).catch((err: unknown) => {
    log(`${kind}: no metrics: ${String(err)}`);
  });
  if (metrics !== undefined) {
    const counts = requestCounts(kind, metrics, hostsOf(run.inputs.env));
    result.requests = {
      ...counts,
      syncedObjects: synced,
      perObject: synced === 0 ? Number.NaN : (counts.kcp + counts.service) / synced,
    };
  }
  result.operatorErrors = run.operator.errors;
  if (ok && opts.noisyAgents.includes(kind) && opts.noisy > 0) {
    log(`${kind}: noisy neighbour (${opts.noisy} objects, quiet tenant every 200 ms)`);
    const [loud, quiet] = run.inputs.consumers;
    result.noisy = await measureNoisy({
      workload: run.workload,
      operator: run.operator,
      quiet: quiet!,
      loud: loud!,
      objects: opts.noisy,
      quietSeconds: opts.quietSeconds,
      maxSeconds: opts.noisyMaxSeconds,
      alive: run.alive,
    });
    result.rss.peakBytes = run.sampler.peak();
  }
}

function hostsOf(env: BenchEnv): { kcp: string; service: string } {
  return { kcp: new URL(env.kcp.baseUrl).host, service: new URL(env.service.admin.server).host };
}

/** Agent start → all copies, → all consumer objects Ready. False when it did not finish in time. */
async function initialSync(run: Run, keys: string[], result: AgentResult): Promise<boolean> {
  const timeoutMs = run.inputs.opts.initialTimeoutSeconds * 1000;
  try {
    await allIn('all copies', keys, run.operator.copyAt, { timeoutMs, alive: run.alive });
    result.initial.copiesSeconds = (latest(keys, run.operator.copyAt) - run.startedAt) / 1000;
    const left = timeoutMs - (now() - run.startedAt);
    await allIn('all consumer objects Ready', keys, run.tracker.readyAt, {
      timeoutMs: Math.max(0, left),
      alive: run.alive,
    });
    result.initial.readySeconds = (latest(keys, run.tracker.readyAt) - run.startedAt) / 1000;
    return true;
  } catch (err) {
    result.initial.timedOut = err instanceof Error ? err.message.split('\n')[0] : String(err);
    log(`${run.inputs.kind}: initial sync did not finish: ${result.initial.timedOut ?? ''}`);
    return false;
  } finally {
    result.initial.copied = count(keys, run.operator.copyAt);
    result.initial.ready = count(keys, run.tracker.readyAt);
    result.initial.waitedSeconds = (now() - run.startedAt) / 1000;
  }
}

/** Objects at a fixed rate in random workspaces; latencies from watch timestamps. */
async function steady(run: Run, result: AgentResult): Promise<string[]> {
  const { opts, consumers } = run.inputs;
  const pick = (i: number): { ws: BenchWorkspace; name: string } => ({
    ws: consumers[Math.floor(Math.random() * consumers.length)]!,
    name: `s-${i}`,
  });
  const keys = await run.workload.createAtRate(opts.rate, opts.steadySeconds, pick);
  const wait = { timeoutMs: STEADY_DRAIN_MS, alive: run.alive };
  await allIn('steady copies', keys, run.operator.copyAt, wait).catch((err: unknown) => {
    log(`${run.inputs.kind}: ${String(err)}`);
  });
  const left = { ...wait, timeoutMs: Math.max(5_000, STEADY_DRAIN_MS / 2) };
  await allIn('steady Ready', keys, run.tracker.readyAt, left).catch((err: unknown) => {
    log(`${run.inputs.kind}: ${String(err)}`);
  });
  const copy = lags(keys, run.operator.copyAt, run.workload.createdAt);
  const ready = lags(keys, run.tracker.readyAt, run.operator.markedAt);
  if (process.env['BENCH_AGENT_DEBUG'] === '1') writeSteadyTimeline(run, keys);
  result.steady = {
    created: keys.length,
    errors: run.workload.errors,
    createToCopyMs: percentiles(copy.values),
    readyToReadyMs: percentiles(ready.values),
    notCopied: copy.missing,
    notReady: ready.missing,
    createAnswerMs: between(keys, run.workload.createdAt, run.workload.answeredAt),
  };
  return keys;
}

/**
 * For diagnosis beside the agent's debug log: each steady object's moments as
 * wall-clock ms (the log's timestamps), one JSON line per object.
 */
function writeSteadyTimeline(run: Run, keys: readonly string[]): void {
  const wall = (at: number | undefined): number | undefined =>
    at === undefined || Number.isNaN(at) ? undefined : Math.round(performance.timeOrigin + at);
  const lines = keys.map((key) =>
    JSON.stringify({
      key,
      created: wall(run.workload.createdAt.get(key)),
      answered: wall(run.workload.answeredAt.get(key)),
      copied: wall(run.operator.copyAt.get(key)),
      marked: wall(run.operator.markedAt.get(key)),
      ready: wall(run.tracker.readyAt.get(key)),
    }),
  );
  writeFileSync(run.inputs.env.artifacts.logFile(`steady-${run.inputs.kind}.jsonl`), `${lines.join('\n')}\n`);
}

/** How long a drain after the steady phase may take before the rest count as lower bounds. */
const STEADY_DRAIN_MS = 30_000;

/**
 * `to − from` for every key that has `from`; a key still without `to` counts
 * with the time until now (a lower bound) and as missing.
 */
function lags(
  keys: readonly string[],
  to: ReadonlyMap<string, number>,
  from: ReadonlyMap<string, number>,
): { values: number[]; missing: number } {
  const end = now();
  let missing = 0;
  const values = keys.flatMap((k) => {
    const start = from.get(k);
    if (start === undefined || Number.isNaN(start)) return [];
    const done = to.get(k);
    if (done === undefined) missing++;
    return [(done ?? end) - start];
  });
  return { values, missing };
}

/** Binds a fresh workspace while the agent runs, creates one object once bound, times create → copy and kcp's answer to the create. */
async function firstCopies(run: Run): Promise<{ createToCopyMs: number[]; createAnswerMs: number[] }> {
  const createToCopyMs: number[] = [];
  const createAnswerMs: number[] = [];
  for (const ws of run.inputs.fresh) {
    await bindExport(run.inputs.env.kcpAdmin, ws, run.inputs.ref, 20);
    const key = await run.workload.create({ ws, name: 'first' });
    await allIn(`the first copy in ${ws.path}`, [key], run.operator.copyAt, {
      timeoutMs: 60_000,
      alive: run.alive,
    }).catch((err: unknown) => {
      log(`${run.inputs.kind}: ${String(err)} (counted as a lower bound)`);
    });
    const created = run.workload.createdAt.get(key)!;
    createToCopyMs.push((run.operator.copyAt.get(key) ?? now()) - created);
    createAnswerMs.push(run.workload.answeredAt.get(key)! - created);
  }
  return { createToCopyMs, createAnswerMs };
}
