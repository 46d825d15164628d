// Requests an agent sent, from its own Prometheus endpoint: ours counts
// `syncagent_requests_total{server,method,code}`, upstream (controller-runtime)
// `rest_client_requests_total{code,host,method}`, where the host tells kcp
// from the service cluster.
import { request } from 'undici';
import type { AgentKind } from './options.ts';

export interface RequestCounts {
  readonly kcp: number;
  readonly service: number;
  readonly kcp429: number;
  readonly service429: number;
  /** Requests to a host that is neither (should be 0). */
  readonly other: number;
  /** `<server> <method> <code>` → count, for diagnosis. */
  readonly detail: Record<string, number>;
}

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses the Prometheus text format (enough of it for counters). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export async function scrape(url: string): Promise<string> {
  const res = await request(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode}`);
  return text;
}

/** Which server a sample counts for: ours labels it, upstream names the host. */
function serverOf(kind: AgentKind, labels: Record<string, string>, hosts: { kcp: string; service: string }): string {
  return kind === 'upstream' ? serverOfHost(labels['host'] ?? '', hosts) : (labels['server'] ?? 'other');
}

/** Totals by server; hosts are `127.0.0.1:<port>` of kcp and of the service cluster. */
export function requestCounts(kind: AgentKind, text: string, hosts: { kcp: string; service: string }): RequestCounts {
  const counts = { kcp: 0, service: 0, kcp429: 0, service429: 0, other: 0, detail: {} as Record<string, number> };
  const metric = kind === 'upstream' ? 'rest_client_requests_total' : 'syncagent_requests_total';
  for (const s of parseMetrics(text)) {
    if (s.name !== metric) continue;
    const server = serverOf(kind, s.labels, hosts);
    const what = `${server} ${s.labels['method'] ?? '?'} ${s.labels['code'] ?? '?'}`;
    counts.detail[what] = (counts.detail[what] ?? 0) + s.value;
    if (server !== 'kcp' && server !== 'service') {
      counts.other += s.value;
      continue;
    }
    counts[server] += s.value;
    if (s.labels['code'] === '429') counts[server === 'kcp' ? 'kcp429' : 'service429'] += s.value;
  }
  return counts;
}

function serverOfHost(host: string, hosts: { kcp: string; service: string }): string {
  const h = host.replace(/^https?:\/\//, '').split('/')[0] ?? '';
  if (h === hosts.kcp) return 'kcp';
  if (h === hosts.service) return 'service';
  return 'other';
}

/**
 * The heap figure each agent's own metrics endpoint gives: V8's used heap for
 * ours (prom-client's default `nodejs_heap_size_used_bytes`), the Go heap in
 * use for upstream (controller-runtime registers client_golang's Go collector:
 * `go_memstats_heap_inuse_bytes`). Undefined when the metric is not there.
 */
export function heapBytes(kind: AgentKind, text: string): { metric: string; bytes: number } | undefined {
  const metric = kind === 'upstream' ? 'go_memstats_heap_inuse_bytes' : 'nodejs_heap_size_used_bytes';
  const sample = parseMetrics(text).find((s) => s.name === metric);
  return sample === undefined ? undefined : { metric, bytes: sample.value };
}
