// The results of one run: a JSON file with everything measured and a
// Markdown table (one column per agent), both under --out, named by the time
// the run started.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import type { LimitResult } from './limit.ts';
import type { AgentResult } from './measure.ts';
import type { BenchOptions } from './options.ts';
import type { ServerMemory } from './servers.ts';
import type { ShardFigures } from './shards.ts';
import type { Percentiles } from './util.ts';

export interface BenchReport {
  readonly startedAt: string;
  readonly wallSeconds: number;
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; kernel: string; node: string };
  readonly options: BenchOptions;
  readonly setupSeconds: number;
  readonly limit?: LimitResult;
  readonly agents: AgentResult[];
  readonly servers: ServerMemory[];
}

export function machineInfo(): BenchReport['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  };
}

const s = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '–' : `${v.toFixed(1)} s`);
const ms = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '–' : `${Math.round(v)}`);
const mib = (v: number | undefined): string => (v === undefined ? '–' : `${Math.round(v / 2 ** 20)} MiB`);
const pct = (p: Percentiles | undefined): string =>
  p === undefined || p.count === 0 ? '–' : `${ms(p.p50)} / ${ms(p.p95)} / ${ms(p.p99)}`;
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 ? '–' : `${(a / b).toFixed(2)}×`;
/** The agent's CPU milliseconds per object until the end of its initial sync. */
const cpuPerObject = (a: AgentResult): number | undefined =>
  a.cpuSeconds?.initial === undefined ? undefined : (1000 * a.cpuSeconds.initial) / a.initial.objects;
const num = (v: number | undefined, digits = 0): string =>
  v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);

const behind = (n: number | undefined): string => (n === undefined || n === 0 ? '' : ` (${n} not done: lower bounds)`);
const rate = (n: number, seconds: number | undefined): number | undefined =>
  seconds === undefined || seconds === 0 ? undefined : n / seconds;

type Row = [string, (a: AgentResult) => string];

function rows(limit: LimitResult | undefined): Row[] {
  return [
    [
      'initial sync: start → all copies',
      (a) =>
        a.initial.copiesSeconds === undefined
          ? `${a.initial.copied}/${a.initial.objects} in ${s(a.initial.waitedSeconds)} (gave up)`
          : s(a.initial.copiesSeconds),
    ],
    [
      'initial sync: start → all Ready',
      (a) =>
        a.initial.readySeconds === undefined
          ? `${a.initial.ready}/${a.initial.objects} in ${s(a.initial.waitedSeconds)} (gave up)`
          : s(a.initial.readySeconds),
    ],
    [
      'initial copies / Ready per second',
      (a) =>
        `${num(rate(a.initial.copied, a.initial.copiesSeconds ?? a.initial.waitedSeconds), 1)} / ${num(rate(a.initial.ready, a.initial.readySeconds ?? a.initial.waitedSeconds), 1)}`,
    ],
    ['initial Ready ÷ bare-client limit', (a) => ratio(a.initial.readySeconds, limit?.seconds)],
    ['steady create→copy p50/p95/p99 (ms)', (a) => `${pct(a.steady?.createToCopyMs)}${behind(a.steady?.notCopied)}`],
    ["steady: kcp answers the consumer's create p50/p95/p99 (ms)", (a) => pct(a.steady?.createAnswerMs)],
    [
      'steady copy Ready→consumer Ready p50/p95/p99 (ms)',
      (a) => `${pct(a.steady?.readyToReadyMs)}${behind(a.steady?.notReady)}`,
    ],
    ['first copy after a binding (ms, each)', (a) => a.firstCopyAfterBindMs?.map((v) => ms(v)).join(', ') ?? '–'],
    [
      'first copy: kcp answers the create (ms, each)',
      (a) => a.firstCopyCreateAnswerMs?.map((v) => ms(v)).join(', ') ?? '–',
    ],
    ['RSS peak / steady', (a) => `${mib(a.rss?.peakBytes)} / ${mib(a.rss?.steadyBytes)}`],
    [
      'CPU seconds: initial sync / before noisy phase',
      (a) => `${num(a.cpuSeconds?.initial, 1)} / ${num(a.cpuSeconds?.total, 1)}`,
    ],
    [
      'CPU ms per object, initial sync (bare client: the floor)',
      (a) =>
        num(cpuPerObject(a), 2) +
        (limit === undefined ? '' : ` (${((1000 * limit.cpuSeconds) / limit.objects).toFixed(2)})`),
    ],
    // Measured minutes apart on the same machine, so less moved by how fast
    // the machine is that day than the milliseconds are (bench/README.md).
    [
      'CPU per object ÷ the floor',
      (a) => ratio(cpuPerObject(a), limit === undefined ? undefined : (1000 * limit.cpuSeconds) / limit.objects),
    ],
    ['requests to kcp / service', (a) => `${num(a.requests?.kcp)} / ${num(a.requests?.service)}`],
    ['429s from kcp / service', (a) => `${num(a.requests?.kcp429)} / ${num(a.requests?.service429)}`],
    [
      'requests per synced object',
      (a) => `${num(a.requests?.perObject, 2)} (${num(a.requests?.syncedObjects)} objects)`,
    ],
    [
      'noisy: quiet p99 alone → under noise (ms)',
      (a) =>
        a.noisy === undefined
          ? '–'
          : `${ms(a.noisy.idle.p99)} → ${ms(a.noisy.noisy.p99)} (${ratio(a.noisy.noisy.p99, a.noisy.idle.p99)})`,
    ],
    [
      'noisy: quiet p50 alone → under noise (ms)',
      (a) => (a.noisy === undefined ? '–' : `${ms(a.noisy.idle.p50)} → ${ms(a.noisy.noisy.p50)}`),
    ],
    [
      'noisy: kcp answers the quiet create, p99 alone → under noise (ms)',
      (a) => (a.noisy === undefined ? '–' : `${ms(a.noisy.idleCreate.p99)} → ${ms(a.noisy.noisyCreate.p99)}`),
    ],
    [
      'noisy: kcp answered the quiet create → copy, p99 alone → under noise (ms)',
      (a) => (a.noisy === undefined ? '–' : `${ms(a.noisy.idleAfterAnswer.p99)} → ${ms(a.noisy.noisyAfterAnswer.p99)}`),
    ],
    [
      'noisy: all noisy copies after',
      (a) =>
        a.noisy === undefined
          ? '–'
          : a.noisy.noisyCopySeconds === undefined
            ? `${a.noisy.noisyCopied}/${a.noisy.noisyObjects} by the end`
            : s(a.noisy.noisyCopySeconds),
    ],
  ];
}

/** Rows per shard when the run was on a sharded kcp: initial sync and steady latency by the consumers' shard. */
export function shardRows(shards: readonly string[]): Row[] {
  const of = (a: AgentResult, shard: string): ShardFigures | undefined => a.perShard?.find((f) => f.shard === shard);
  return shards.flatMap((shard): Row[] => [
    [
      `shard ${shard}: objects, start → all copies / all Ready`,
      (a) => {
        const f = of(a, shard);
        return f === undefined
          ? '–'
          : `${f.objects}: ${f.copiesSeconds === undefined ? `${f.copied} copied` : s(f.copiesSeconds)} / ${f.readySeconds === undefined ? `${f.ready} Ready` : s(f.readySeconds)}`;
      },
    ],
    [`shard ${shard}: steady create→copy p50/p95/p99 (ms)`, (a) => pct(of(a, shard)?.steadyCreateToCopyMs)],
    [
      `shard ${shard}: steady copy Ready→consumer Ready p50/p95/p99 (ms)`,
      (a) => pct(of(a, shard)?.steadyReadyToReadyMs),
    ],
  ]);
}

export function markdown(r: BenchReport): string {
  const o = r.options;
  const shards = [...new Set(r.agents.flatMap((a) => a.perShard?.map((f) => f.shard) ?? []))];
  const head = `| | ${r.agents.map((a) => a.kind).join(' | ')} |\n|---|${r.agents.map(() => '---').join('|')}|`;
  const body = [...rows(r.limit), ...shardRows(shards)]
    .map(([label, f]) => `| ${label} | ${r.agents.map(f).join(' | ')} |`)
    .join('\n');
  const limit =
    r.limit === undefined
      ? 'Bare-client limit: not measured.'
      : `Bare-client limit (${r.limit.concurrency} in flight): ${r.limit.objects} objects + ${r.limit.namespaces} namespaces in ${s(r.limit.seconds)} (${r.limit.objectsPerSecond.toFixed(0)} objects/s); ` +
        `its CPU, with a watch on each side (${r.limit.watchEvents} events): ${r.limit.cpuSeconds.toFixed(1)} s, ${((1000 * r.limit.cpuSeconds) / r.limit.objects).toFixed(2)} ms per object.`;
  return [
    `### api-syncagent benchmark, ${r.startedAt}`,
    '',
    `${o.workspaces} workspaces × ${o.objects} objects = ${o.workspaces * o.objects}; steady ${o.rate}/s for ${o.steadySeconds} s; noisy ${o.noisy} objects; ` +
      `machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Linux ${r.machine.kernel}, Node ${r.machine.node}; ` +
      `setup ${s(r.setupSeconds)}, wall ${s(r.wallSeconds)}` +
      (o.shards === 2 ? '; kcp: 2 shards behind a front-proxy, consumers pinned to the shards in turn.' : '.'),
    limit,
    ...o.skippedAgents.map((sk) => `Not run: ${sk.kind} (${sk.why}).`),
    `Servers' RSS peak: ${r.servers.map((m) => `${m.name} ${mib(m.peakRssBytes)}`).join(', ')}.`,
    '',
    head,
    body,
    '',
  ].join('\n');
}

export function writeReport(r: BenchReport, outDir: string): { json: string; md: string; table: string } {
  mkdirSync(outDir, { recursive: true });
  const stem = r.startedAt.replace(/[:.]/g, '-');
  const json = join(outDir, `${stem}.json`);
  const md = join(outDir, `${stem}.md`);
  const table = markdown(r);
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(md, table);
  return { json, md, table };
}
