// Memory and CPU of one process, from /proc: VmRSS sampled every 250 ms,
// utime+stime read on demand.
import { readFileSync } from 'node:fs';
import { execaSync } from 'execa';
import { now } from './util.ts';

let clkTck: number | undefined;

function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execaSync('getconf', ['CLK_TCK']).stdout) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU seconds (user + system) a process has used so far; undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Resident memory in bytes; undefined when the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

export interface RssSample {
  readonly at: number;
  readonly bytes: number;
}

export class ProcSampler {
  readonly samples: RssSample[] = [];
  private timer: NodeJS.Timeout | undefined;

  private readonly pid: number;
  private readonly intervalMs: number;

  constructor(pid: number, intervalMs = 250) {
    this.pid = pid;
    this.intervalMs = intervalMs;
  }

  start(): void {
    const take = (): void => {
      const bytes = rssBytes(this.pid);
      if (bytes !== undefined) this.samples.push({ at: now(), bytes });
    };
    take();
    this.timer = setInterval(take, this.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  peak(from = -Infinity, to = Infinity): number | undefined {
    const xs = this.window(from, to);
    return xs.length === 0 ? undefined : Math.max(...xs);
  }

  /** Median RSS in [from, to]. */
  median(from: number, to: number): number | undefined {
    const xs = this.window(from, to).sort((a, b) => a - b);
    return xs.length === 0 ? undefined : xs[Math.floor(xs.length / 2)];
  }

  private window(from: number, to: number): number[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.bytes);
  }
}
