import { readFileSync } from 'node:fs';
import { execa, type Options, type ResultPromise } from 'execa';

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
  private readonly child: ResultPromise;
  private done = false;
  private readonly finished: Promise<void>;

  constructor(name: string, child: ResultPromise, logFile: string) {
    this.name = name;
    this.child = child;
    this.logFile = logFile;
    if (child.pid === undefined) throw new Error(`failed to start ${name}: no pid`);
    this.pid = child.pid;
    this.finished = child.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      this.done = true;
      running.delete(this);
    });
  }

  exited(): boolean {
    return this.done;
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.done) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.finished;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (this.done) return;
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

/** Starts a long-running process with stdout and stderr appended to logFile. */
export function startProcess(name: string, file: string, args: readonly string[], opts: StartOptions): ManagedProcess {
  installSignalHandlers();
  const log = { file: opts.logFile, append: true } as const;
  const options: Options = {
    stdin: 'ignore',
    stdout: log,
    stderr: log,
    reject: false,
    // execa kills the child if this process exits without stopping it.
    cleanup: true,
    env: { ...opts.env },
    extendEnv: true,
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
  };
  const proc = new ManagedProcessImpl(name, execa(file, args, options), opts.logFile);
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
