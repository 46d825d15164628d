// Watches the servers the benchmark started: their memory over the run, and
// whether one of them ended on its own. At 1,000 workspaces kcp once went away
// without a log line; this is what tells the next run why.
import type { ManagedProcess } from '../test/utils/processes.ts';
import { ProcSampler } from './sampler.ts';
import { log, now } from './util.ts';

/** What the watch needs of a process: ours, or one a launcher started (found by pid). */
export type WatchedProcess = Pick<ManagedProcess, 'name' | 'pid' | 'logFile' | 'exited' | 'logTail'>;

export interface ServerMemory {
  readonly name: string;
  readonly peakRssBytes: number | undefined;
}

const PROGRESS_EVERY_MS = 60_000;
const gib = (bytes: number | undefined): string => (bytes === undefined ? '?' : `${(bytes / 2 ** 30).toFixed(2)} GiB`);

export class ServerWatch {
  private readonly watched: { proc: WatchedProcess; sampler: ProcSampler }[];
  private timer: NodeJS.Timeout | undefined;
  private lastProgress = now();
  private died: WatchedProcess | undefined;

  constructor(processes: readonly WatchedProcess[]) {
    // One sample a second is enough for a peak over minutes, and cheap.
    this.watched = processes.map((proc) => ({ proc, sampler: new ProcSampler(proc.pid, 1_000) }));
  }

  start(): void {
    for (const w of this.watched) w.sampler.start();
    this.timer = setInterval(() => {
      this.check();
    }, 1_000);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const w of this.watched) w.sampler.stop();
  }

  /** Throws when a server has ended: a wait that calls this fails at once instead of timing out. */
  assertAlive(): void {
    if (this.died !== undefined) throw new Error(this.obituary(this.died));
  }

  memory(): ServerMemory[] {
    return this.watched.map((w) => ({ name: w.proc.name, peakRssBytes: w.sampler.peak() }));
  }

  private check(): void {
    for (const w of this.watched) {
      if (this.died === undefined && w.proc.exited()) {
        this.died = w.proc;
        log(this.obituary(w.proc));
      }
    }
    if (now() - this.lastProgress >= PROGRESS_EVERY_MS) {
      this.lastProgress = now();
      log(
        `servers' RSS now (peak): ${this.watched.map((w) => `${w.proc.name} ${gib(w.sampler.samples.at(-1)?.bytes)} (${gib(w.sampler.peak())})`).join(', ')}`,
      );
    }
  }

  private obituary(proc: WatchedProcess): string {
    const peak = this.watched.find((w) => w.proc === proc)?.sampler.peak();
    return `${proc.name} ended during the benchmark (RSS peak ${gib(peak)}); last lines of ${proc.logFile}:\n${proc.logTail(15)}`;
  }
}
