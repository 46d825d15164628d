// The consumers' side of the workload: a bare kcp client creating CronTabs in
// consumer workspaces, in bulk or at a fixed rate, recording when each create
// was sent.
import PQueue from 'p-queue';
import type { RestClient } from '../src/kube/rest-client.ts';
import type { BenchApi } from './setup.ts';
import { now, pool, retryNotFound, retryTransport, sleep } from './util.ts';
import type { BenchWorkspace } from './workspaces.ts';

export interface Target {
  readonly ws: BenchWorkspace;
  readonly name: string;
}

/** `<cluster>/default/<name>`: how copies, Ready times and creates are matched. */
export function targetKey(t: Target): string {
  return `${t.ws.cluster}/default/${t.name}`;
}

export class Workload {
  /** When each create was sent (the last attempt's send time). */
  readonly createdAt = new Map<string, number>();
  /** When kcp answered each create: how much of a latency is kcp's own. */
  readonly answeredAt = new Map<string, number>();
  errors = 0;

  private readonly kcpAdmin: RestClient;
  private readonly api: BenchApi;

  constructor(kcpAdmin: RestClient, api: BenchApi) {
    this.kcpAdmin = kcpAdmin;
    this.api = api;
  }

  /** Creates one object; retries while the API is not served yet in the workspace. */
  async create(t: Target): Promise<string> {
    const key = targetKey(t);
    const path = `/clusters/${t.ws.cluster}/apis/${this.api.group}/v1/namespaces/default/${this.api.plural}`;
    const body = {
      apiVersion: `${this.api.group}/v1`,
      kind: 'CronTab',
      metadata: { name: t.name, namespace: 'default', labels: { 'bench.kcp.io/object': 'true' } },
      spec: { cronSpec: '*/5 * * * *', image: 'bench:1', replicas: 1 },
    };
    await retryNotFound(`create ${key}`, async () => {
      this.createdAt.set(key, now());
      await retryTransport(() => this.kcpAdmin.create(path, body));
      this.answeredAt.set(key, now());
    });
    return key;
  }

  /** Creates every target with at most `concurrency` requests in flight. */
  async createAll(targets: readonly Target[], concurrency: number): Promise<string[]> {
    return pool(targets, concurrency, (t) => this.create(t));
  }

  /**
   * Creates objects at `rate` per second for `seconds`, `pick(i)` naming the
   * i-th; sends on schedule whatever the answers take (at most 256 in flight).
   * Returns the keys created; failed creates are counted in `errors`.
   */
  async createAtRate(
    rate: number,
    seconds: number,
    pick: (i: number) => Target,
    shouldStop?: () => boolean,
  ): Promise<string[]> {
    const total = Math.round(rate * seconds);
    const start = now();
    const sending = new PQueue({ concurrency: 256 });
    const created: string[] = [];
    for (let i = 0; i < total && !(shouldStop?.() ?? false); i++) {
      const wait = start + (i * 1000) / rate - now();
      if (wait > 0) await sleep(wait);
      // With 256 in flight the next create waits for a free slot instead of piling up.
      await sending.onSizeLessThan(1);
      void sending.add(() =>
        this.create(pick(i)).then(
          (key) => {
            created.push(key);
          },
          () => {
            this.errors++;
          },
        ),
      );
    }
    await sending.onIdle();
    return created;
  }
}
