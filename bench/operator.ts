// The service-cluster "operator" of the benchmark: it watches one agent's
// copies (by the agent-name label), records when each copy first appeared,
// and marks every copy Ready through the /status subresource at once,
// recording when it sent that write.
import type { KubeObject } from '../src/kube/object.ts';
import type { RestClient } from '../src/kube/rest-client.ts';
import { conditionTrue } from '../test/utils/kcp-fixtures.ts';
import type { BenchApi } from './setup.ts';
import { now } from './util.ts';
import { watchAll } from './watch.ts';

const READY_PATCH = {
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Bench', message: 'marked by the bench operator' }] },
};

/** `<cluster>/<namespace>/<name>` of the kcp object a copy belongs to, from the agent's labels and annotations. */
export function copyKey(copy: KubeObject): string | undefined {
  const cluster = copy.metadata.labels?.['syncagent.kcp.io/remote-object-cluster'];
  const name = copy.metadata.annotations?.['syncagent.kcp.io/remote-object-name'];
  const ns = copy.metadata.annotations?.['syncagent.kcp.io/remote-object-namespace'] ?? '';
  return cluster === undefined || name === undefined ? undefined : `${cluster}/${ns}/${name}`;
}

export class Operator {
  /** When each copy was first seen (watch receive time). */
  readonly copyAt = new Map<string, number>();
  /** When the Ready write for each copy was sent. */
  readonly markedAt = new Map<string, number>();
  errors = 0;
  private readonly queue: { key: string; path: string; attempt: number }[] = [];
  private inFlight = 0;
  private readonly abort = new AbortController();

  private readonly service: RestClient;
  private readonly api: BenchApi;
  private readonly agentName: string;
  private readonly parallel: number;

  constructor(service: RestClient, api: BenchApi, agentName: string, parallel = 32) {
    this.service = service;
    this.api = api;
    this.agentName = agentName;
    this.parallel = parallel;
  }

  async start(): Promise<void> {
    const path = `/apis/${this.api.group}/v1/${this.api.plural}`;
    await watchAll(
      { client: this.service, path, query: { labelSelector: `syncagent.kcp.io/agent-name=${this.agentName}` } },
      (type, obj, at) => {
        if (type !== 'DELETED') this.onCopy(obj, at);
      },
      this.abort.signal,
    );
  }

  stop(): void {
    this.abort.abort();
  }

  private onCopy(copy: KubeObject, at: number): void {
    const key = copyKey(copy);
    if (key === undefined) return;
    if (!this.copyAt.has(key)) this.copyAt.set(key, at);
    if (conditionTrue(copy, 'Ready') || this.markedAt.has(key)) return;
    this.markedAt.set(key, Number.NaN);
    const path = `/apis/${this.api.group}/v1/namespaces/${copy.metadata.namespace ?? ''}/${this.api.plural}/${copy.metadata.name ?? ''}/status`;
    this.queue.push({ key, path, attempt: 0 });
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.parallel && this.queue.length > 0 && !this.abort.signal.aborted) {
      const job = this.queue.shift()!;
      this.inFlight++;
      this.markedAt.set(job.key, now());
      this.service
        .patch(job.path, READY_PATCH, 'merge')
        .catch(() => {
          this.errors++;
          if (job.attempt >= 5) return;
          setTimeout(
            () => {
              this.queue.push({ ...job, attempt: job.attempt + 1 });
              this.pump();
            },
            200 * (job.attempt + 1),
          );
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
