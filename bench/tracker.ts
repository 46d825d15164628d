// Watches the consumers' objects of one API across all workspaces, through
// the export's virtual workspaces as kcp admin (one URL per shard), and
// records when each object was first seen Ready.
import type { RestClient } from '../src/kube/rest-client.ts';
import { conditionTrue } from '../test/utils/kcp-fixtures.ts';
import type { BenchApi } from './setup.ts';
import { watchAll } from './watch.ts';

export class ReadyTracker {
  /** When each consumer object (`<cluster>/<ns>/<name>`) was first seen Ready. */
  readonly readyAt = new Map<string, number>();
  private readonly abort = new AbortController();

  private readonly vws: readonly RestClient[];
  private readonly api: BenchApi;

  constructor(vws: readonly RestClient[], api: BenchApi) {
    this.vws = vws;
    this.api = api;
  }

  async start(): Promise<void> {
    await Promise.all(this.vws.map((vw) => this.watch(vw)));
  }

  private async watch(vw: RestClient): Promise<void> {
    const path = `/clusters/*/apis/${this.api.group}/v1/${this.api.plural}`;
    await watchAll(
      { client: vw, path, query: {} },
      (type, obj, at) => {
        if (type === 'DELETED' || !conditionTrue(obj, 'Ready')) return;
        const cluster = obj.metadata.annotations?.['kcp.io/cluster'] ?? '';
        const key = `${cluster}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
        if (!this.readyAt.has(key)) this.readyAt.set(key, at);
      },
      this.abort.signal,
    );
  }

  stop(): void {
    this.abort.abort();
  }
}
