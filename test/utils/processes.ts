import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';

/**
 * A process the harness started. Only these are ever stopped, by pid; nothing
 * is killed by name.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** True once the process has exited, for whatever reason. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
}

const running = new Set<ManagedProcessImpl>();

class ManagedProcessImpl implements ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  private readonly child: ChildProcess;
  private done = false;
  private stopping = false;
  private readonly finished: Promise<void>;

  constructor(name: string, child: ChildProcess, logFile: string) {
    this.name = name;
    this.child = child;
    this.logFile = logFile;
    if (child.pid === undefined) throw new Error(`failed to start ${name}: no pid`);
    this.pid = child.pid;
    this.finished = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.recordExit(code ?? undefined, signal ?? undefined);
        this.done = true;
        running.delete(this);
        resolve();
      });
    });
  }

  exited(): boolean {
    return this.done;
  }

  /**
   * A server that dies on its own (a signal from outside, say the kernel's
   * out-of-memory killer) often writes nothing; this line is then the only
   * trace of how it ended.
   */
  private recordExit(code: number | undefined, signal: string | undefined): void {
    const how = signal === undefined ? `exit code ${code ?? 'unknown'}` : `signal ${signal}`;
    const who = this.stopping ? 'after the harness stopped it' : 'on its own';
    try {
      appendFileSync(this.logFile, `[harness] ${this.name} (pid ${this.pid}) ended ${who}: ${how} at ${new Date().toISOString()}\n`);
    } catch {
      // the log directory may be gone already
    }
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.done) return;
    this.stopping = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.finished;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (this.done) return;
    this.stopping = true;
    this.child.kill('SIGKILL');
    await this.finished;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

export interface StartOptions {
  readonly logFile: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

/**
 * Starts a long-running process with stdout and stderr appended to logFile.
 * The child writes to the file itself: piping its output through this
 * process would make a busy benchmark's event loop throttle the servers'
 * logging, and their work with it.
 */
export function startProcess(name: string, file: string, args: readonly string[], opts: StartOptions): ManagedProcess {
  installSignalHandlers();
  const log = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      stdio: ['ignore', log, log],
      env: { ...process.env, ...opts.env },
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
  // A binary that cannot be started reports it here, not by throwing.
  child.once('error', (err) => {
    try {
      appendFileSync(opts.logFile, `[harness] ${name} failed to start: ${err.message}\n`);
    } catch {
      // the log directory may be gone already
    }
  });
  const proc = new ManagedProcessImpl(name, child, opts.logFile);
  running.add(proc);
  return proc;
}

/** Stops every process the harness started that is still running. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(5_000)));
}

let handlersInstalled = false;
const interruptHooks: (() => void)[] = [];

/** Runs `hook` (synchronously) after the processes are killed on Ctrl-C or SIGTERM. */
export function onInterrupt(hook: () => void): void {
  interruptHooks.push(hook);
}

/**
 * On Ctrl-C or SIGTERM the test run ends at once; the servers it started must
 * not outlive it.
 */
function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const p of running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const hook of interruptHooks) hook();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    for (const p of running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}
