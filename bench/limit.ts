// The ceiling the servers allow: a bare client doing only the writes an agent
// must do for each object (one namespace per workspace, then per object: put
// the cleanup finalizer on the consumer object, create the copy on the service
// cluster, write Ready status to the consumer object; both kcp writes through
// the export's virtual workspace), at high concurrency.
//
// It also gives the CPU floor of that work in Node: the bench process's CPU
// for the writes, with the agent's REST client, while it watches both sides
// (every object in the export's virtual workspace and every copy), as any
// agent must, and decodes each event. No cache, queue, logic or metrics: what
// an agent spends beyond this is its own.
import { CLEANUP_FINALIZER } from '../src/apis/v1alpha1/constants.ts';
import type { RestClient } from '../src/kube/rest-client.ts';
import type { BenchApi } from './setup.ts';
import { now, pool, retryTransport, sleep } from './util.ts';
import { watchAll } from './watch.ts';
import type { Target } from './workload.ts';

export interface LimitResult {
  readonly objects: number;
  readonly namespaces: number;
  readonly seconds: number;
  readonly objectsPerSecond: number;
  readonly concurrency: number;
  /** CPU seconds (user + system) of the bench process for the writes and the two watches. */
  readonly cpuSeconds: number;
  /** Watch events decoded meanwhile: kcp side (finalizer and status echoes) and service side (the copies). */
  readonly watchEvents: number;
}

export interface LimitInputs {
  /** Admin on the service cluster. */
  readonly local: RestClient;
  /** kcp admin at the export's endpoint-slice URL. */
  readonly vw: RestClient;
  readonly api: BenchApi;
}

export async function measureLimit(
  { local, vw, api }: LimitInputs,
  targets: readonly Target[],
  concurrency: number,
): Promise<LimitResult> {
  const clusters = [...new Set(targets.map((t) => t.ws.cluster))];
  const stopWatches = new AbortController();
  let watchEvents = 0;
  let counting = false;
  const count = (): void => {
    if (counting) watchEvents++;
  };
  // Listed before the clock starts: from then on each event is one of the writes below.
  await Promise.all([
    watchAll(
      { client: vw, path: `/clusters/*/apis/${api.group}/v1/${api.plural}`, query: {} },
      count,
      stopWatches.signal,
    ),
    watchAll({ client: local, path: `/apis/${api.group}/v1/${api.plural}`, query: {} }, count, stopWatches.signal),
  ]);
  counting = true;
  const cpuBefore = process.cpuUsage();
  const started = now();
  await pool(clusters, concurrency, (cluster) =>
    retryTransport(() =>
      local.create('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: `limit-${cluster}` },
      }),
    ),
  );
  await pool(targets, concurrency, async (t) => {
    const remote = `/clusters/${t.ws.cluster}/apis/${api.group}/v1/namespaces/default/${api.plural}/${t.name}`;
    // Every agent must do this kcp write before it may create the copy, or a
    // consumer's delete could leave the copy behind (upstream does it too).
    await retryTransport(() => vw.patch(remote, { metadata: { finalizers: [CLEANUP_FINALIZER] } }, 'merge'));
    await retryTransport(() =>
      local.create(`/apis/${api.group}/v1/namespaces/limit-${t.ws.cluster}/${api.plural}`, {
        apiVersion: `${api.group}/v1`,
        kind: 'CronTab',
        metadata: { name: t.name, labels: { 'syncagent.kcp.io/remote-object-cluster': t.ws.cluster } },
        spec: { cronSpec: '*/5 * * * *', image: 'bench:1', replicas: 1 },
      }),
    );
    await retryTransport(() =>
      vw.patch(
        `${remote}/status`,
        {
          status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Bench', message: 'bare client' }] },
        },
        'merge',
      ),
    );
  });
  const seconds = (now() - started) / 1000;
  // The last echoes are on their way: let them in before reading the CPU.
  const expected = targets.length * 3;
  for (let waited = 0; watchEvents < expected && waited < 10_000; waited += 100) await sleep(100);
  const cpu = process.cpuUsage(cpuBefore);
  stopWatches.abort();
  return {
    objects: targets.length,
    namespaces: clusters.length,
    seconds,
    objectsPerSecond: targets.length / seconds,
    concurrency,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    watchEvents,
  };
}
