import { getHeapStatistics } from 'node:v8';

/** The V8 heap: what is in use and the most it may grow to (`--max-old-space-size` and the young generation). */
export interface HeapUsage {
  readonly usedBytes: number;
  readonly limitBytes: number;
}

/** The V8 heap now, against the limit V8 enforces (set by --max-old-space-size). */
export function heapUsage(): HeapUsage {
  const stats = getHeapStatistics();
  return { usedBytes: stats.used_heap_size, limitBytes: stats.heap_size_limit };
}

export interface MemoryPressureOptions {
  /** Share of the heap limit above which the agent is under pressure. @default 0.85 */
  readonly threshold?: number;
  /**
   * Share it must fall below before another crossing counts: a heap that
   * hovers at the threshold would otherwise warn on every check.
   * @default threshold - 0.05
   */
  readonly rearmBelow?: number;
  /** Fewest milliseconds between two warnings, however often the heap crosses. @default 10 minutes */
  readonly minIntervalMs?: number;
}

/** What one check found: the heap's share of its limit, and whether this is a new crossing to warn about. */
export interface MemoryPressureReading {
  readonly ratio: number;
  readonly warn: boolean;
}

/**
 * Decides when the heap nears its limit, so that the agent can say so (a
 * metric, a log line, a Warning event) before V8 or the kernel ends it: once
 * per crossing of the threshold, then not again until the heap has fallen
 * back below `rearmBelow` and `minIntervalMs` has passed. No clock or V8 of
 * its own: the caller passes both in.
 */
export class MemoryPressure {
  private readonly threshold: number;
  private readonly rearmBelow: number;
  private readonly minIntervalMs: number;
  private armed = true;
  private lastWarnedAt: number | undefined;

  constructor(opts: MemoryPressureOptions = {}) {
    this.threshold = opts.threshold ?? 0.85;
    this.rearmBelow = opts.rearmBelow ?? this.threshold - 0.05;
    this.minIntervalMs = opts.minIntervalMs ?? 10 * 60_000;
  }

  check(usage: HeapUsage, nowMs: number): MemoryPressureReading {
    const ratio = usage.limitBytes > 0 ? usage.usedBytes / usage.limitBytes : 0;
    if (ratio < this.rearmBelow) this.armed = true;
    const quiet = this.lastWarnedAt !== undefined && nowMs - this.lastWarnedAt < this.minIntervalMs;
    const warn = ratio >= this.threshold && this.armed && !quiet;
    if (warn) {
      this.armed = false;
      this.lastWarnedAt = nowMs;
    }
    return { ratio, warn };
  }
}
