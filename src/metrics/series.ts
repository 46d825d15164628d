import type { Metric, Registry } from 'prom-client';

/**
 * Counters and histograms for the agent's hot paths: every request and every
 * reconcile feeds several. prom-client's own `inc` and `observe` check the
 * label names, sort and join them into a hash and, for a histogram, build a
 * closure on every call; that came to about 3 % of the agent's CPU and 6 % of
 * the bytes it allocated at 2,000 objects. These keep one entry per label set,
 * found by the label values alone, and are rendered by prom-client's registry
 * in the same text as its own counters and histograms (the same names, label
 * order and bucket bounds). Label names are fixed by the type parameter, so
 * the checks prom-client makes at run time are made by the compiler.
 */

interface MetricOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly registry: Registry;
}

/** One sample as prom-client's registry renders it (`sharedLabels` follow `labels`). */
interface Sample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly sharedLabels?: Readonly<Record<string, string>>;
  readonly metricName?: string;
}

interface Rendered {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: Sample[];
  readonly aggregator: 'sum';
}

/**
 * The registry renders any object with a name and a `get()` giving these
 * values; its type only lists its own metric classes, hence the cast.
 */
function register(registry: Registry, metric: { readonly name: string; get(): Promise<Rendered> }): void {
  registry.registerMetric(metric as unknown as Metric);
}

/** The label values in `labelNames` order, joined by a character no label value holds in practice. */
function seriesKey<L extends string>(labelNames: readonly L[], labels: Readonly<Record<L, string>>): string {
  let key = '';
  for (const name of labelNames) key += `${labels[name]}\u0000`;
  return key;
}

/** A monotonic counter by label set (`syncagent_*_total`). */
export class SeriesCounter<L extends string> {
  readonly name: string;
  private readonly help: string;
  private readonly labelNames: readonly L[];
  private readonly series = new Map<string, { readonly labels: Readonly<Record<L, string>>; value: number }>();

  constructor(opts: MetricOptions<L>) {
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames;
    register(opts.registry, this);
  }

  /** A negative or non-finite value is left out (prom-client would throw, on the request path). */
  inc(labels: Readonly<Record<L, string>>, value = 1): void {
    if (!Number.isFinite(value) || value < 0) return;
    const key = seriesKey(this.labelNames, labels);
    const entry = this.series.get(key);
    if (entry === undefined) this.series.set(key, { labels: { ...labels }, value });
    else entry.value += value;
  }

  get(): Promise<Rendered> {
    const values = [...this.series.values()].map(({ labels, value }) => ({ labels, value }));
    return Promise.resolve({ name: this.name, help: this.help, type: 'counter', values, aggregator: 'sum' });
  }
}

interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, ascending; `+Inf` is implied. */
  readonly buckets: readonly number[];
}

interface HistogramSeries<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  /** Observations per bucket, not cumulative; those above the last bound are only in `count`. */
  readonly inBucket: Float64Array;
  sum: number;
  count: number;
}

/** A histogram by label set (`*_seconds`), rendered as `_bucket{le}`, `_sum` and `_count`. */
export class SeriesHistogram<L extends string> {
  readonly name: string;
  private readonly help: string;
  private readonly labelNames: readonly L[];
  private readonly buckets: readonly number[];
  private readonly series = new Map<string, HistogramSeries<L>>();

  constructor(opts: HistogramOptions<L>) {
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames;
    this.buckets = opts.buckets;
    register(opts.registry, this);
  }

  /** A value that is not a finite number is left out (prom-client would throw, on the request path). */
  observe(labels: Readonly<Record<L, string>>, value: number): void {
    if (!Number.isFinite(value)) return;
    const key = seriesKey(this.labelNames, labels);
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: { ...labels }, inBucket: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] ?? Infinity)) {
        entry.inBucket[i] = (entry.inBucket[i] ?? 0) + 1;
        break;
      }
    }
    entry.sum += value;
    entry.count += 1;
  }

  get(): Promise<Rendered> {
    const values: Sample[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const { labels, inBucket, sum, count } of this.series.values()) {
      let below = 0;
      this.buckets.forEach((le, i) => {
        below += inBucket[i] ?? 0;
        values.push({ labels: { le }, sharedLabels: labels, value: below, metricName: bucketName });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: bucketName },
        { labels: {}, sharedLabels: labels, value: sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: labels, value: count, metricName: `${this.name}_count` },
      );
    }
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' });
  }
}
