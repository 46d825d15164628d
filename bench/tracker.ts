// Watches the consumers' objects of one API across all workspaces, through
// the export's virtual workspace as kcp admin, and records when each object
// was first seen Ready.
import type { RestClient } from '../src/kube/rest-client.ts';
import { conditionTrue } from '../test/utils/kcp-fixtures.ts';
import type { BenchApi } from './setup.ts';
import { watchAll } from './watch.ts';

export class ReadyTracker {
  /** When each consumer object (`<cluster>/<ns>/<name>`) was first seen Ready. */
  readonly readyAt = new Map<string, number>();
  private readonly abort = new AbortController();

  private readonly vw: RestClient;
  private readonly api: BenchApi;

  constructor(vw: RestClient, api: BenchApi) {
    this.vw = vw;
    this.api = api;
  }

  async start(): Promise<void> {
    const path = `/clusters/*/apis/${this.api.group}/v1/${this.api.plural}`;
    await watchAll(
      { client: this.vw, path, query: {} },
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
