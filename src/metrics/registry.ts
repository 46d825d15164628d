/**
 * A small Prometheus registry: labelled counters and gauges rendered in the
 * text exposition format. Label sets stay bounded by design (controller,
 * outcome, method, code; never a workspace or object name).
 */
type Labels = Record<string, string>;

interface Series {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly values: Map<string, { labels: Labels; value: number }>;
}

export class MetricsRegistry {
  private readonly series = new Map<string, Series>();
  private readonly collectors: (() => void)[] = [];

  /** Runs `collect` before every render, for values read on demand (memory, CPU). */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  counter(name: string, help: string): (labels: Labels, by?: number) => void {
    const s = this.define(name, help, 'counter');
    return (labels, by = 1) => {
      const key = labelKey(labels);
      const entry = s.values.get(key) ?? { labels, value: 0 };
      entry.value += by;
      s.values.set(key, entry);
    };
  }

  gauge(name: string, help: string): (labels: Labels, value: number) => void {
    return this.setter(name, help, 'gauge');
  }

  /** A counter whose total is read from elsewhere (e.g. the process's CPU time) rather than counted here. */
  observedCounter(name: string, help: string): (labels: Labels, value: number) => void {
    return this.setter(name, help, 'counter');
  }

  private setter(name: string, help: string, type: Series['type']): (labels: Labels, value: number) => void {
    const s = this.define(name, help, type);
    return (labels, value) => {
      s.values.set(labelKey(labels), { labels, value });
    };
  }

  /** The text exposition of every series. */
  render(): string {
    for (const collect of this.collectors) collect();
    const lines: string[] = [];
    for (const s of this.series.values()) {
      lines.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`);
      for (const { labels, value } of s.values.values()) lines.push(`${s.name}${formatLabels(labels)} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private define(name: string, help: string, type: Series['type']): Series {
    const existing = this.series.get(name);
    if (existing !== undefined) return existing;
    const s: Series = { name, help, type, values: new Map() };
    this.series.set(name, s);
    return s;
  }
}

function labelKey(labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k] ?? ''}`).join(',');
}

function formatLabels(labels: Labels): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}="${(labels[k] ?? '').replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}
