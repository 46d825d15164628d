import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkQueueStats } from '../runtime/workqueue.ts';

interface TrackedQueue {
  readonly name: string;
  readonly stats: () => WorkQueueStats;
  /** The queue's totals already added to the counters. */
  adds: number;
  retries: number;
}

/**
 * The controllers' work queues, under client-go's metric names and `name`
 * label (workqueue_*), so panels made for controller-runtime controllers read
 * them too. Queues are read at scrape time. A stopped queue's gauges go; its
 * counters stay and go on growing when a queue of the same name starts again
 * (a restarted sync), so rate() sees no reset.
 */
export class QueueMetrics {
  private readonly queues = new Set<TrackedQueue>();
  private readonly adds: Counter<'name'>;
  private readonly retries: Counter<'name'>;

  constructor(registry: Registry) {
    const queues = this.queues;
    const fold = (q: TrackedQueue): void => {
      this.fold(q, q.stats());
    };
    this.adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Keys added to the work queue (an add of a key already waiting is not counted).',
      labelNames: ['name'],
      registers: [registry],
      collect: () => {
        queues.forEach(fold);
      },
    });
    this.retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Keys re-added after a failed reconcile, with backoff.',
      labelNames: ['name'],
      registers: [registry],
      collect: () => {
        queues.forEach(fold);
      },
    });
    new Gauge({
      name: 'workqueue_depth',
      help: 'Keys waiting in the work queue.',
      labelNames: ['name'],
      registers: [registry],
      collect(): void {
        this.reset();
        for (const q of queues) this.inc({ name: q.name }, q.stats().depth);
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How long the key processed longest has been running; a stuck reconcile keeps it growing.',
      labelNames: ['name'],
      registers: [registry],
      collect(): void {
        this.reset();
        const longest = new Map<string, number>();
        for (const q of queues)
          longest.set(q.name, Math.max(longest.get(q.name) ?? 0, q.stats().longestRunningMs / 1000));
        for (const [name, seconds] of longest) this.set({ name }, seconds);
      },
    });
  }

  /** Reads the queue `name` at every scrape until the returned function is called. */
  track(name: string, stats: () => WorkQueueStats): () => void {
    const q: TrackedQueue = { name, stats, adds: 0, retries: 0 };
    this.queues.add(q);
    return () => {
      this.fold(q, stats());
      this.queues.delete(q);
    };
  }

  /** Adds what the queue counted since the last fold. */
  private fold(q: TrackedQueue, s: WorkQueueStats): void {
    if (s.adds > q.adds) this.adds.inc({ name: q.name }, s.adds - q.adds);
    if (s.retries > q.retries) this.retries.inc({ name: q.name }, s.retries - q.retries);
    q.adds = s.adds;
    q.retries = s.retries;
  }
}
