// One point of the memory curve for one agent: the objects are grown to the
// size (bare client, agent stopped), a fresh agent process starts on them,
// and its RSS, heap and CPU are read after the initial sync and after a
// steady phase, or at the cap when it does not finish in time.
import { agentAlive, startBenchAgent } from './agents.ts';
import { capFor, type CurveOptions } from './curve-options.ts';
import type { StageResult } from './curve-report.ts';
import { heapBytes, scrape } from './metrics.ts';
import type { Operator } from './operator.ts';
import type { AgentKind } from './options.ts';
import { cpuSeconds, ProcSampler } from './sampler.ts';
import type { BenchApi, BenchEnv } from './setup.ts';
import type { ReadyTracker } from './tracker.ts';
import { log, now, sleep } from './util.ts';
import type { Workload } from './workload.ts';
import type { BenchWorkspace } from './workspaces.ts';

/** One agent's objects across the stages of a series (they only grow). */
export interface AgentObjects {
  readonly env: BenchEnv;
  readonly kind: AgentKind;
  readonly api: BenchApi;
  readonly consumers: readonly BenchWorkspace[];
  readonly operator: Operator;
  readonly tracker: ReadyTracker;
  readonly workload: Workload;
  /** Every object created so far (initial and steady), as `<cluster>/<ns>/<name>`. */
  readonly keys: string[];
  /** Objects are named o-<n>, n counting up across stages. */
  next: number;
}

/** Creates objects, round robin over the workspaces, until there are `size` (steady ones count). */
export async function growTo(objects: AgentObjects, size: number, concurrency: number): Promise<void> {
  const missing = size - objects.keys.length;
  if (missing <= 0) return;
  const targets = Array.from({ length: missing }, () => {
    const n = objects.next++;
    return { ws: objects.consumers[n % objects.consumers.length]!, name: `o-${n}` };
  });
  log(`${objects.kind}: creating ${missing} objects (bare client) → ${size}`);
  objects.keys.push(...(await objects.workload.createAll(targets, concurrency)));
}

/** How many keys are in every map; checks from a cursor so repeated calls stay cheap. */
function progress(keys: readonly string[], maps: readonly ReadonlyMap<string, number>[]): () => number {
  let done = 0;
  return () => {
    while (done < keys.length && maps.every((m) => m.has(keys[done]!))) done++;
    return done;
  };
}

/** CPU share below which the agent counts as done with its start-up work (5 % of one core over 2 s). */
const QUIET_CPU_SECONDS = 0.1;
const QUIET_WINDOW_MS = 2_000;
/** After the last copy is Ready, how long to wait for the agent to go quiet at most. */
const SETTLE_MAX_MS = 30_000;
/** Even with nothing to sync, the agent runs this long before the idle figures are read. */
const MIN_RUN_MS = 5_000;

/** Waits until the process used less than QUIET_CPU_SECONDS over QUIET_WINDOW_MS, or the deadline. */
async function waitQuiet(pid: number, deadline: number, alive: () => void): Promise<void> {
  const samples: { at: number; cpu: number }[] = [];
  while (now() < deadline) {
    alive();
    const cpu = cpuSeconds(pid);
    if (cpu === undefined) return;
    samples.push({ at: now(), cpu });
    const old = samples.find((s) => s.at >= now() - QUIET_WINDOW_MS - 100);
    if (old !== undefined && now() - old.at >= QUIET_WINDOW_MS && cpu - old.cpu < QUIET_CPU_SECONDS) return;
    await sleep(250);
  }
}

async function heapOf(kind: AgentKind, url: string): Promise<{ metric: string; bytes: number } | undefined> {
  const text = await scrape(url).catch((err: unknown) => {
    log(`${kind}: no metrics: ${String(err)}`);
  });
  return text === undefined ? undefined : heapBytes(kind, text);
}

/** Steady phase: objects at the steady rate in random workspaces, then up to 30 s for their copies. */
async function steadyPhase(objects: AgentObjects, curve: CurveOptions, stage: number): Promise<string[]> {
  const { consumers } = objects;
  if (objects.keys.length === 0) {
    // The idle point stays idle: its "steady" is the agent with nothing to do.
    await sleep(curve.steadySeconds * 1000);
    return [];
  }
  const keys = await objects.workload.createAtRate(curve.steadyRate, curve.steadySeconds, (i) => ({
    ws: consumers[Math.floor(Math.random() * consumers.length)]!,
    name: `s-${stage}-${i}`,
  }));
  const copied = progress(keys, [objects.operator.copyAt]);
  const deadline = now() + 30_000;
  while (copied() < keys.length && now() < deadline) await sleep(100);
  return keys;
}

/** A fresh agent on the objects there are now; see the file comment. */
export async function measureStage(objects: AgentObjects, curve: CurveOptions, stage: number): Promise<StageResult> {
  const { env, kind, api, keys } = objects;
  const size = keys.length;
  const initial = [...keys];
  const newObjects = initial.filter((k) => !objects.operator.copyAt.has(k)).length;
  log(`${kind}: starting the agent on ${size} objects in ${objects.consumers.length} workspaces`);
  const agent = await startBenchAgent(env, kind, api, `curve-${objects.consumers.length}-${size}`);
  const pid = agent.process.pid;
  const sampler = new ProcSampler(pid);
  const startedAt = now();
  const capAt = startedAt + capFor(curve, kind) * 1000;
  const alive = (): void => {
    env.servers.assertAlive();
    agentAlive(agent);
  };
  sampler.start();
  try {
    const done = progress(initial, [objects.operator.copyAt, objects.tracker.readyAt]);
    while (done() < size && now() < capAt) {
      alive();
      await sleep(100);
    }
    const finished = done() === size;
    const syncSeconds = (now() - startedAt) / 1000;
    if (finished) await waitQuiet(pid, Math.min(capAt, now() + SETTLE_MAX_MS), alive);
    while (now() < startedAt + MIN_RUN_MS) await sleep(100);
    const copied = initial.filter((k) => objects.operator.copyAt.has(k)).length;
    const cpuSync = cpuSeconds(pid);
    const heapSync = await heapOf(kind, agent.metricsUrl);
    const syncEnd = now();
    const base = {
      agent: kind,
      objects: size,
      newObjects,
      workspaces: objects.consumers.length,
      finished,
      copied,
      syncSeconds,
      rssAfterSyncBytes: sampler.median(syncEnd - 5_000, syncEnd),
      ...(cpuSync === undefined ? {} : { cpuSyncSeconds: cpuSync }),
      ...(heapSync === undefined ? {} : { heapAfterSyncBytes: heapSync.bytes, heapMetric: heapSync.metric }),
    };
    if (!finished) {
      log(`${kind}: not finished at the cap: copied ${copied}/${size}`);
      return { ...base, rssPeakBytes: sampler.peak(), rssSteadyBytes: sampler.median(syncEnd - 10_000, syncEnd) };
    }
    log(`${kind}: ${size} objects synced in ${syncSeconds.toFixed(1)} s; steady phase`);
    const steadyFrom = now();
    const steadyKeys = await steadyPhase(objects, curve, stage);
    const steadyTo = now();
    keys.push(...steadyKeys);
    const heapSteady = await heapOf(kind, agent.metricsUrl);
    const cpuEnd = cpuSeconds(pid);
    return {
      ...base,
      rssPeakBytes: sampler.peak(),
      rssSteadyBytes: sampler.median(steadyFrom, steadyTo),
      ...(heapSteady === undefined ? {} : { heapSteadyBytes: heapSteady.bytes }),
      steady: {
        objects: steadyKeys.length,
        copied: steadyKeys.filter((k) => objects.operator.copyAt.has(k)).length,
        ...(cpuEnd === undefined || cpuSync === undefined ? {} : { cpuSeconds: cpuEnd - cpuSync }),
      },
    };
  } finally {
    sampler.stop();
    await agent.process.stop();
  }
}
